package vigil.lib_test

import data.vigil.lib

test_bad_ip_listed if lib.bad_ip("192.0.2.66")

test_bad_ip_network if lib.bad_ip("192.0.2.177")

test_bad_ip_clean if not lib.bad_ip("8.8.8.8")

test_bad_domain_parent if lib.bad_domain("cdn.evil-updates.example")

test_bad_domain_clean if not lib.bad_domain("www.example.org")

test_watched_country_default if {
	lib.watched_country == "KP" with input as {"source": {"geo": {"country_iso_code": "KP"}}}
}

test_watched_country_by_name if {
	lib.watched_country == "Iran" with input as {"source": {"geo": {"country_name": "Iran"}}}
}

test_watched_country_per_tenant if {
	lib.watched_country == "BR" with input as {"organization": {"id": "acme"}, "source": {"geo": {"country_iso_code": "BR"}}}
	not lib.watched_country with input as {"organization": {"id": "other"}, "source": {"geo": {"country_iso_code": "BR"}}}
}

test_criticality if {
	lib.criticality("hosts", "DC01") == "critical"
	lib.criticality("hosts", "laptop-7") == "normal"
}

test_bad_domain_listed if lib.bad_domain("c2.badcorp.example")

test_bad_domain_case_and_root_dot if lib.bad_domain("WWW.Evil-Updates.Example.")

test_bad_domain_not_a_suffix_of_a_label if not lib.bad_domain("notevil-updates.example")

test_tenant_lookup if {
	table := {"default": {"a": "from default", "b": "from default"}, "acme": {"b": "from acme"}}
	lib.tenant_lookup(table, "a") == "from default" with input as {"organization": {"id": "acme"}}
	lib.tenant_lookup(table, "b") == "from acme" with input as {"organization": {"id": "acme"}}
	lib.tenant_lookup(table, "b") == "from default" with input as {"organization": {"id": "other"}}
	lib.tenant_lookup(table, "b") == "from default" with input as {}
	not lib.tenant_lookup(table, "c") with input as {"organization": {"id": "acme"}}
}

test_tenant_lookup_agrees_with_tenant_table if {
	table := data.vigil.watchlist.countries
	every tenant in ["acme", "other", ""] {
		every code in ["KP", "BR", "US"] {
			object.get(lib.tenant_table(table), code, null) == object.get({code: v | v := lib.tenant_lookup(table, code)}, code, null) with input as {"organization": {"id": tenant}}
		}
	}
}
