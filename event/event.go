// Package event defines the value types that cross vigil's stages: the
// normalized security Event (field names from the Elastic Common Schema),
// the Alert a detection raises, the Incident correlation builds, and the
// TimelineEntry that records every change to an incident.
//
// It imports only the standard library so that every stage can depend on it
// while no stage depends on another.
package event

import (
	"time"
)

// Event is one normalized security event. Field names and nesting follow the
// Elastic Common Schema (ECS) so that policy authors can write
// input.user.name, input.source.ip, input.event.action and so on. Fields a
// source has but ECS does not live in Vendor under the source's own namespace
// (for example Vendor["aws"]["cloudtrail"], Vendor["winlog"]["event_data"]).
type Event struct {
	Timestamp    time.Time    `json:"@timestamp"`
	Event        Meta         `json:"event"`
	Organization Organization `json:"organization,omitzero"`
	User         User         `json:"user,omitzero"`
	Source       Endpoint     `json:"source,omitzero"`
	Destination  Endpoint     `json:"destination,omitzero"`
	Host         Host         `json:"host,omitzero"`
	Process      Process      `json:"process,omitzero"`
	File         File         `json:"file,omitzero"`
	Cloud        Cloud        `json:"cloud,omitzero"`
	Network      Network      `json:"network,omitzero"`
	DNS          DNS          `json:"dns,omitzero"`
	URL          URL          `json:"url,omitzero"`
	HTTP         HTTP         `json:"http,omitzero"`
	TLS          TLS          `json:"tls,omitzero"`
	Email        Email        `json:"email,omitzero"`
	UserAgent    UserAgent    `json:"user_agent,omitzero"`
	Related      Related      `json:"related,omitzero"`
	Message      string       `json:"message,omitempty"`
	Tags         []string     `json:"tags,omitempty"`

	// Vendor holds the source's own fields, keyed by namespace
	// ("aws", "o365", "azure", "okta", "winlog", "sysmon", "zeek", "system").
	// Each value is what encoding/json produces (map[string]any, []any,
	// string, float64, bool or nil), a map[string]string, or a RawJSON the
	// parser kept undecoded, at any depth:
	// {"aws": {"cloudtrail": RawJSON(record)}}.
	Vendor map[string]any `json:"-"`

	// Origin says where the record came from; it is not part of the ECS
	// document but is stored with the event and copied into alerts.
	Origin Origin `json:"-"`
}

// Meta is the ECS event.* field set.
type Meta struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind,omitempty"`     // event, alert, signal, state
	Category []string  `json:"category,omitempty"` // authentication, iam, process, network, file, configuration, ...
	Type     []string  `json:"type,omitempty"`     // start, creation, deletion, change, info, access, denied, ...
	Action   string    `json:"action,omitempty"`   // the source's own verb: ConsoleLogin, New-InboxRule, ...
	Outcome  string    `json:"outcome,omitempty"`  // success, failure, unknown
	Dataset  string    `json:"dataset,omitempty"`  // aws.cloudtrail, o365.audit, azure.signinlogs, okta.system, windows.security, windows.sysmon, system.auth, zeek.conn, ...
	Module   string    `json:"module,omitempty"`   // aws, o365, azure, okta, windows, system, zeek, ecs
	Provider string    `json:"provider,omitempty"` // Microsoft-Windows-Security-Auditing, AzureActiveDirectory, ...
	Code     string    `json:"code,omitempty"`     // Windows event id and the like, as a string
	Severity int       `json:"severity,omitempty"`
	Original string    `json:"original,omitempty"` // the record exactly as received
	Created  time.Time `json:"created,omitzero"`
	Ingested time.Time `json:"ingested,omitzero"`
}

// Organization carries the tenant: ECS organization.id.
type Organization struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// User is the ECS user.* field set.
type User struct {
	Name   string      `json:"name,omitempty"`
	Domain string      `json:"domain,omitempty"`
	ID     string      `json:"id,omitempty"`
	Email  string      `json:"email,omitempty"`
	Roles  []string    `json:"roles,omitempty"`
	Target *TargetUser `json:"target,omitempty"`
}

// TargetUser is ECS user.target.*: the user an action was done to.
type TargetUser struct {
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
	ID     string `json:"id,omitempty"`
	Email  string `json:"email,omitempty"`
}

// Endpoint is the ECS source.* / destination.* field set.
type Endpoint struct {
	IP      string `json:"ip,omitempty"`
	Port    int    `json:"port,omitempty"`
	Domain  string `json:"domain,omitempty"`
	Address string `json:"address,omitempty"`
	Bytes   int64  `json:"bytes,omitempty"`
	Packets int64  `json:"packets,omitempty"`
	Geo     Geo    `json:"geo,omitzero"`
}

