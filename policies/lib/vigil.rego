# Helpers shared by detections. Everything here is evaluated only after a
# detection's indexed conditions matched, so it may be more expensive than
# a plain comparison.
package vigil.lib

# tenant is the event's organization.id ("" when absent).
tenant := object.get(input, ["organization", "id"], "")

# cmdline is the process command line in lower case ("" when absent).
cmdline := lower(object.get(input, ["process", "command_line"], ""))

# process_name is process.name in lower case ("" when absent).
process_name := lower(object.get(input, ["process", "name"], ""))

# event_data is winlog.event_data (all values are strings), {} when absent.
event_data := object.get(input, ["winlog", "event_data"], {})

# ed(name) is one winlog.event_data value in lower case, "" when absent.
ed(name) := lower(object.get(event_data, name, ""))

# tenant_table(table) merges table.default with table[<tenant>]: the
# per-tenant form of allow-lists and watch lists in data.vigil.*. It builds
# the merged table on every call; to look up one key, use tenant_lookup.
tenant_table(table) := object.union(object.get(table, "default", {}), object.get(table, tenant, {}))

# tenant_lookup(table, key) is tenant_table(table)[key] in one or two
# probes: the tenant's value, else the default one; undefined when neither
# has the key.
tenant_lookup(table, key) := v if {
	v := table[tenant][key]
} else := v if {
	v := table["default"][key]
}

# bad_ip(ip) holds when ip is on the threat-intel list or in one of its
# networks (an index lookup, whatever the number of networks).
bad_ip(ip) if data.vigil.threat_intel.ips[ip]

bad_ip(ip) if vigil.in_networks(ip, "threat_intel.cidrs")

# threat_ip_reason(ip) says why an ip is listed.
threat_ip_reason(ip) := data.vigil.threat_intel.ips[ip]

threat_ip_reason(ip) := "listed network" if {
	not data.vigil.threat_intel.ips[ip]
	bad_ip(ip)
}

# bad_domain(name) holds when name or one of its parent domains is on the
# threat-intel domain list, case-insensitively and ignoring a trailing dot
# (an index lookup, whatever the size of the list).
bad_domain(name) if vigil.in_domains(name, "threat_intel.domains")

# anonymous_ip(ip) holds for addresses of anonymising services (Tor exits,
# commercial VPN and proxy ranges).
anonymous_ip(ip) if data.vigil.threat_intel.anonymous_ips[ip]

anonymous_ip(ip) if vigil.in_networks(ip, "threat_intel.anonymous_cidrs")

# watched_country holds when source.geo names a country on the tenant's
# sign-in watch list (by ISO code or by name).
watched_country := c if {
	c := input.source.geo.country_iso_code
	tenant_lookup(data.vigil.watchlist.countries, c)
}

watched_country := c if {
	watch := tenant_table(data.vigil.watchlist.countries)
	not input.source.geo.country_iso_code
	c := input.source.geo.country_name
	some code, name in watch
	lower(name) == lower(c)
}

# criticality(kind, name) is the criticality of an asset or identity from
# data.vigil.assets ("normal" when not listed).
criticality(kind, name) := object.get(data.vigil.assets, [kind, lower(name), "criticality"], "normal")