// Geo is ECS *.geo.*.
type Geo struct {
	CountryISOCode string    `json:"country_iso_code,omitempty"`
	CountryName    string    `json:"country_name,omitempty"`
	RegionName     string    `json:"region_name,omitempty"`
	CityName       string    `json:"city_name,omitempty"`
	Location       *GeoPoint `json:"location,omitempty"`
}

// GeoPoint is a latitude/longitude pair.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Host is the ECS host.* field set.
type Host struct {
	Name     string   `json:"name,omitempty"`
	Hostname string   `json:"hostname,omitempty"`
	ID       string   `json:"id,omitempty"`
	IP       []string `json:"ip,omitempty"`
	OS       OS       `json:"os,omitzero"`
}

// OS is ECS host.os.*.
type OS struct {
	Family string `json:"family,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Process is the ECS process.* field set.
type Process struct {
	PID         int64    `json:"pid,omitempty"`
	Name        string   `json:"name,omitempty"`
	Executable  string   `json:"executable,omitempty"`
	CommandLine string   `json:"command_line,omitempty"`
	Args        []string `json:"args,omitempty"`
	EntityID    string   `json:"entity_id,omitempty"`
	Parent      *Parent  `json:"parent,omitempty"`
}

// Parent is ECS process.parent.*.
type Parent struct {
	PID         int64  `json:"pid,omitempty"`
	Name        string `json:"name,omitempty"`
	Executable  string `json:"executable,omitempty"`
	CommandLine string `json:"command_line,omitempty"`
}

// File is the ECS file.* field set.
type File struct {
	Path      string `json:"path,omitempty"`
	Name      string `json:"name,omitempty"`
	Directory string `json:"directory,omitempty"`
	Extension string `json:"extension,omitempty"`
	Size      int64  `json:"size,omitempty"`
}

// Cloud is the ECS cloud.* field set.
type Cloud struct {
	Provider string       `json:"provider,omitempty"` // aws, azure, gcp, okta
	Region   string       `json:"region,omitempty"`
	Account  CloudAccount `json:"account,omitzero"`
	Service  CloudService `json:"service,omitzero"`
}

// CloudAccount is ECS cloud.account.*.
type CloudAccount struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// CloudService is ECS cloud.service.*.
type CloudService struct {
	Name string `json:"name,omitempty"`
}

// Network is the ECS network.* field set.
type Network struct {
	Transport   string `json:"transport,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	Direction   string `json:"direction,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
	CommunityID string `json:"community_id,omitempty"`
}

// DNS is the ECS dns.* field set.
type DNS struct {
	Question     DNSQuestion `json:"question,omitzero"`
	ResponseCode string      `json:"response_code,omitempty"`
	Answers      []string    `json:"answers,omitempty"`
}

// DNSQuestion is ECS dns.question.*.
type DNSQuestion struct {
	Name             string `json:"name,omitempty"`
	Type             string `json:"type,omitempty"`
	RegisteredDomain string `json:"registered_domain,omitempty"`
}

// URL is the ECS url.* field set.
type URL struct {
	Full   string `json:"full,omitempty"`
	Domain string `json:"domain,omitempty"`
	Path   string `json:"path,omitempty"`
}

// HTTP is the ECS http.* field set (flattened to what detections use).
type HTTP struct {
	Method     string `json:"method,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
}

// TLS is the ECS tls.* field set (flattened).
type TLS struct {
	Version    string `json:"version,omitempty"`
	ServerName string `json:"server_name,omitempty"`
	JA3        string `json:"ja3,omitempty"`
}

// Email is the ECS email.* field set, used for mailbox events.
type Email struct {
	To      []string `json:"to,omitempty"`
	From    string   `json:"from,omitempty"`
	Subject string   `json:"subject,omitempty"`
}

// UserAgent is ECS user_agent.*.
type UserAgent struct {
	Original string `json:"original,omitempty"`
}

// Related is ECS related.*: every user, ip and host the event mentions, for
// pivoting.
type Related struct {
	User  []string `json:"user,omitempty"`
	IP    []string `json:"ip,omitempty"`
	Hosts []string `json:"hosts,omitempty"`
}

// Origin records where an event was read from, so that any alert can be
// traced back and replayed.
type Origin struct {
	Topic     string `json:"topic,omitempty"`
	Partition int    `json:"partition,omitempty"`
	Offset    int64  `json:"offset,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
}

// Tenant returns the event's tenant (organization.id).
func (e *Event) Tenant() string { return e.Organization.ID }
