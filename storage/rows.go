package storage

import (
	"net/netip"
	"strconv"
	"time"
	"unsafe"

	"github.com/vigil-soc/vigil/event"
)

// newChunk starts a chunk of n rows; col adds one column of it.
func newChunk(n int) *chunk { return &chunk{n: n, keys: make([]string, n)} }

// col adds a column named name to c and returns its n-long slice; the chunk
// and the caller share the backing array, so filling the slice fills the
// chunk.
func col[T any](c *chunk, name string) []T {
	s := make([]T, c.n)
	c.names = append(c.names, name)
	c.cols = append(c.cols, s)
	return s
}

// sizeBytes estimates the uncompressed size of the chunk's values, for the
// bytes-written metric.
func (c *chunk) sizeBytes() int64 {
	var total int64
	for _, v := range c.cols {
		switch s := v.(type) {
		case []string:
			for _, x := range s {
				total += int64(len(x)) + 1
			}
		case [][]string:
			for _, xs := range s {
				total += 8
				for _, x := range xs {
					total += int64(len(x)) + 1
				}
			}
		case []map[string]string:
			for _, m := range s {
				total += 8
				for k, x := range m {
					total += int64(len(k)+len(x)) + 2
				}
			}
		case []*fieldRow:
			for _, r := range s {
				total += 8
				for j, k := range r.keys {
					total += int64(len(k.(string))+len(r.vals[j])) + 2
				}
			}
		case []time.Time, []int64, []uint64:
			total += 8 * int64(c.n)
		case []netip.Addr:
			total += 16 * int64(c.n)
		case [][]netip.Addr:
			for _, xs := range s {
				total += 8 + 16*int64(len(xs))
			}
		case [][]int64:
			for _, xs := range s {
				total += 8 + 8*int64(len(xs))
			}
		case [][]int32:
			for _, xs := range s {
				total += 8 + 4*int64(len(xs))
			}
		case []int32, []uint32:
			total += 4 * int64(c.n)
		case []uint16:
			total += 2 * int64(c.n)
		default:
			total += int64(c.n)
		}
	}
	return total
}

// epoch stands for a zero time.Time, which DateTime64 cannot hold.
var epoch = time.Unix(0, 0).UTC()

// dt converts a time for a DateTime64 column.
func dt(t time.Time) time.Time {
	if t.IsZero() {
		return epoch
	}
	return t
}

// fromDT converts a DateTime64 value back; the epoch is a zero time.
func fromDT(t time.Time) time.Time {
	if t.Equal(epoch) {
		return time.Time{}
	}
	return t.UTC()
}

// ip parses an address for an IPv6 column: IPv4 is stored IPv4-mapped
// (::ffff:a.b.c.d); an absent or unparsable address is :: (the unspecified
// address), see README "Addresses".
func ip(s string) netip.Addr {
	if s == "" {
		return netip.IPv6Unspecified()
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return netip.AddrFrom16(a.WithZone("").As16())
}

// ips parses a list, dropping what is not an address.
func ips(ss []string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.AddrFrom16(a.WithZone("").As16()))
		}
	}
	return out
}

func port(p int) uint16 {
	if p < 0 || p > 65535 {
		return 0
	}
	return uint16(p)
}

func severity(s event.Severity) int8 {
	if s < event.SeverityUnknown || s > event.SeverityCritical {
		return 0
	}
	return int8(s)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func entityColumns(es []event.Entity) (kinds, values []string) {
	kinds, values = make([]string, len(es)), make([]string, len(es))
	for i, e := range es {
		kinds[i], values[i] = string(e.Kind), e.Value
	}
	return kinds, values
}

func entities(kinds, values []string) []event.Entity {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]event.Entity, len(kinds))
	for i := range kinds {
		out[i] = event.Entity{Kind: event.EntityKind(kinds[i])}
		if i < len(values) {
			out[i].Value = values[i]
		}
	}
	return out
}

// eventEncoding is what encodeEvents stores beyond the typed columns and doc.
type eventEncoding struct {
	// original fills the original column (Config.StoreOriginal).
	original bool
	// vendorMap flattens the vendor namespaces into the fields column
	// (Config.VendorFields "map"); otherwise fields stays empty.
	vendorMap bool
}

// encodeEvents converts events to the events table's columns. The ECS
// document goes to doc without event.original, which has its own column
// (empty unless enc.original).
// docArena is the size of the buffers encodeEvents writes documents into;
// a new one is started when less than docArenaSlack is left, so that a
// document rarely outgrows its buffer.
const (
	docArena      = 256 << 10
	docArenaSlack = 16 << 10
)

func encodeEvents(evs []event.Event, enc eventEncoding) (*chunk, error) {
	c := newChunk(len(evs))
	var (
		tenant       = col[string](c, "tenant")
		timestamp    = col[time.Time](c, "timestamp")
		eventID      = col[string](c, "event_id")
		kind         = col[string](c, "kind")
		dataset      = col[string](c, "dataset")
		module       = col[string](c, "module")
		provider     = col[string](c, "provider")
		category     = col[[]string](c, "category")
		typ          = col[[]string](c, "type")
		action       = col[string](c, "action")
		outcome      = col[string](c, "outcome")
		code         = col[string](c, "code")
		sev          = col[int32](c, "severity")
		created      = col[time.Time](c, "created")
		ingested     = col[time.Time](c, "ingested")
		userName     = col[string](c, "user_name")
		userDomain   = col[string](c, "user_domain")
		userID       = col[string](c, "user_id")
		userEmail    = col[string](c, "user_email")
		userRoles    = col[[]string](c, "user_roles")
		tUserName    = col[string](c, "target_user_name")
		tUserDomain  = col[string](c, "target_user_domain")
		tUserID      = col[string](c, "target_user_id")
		srcIP        = col[netip.Addr](c, "source_ip")
		srcPort      = col[uint16](c, "source_port")
		srcDomain    = col[string](c, "source_domain")
		srcCountry   = col[string](c, "source_country")
		srcBytes     = col[int64](c, "source_bytes")
		dstIP        = col[netip.Addr](c, "destination_ip")
		dstPort      = col[uint16](c, "destination_port")
		dstDomain    = col[string](c, "destination_domain")
		dstCountry   = col[string](c, "destination_country")
		dstBytes     = col[int64](c, "destination_bytes")
		netTransport = col[string](c, "network_transport")
		netProtocol  = col[string](c, "network_protocol")
		netDirection = col[string](c, "network_direction")
		netBytes     = col[int64](c, "network_bytes")
		hostName     = col[string](c, "host_name")
		hostID       = col[string](c, "host_id")
		hostIP       = col[[]netip.Addr](c, "host_ip")
		hostOS       = col[string](c, "host_os_family")
		procPID      = col[int64](c, "process_pid")
		procName     = col[string](c, "process_name")
		procExe      = col[string](c, "process_executable")
		procCmd      = col[string](c, "process_command_line")
		procEntity   = col[string](c, "process_entity_id")
		parentName   = col[string](c, "process_parent_name")
		parentExe    = col[string](c, "process_parent_executable")
		parentCmd    = col[string](c, "process_parent_command_line")
		filePath     = col[string](c, "file_path")
		fileName     = col[string](c, "file_name")
		fileExt      = col[string](c, "file_extension")
		cloudProv    = col[string](c, "cloud_provider")
		cloudAcct    = col[string](c, "cloud_account_id")
		cloudRegion  = col[string](c, "cloud_region")
		cloudSvc     = col[string](c, "cloud_service")
		dnsName      = col[string](c, "dns_question_name")
		dnsType      = col[string](c, "dns_question_type")
		dnsDomain    = col[string](c, "dns_registered_domain")
		dnsRcode     = col[string](c, "dns_response_code")
		urlFull      = col[string](c, "url_full")
		urlDomain    = col[string](c, "url_domain")
		urlPath      = col[string](c, "url_path")
		httpMethod   = col[string](c, "http_method")
		httpStatus   = col[uint16](c, "http_status_code")
		tlsSNI       = col[string](c, "tls_server_name")
		tlsJA3       = col[string](c, "tls_ja3")
		emailFrom    = col[string](c, "email_from")
		emailTo      = col[[]string](c, "email_to")
		emailSubject = col[string](c, "email_subject")
		userAgent    = col[string](c, "user_agent")
		message      = col[string](c, "message")
		tags         = col[[]string](c, "tags")
		relUsers     = col[[]string](c, "related_users")
		relIPs       = col[[]netip.Addr](c, "related_ips")
		relHosts     = col[[]string](c, "related_hosts")
		fields       = col[*fieldRow](c, "fields")
		flat         *flattener // made on first use: none with vendor_fields doc
		doc          = col[string](c, "doc")
		original     = col[string](c, "original")
		oTopic       = col[string](c, "origin_topic")
		oPartition   = col[int32](c, "origin_partition")
		oOffset      = col[int64](c, "origin_offset")
		oFile        = col[string](c, "origin_file")
		oLine        = col[int32](c, "origin_line")
	)
	// The documents are written one after another into shared buffers
	// that their strings point into: one allocation per docArena bytes
	// instead of one per event, and no copy.
	var arena []byte
	for i := range evs {
		e := &evs[i]
		orig := e.Event.Original
		// Encode a copy without event.original: it is kept apart.
		cp := *e
		cp.Event.Original = ""
		if cap(arena)-len(arena) < docArenaSlack {
			arena = make([]byte, 0, docArena)
		}
		start := len(arena)
		var err error
		if arena, err = cp.AppendJSON(arena); err != nil {
			return nil, err
		}
		// A document larger than what was left moved the buffer: the
		// strings before it keep the old one alive, and stay valid.
		doc[i] = unsafe.String(&arena[start], len(arena)-start)
		if enc.original {
			original[i] = orig
		}
		id := e.Event.ID
		if id == "" {
			// No source id: the content identifies the event, so that a
			// replay still converges.
			id = event.StableID("evh-", e.Tenant(), e.Timestamp.UTC().Format(time.RFC3339Nano), doc[i], orig)
		}
		c.keys[i] = id
		tenant[i] = e.Organization.ID
		timestamp[i] = dt(e.Timestamp)
		eventID[i] = id
		kind[i] = e.Event.Kind
		dataset[i] = e.Event.Dataset
		module[i] = e.Event.Module
		provider[i] = e.Event.Provider
		category[i] = orEmpty(e.Event.Category)
		typ[i] = orEmpty(e.Event.Type)
		action[i] = e.Event.Action
		outcome[i] = e.Event.Outcome
		code[i] = e.Event.Code
		sev[i] = int32(e.Event.Severity)
		created[i] = dt(e.Event.Created)
		ingested[i] = dt(e.Event.Ingested)
		userName[i] = e.User.Name
		userDomain[i] = e.User.Domain
		userID[i] = e.User.ID
		userEmail[i] = e.User.Email
		userRoles[i] = orEmpty(e.User.Roles)
		if t := e.User.Target; t != nil {
			tUserName[i], tUserDomain[i], tUserID[i] = t.Name, t.Domain, t.ID
		}
		srcIP[i] = ip(e.Source.IP)
		srcPort[i] = port(e.Source.Port)
		srcDomain[i] = e.Source.Domain
		srcCountry[i] = e.Source.Geo.CountryISOCode
		srcBytes[i] = e.Source.Bytes
		dstIP[i] = ip(e.Destination.IP)
		dstPort[i] = port(e.Destination.Port)
		dstDomain[i] = e.Destination.Domain
		dstCountry[i] = e.Destination.Geo.CountryISOCode
		dstBytes[i] = e.Destination.Bytes
		netTransport[i] = e.Network.Transport
		netProtocol[i] = e.Network.Protocol
		netDirection[i] = e.Network.Direction
		netBytes[i] = e.Network.Bytes
		hostName[i] = firstNonEmpty(e.Host.Name, e.Host.Hostname)
		hostID[i] = e.Host.ID
		hostIP[i] = ips(e.Host.IP)
		hostOS[i] = e.Host.OS.Family
		procPID[i] = e.Process.PID
		procName[i] = e.Process.Name
		procExe[i] = e.Process.Executable
		procCmd[i] = e.Process.CommandLine
		procEntity[i] = e.Process.EntityID
		if p := e.Process.Parent; p != nil {
			parentName[i], parentExe[i], parentCmd[i] = p.Name, p.Executable, p.CommandLine
		}
		filePath[i] = e.File.Path
		fileName[i] = e.File.Name
		fileExt[i] = e.File.Extension
		cloudProv[i] = e.Cloud.Provider
		cloudAcct[i] = e.Cloud.Account.ID
		cloudRegion[i] = e.Cloud.Region
		cloudSvc[i] = e.Cloud.Service.Name
		dnsName[i] = e.DNS.Question.Name
		dnsType[i] = e.DNS.Question.Type
		dnsDomain[i] = e.DNS.Question.RegisteredDomain
		dnsRcode[i] = e.DNS.ResponseCode
		urlFull[i] = e.URL.Full
		urlDomain[i] = e.URL.Domain
		urlPath[i] = e.URL.Path
		httpMethod[i] = e.HTTP.Method
		httpStatus[i] = port(e.HTTP.StatusCode)
		tlsSNI[i] = e.TLS.ServerName
		tlsJA3[i] = e.TLS.JA3
		emailFrom[i] = e.Email.From
		emailTo[i] = orEmpty(e.Email.To)
		emailSubject[i] = e.Email.Subject
		userAgent[i] = e.UserAgent.Original
		message[i] = e.Message
		tags[i] = orEmpty(e.Tags)
		relUsers[i] = orEmpty(e.Related.User)
		relIPs[i] = ips(e.Related.IP)
		relHosts[i] = orEmpty(e.Related.Hosts)
		if enc.vendorMap {
			if flat == nil {
				flat = newFlattener()
			}
			fields[i] = flat.flatten(e.Vendor)
		} else {
			fields[i] = &noFields
		}
		oTopic[i] = e.Origin.Topic
		oPartition[i] = int32(e.Origin.Partition)
		oOffset[i] = e.Origin.Offset
		oFile[i] = e.Origin.File
		oLine[i] = int32(e.Origin.Line)
	}
	c.bytes = c.sizeBytes()
	return c, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// versionKey is a dedup key for versioned rows: a newer version of the same
// id is a new write, not a retry.
func versionKey(id string, version uint64) string {
	return id + "@" + strconv.FormatUint(version, 10)
}

func encodeAlerts(alerts []event.Alert) (*chunk, error) {
	c := newChunk(len(alerts))
	var (
		tenant      = col[string](c, "tenant")
		alertID     = col[string](c, "alert_id")
		detection   = col[string](c, "detection_id")
		title       = col[string](c, "title")
		description = col[string](c, "description")
		sev         = col[int8](c, "severity")
		confidence  = col[int32](c, "confidence")
		risk        = col[int32](c, "risk_score")
		tactics     = col[[]string](c, "tactics")
		techniques  = col[[]string](c, "techniques")
		eKinds      = col[[]string](c, "entity_kinds")
		eValues     = col[[]string](c, "entity_values")
		fields      = col[map[string]string](c, "fields")
		eventIDs    = col[[]string](c, "event_ids")
		oTopics     = col[[]string](c, "origin_topics")
		oPartitions = col[[]int32](c, "origin_partitions")
		oOffsets    = col[[]int64](c, "origin_offsets")
		oFiles      = col[[]string](c, "origin_files")
		oLines      = col[[]int32](c, "origin_lines")
		dataset     = col[string](c, "dataset")
		timestamp   = col[time.Time](c, "timestamp")
		lastSeen    = col[time.Time](c, "last_seen")
		count       = col[uint32](c, "count")
		signal      = col[bool](c, "signal")
		policy      = col[string](c, "policy_version")
		detectedAt  = col[time.Time](c, "detected_at")
	)
	for i := range alerts {
		a := &alerts[i]
		c.keys[i] = a.ID + "@" + strconv.Itoa(a.Count) + "@" + strconv.FormatInt(a.LastSeen.UnixNano(), 10)
		tenant[i] = a.Tenant
		alertID[i] = a.ID
		detection[i] = a.DetectionID
		title[i] = a.Title
		description[i] = a.Description
		sev[i] = severity(a.Severity)
		confidence[i] = int32(a.Confidence)
		risk[i] = int32(a.RiskScore)
		tactics[i] = orEmpty(a.Tactics)
		techniques[i] = orEmpty(a.Techniques)
		eKinds[i], eValues[i] = entityColumns(a.Entities)
		if a.Fields != nil {
			fields[i] = a.Fields
		} else {
			fields[i] = map[string]string{}
		}
		eventIDs[i] = orEmpty(a.EventIDs)
		n := len(a.Origins)
		oTopics[i], oPartitions[i], oOffsets[i] = make([]string, n), make([]int32, n), make([]int64, n)
		oFiles[i], oLines[i] = make([]string, n), make([]int32, n)
		for j, o := range a.Origins {
			oTopics[i][j], oPartitions[i][j], oOffsets[i][j] = o.Topic, int32(o.Partition), o.Offset
			oFiles[i][j], oLines[i][j] = o.File, int32(o.Line)
		}
		dataset[i] = a.Dataset
		timestamp[i] = dt(a.Timestamp)
		lastSeen[i] = dt(a.LastSeen)
		count[i] = uint32(max(a.Count, 0))
		signal[i] = a.Signal
		policy[i] = a.PolicyVersion
		detectedAt[i] = dt(a.DetectedAt)
	}
	c.bytes = c.sizeBytes()
	return c, nil
}

func encodeIncidents(incs []event.Incident) (*chunk, error) {
	c := newChunk(len(incs))
	var (
		tenant       = col[string](c, "tenant")
		incidentID   = col[string](c, "incident_id")
		title        = col[string](c, "title")
		summary      = col[string](c, "summary")
		sev          = col[int8](c, "severity")
		confidence   = col[int32](c, "confidence")
		risk         = col[int32](c, "risk_score")
		status       = col[string](c, "status")
		rule         = col[string](c, "rule")
		kind         = col[string](c, "kind")
		key          = col[string](c, "key")
		firstSeen    = col[time.Time](c, "first_seen")
		lastSeen     = col[time.Time](c, "last_seen")
		eKinds       = col[[]string](c, "entity_kinds")
		eValues      = col[[]string](c, "entity_values")
		tactics      = col[[]string](c, "tactics")
		techniques   = col[[]string](c, "techniques")
		detectionIDs = col[[]string](c, "detection_ids")
		alertIDs     = col[[]string](c, "alert_ids")
		eventIDs     = col[[]string](c, "event_ids")
		createdAt    = col[time.Time](c, "created_at")
		updatedAt    = col[time.Time](c, "updated_at")
		declaredAt   = col[time.Time](c, "declared_at")
		containedAt  = col[time.Time](c, "contained_at")
		closedAt     = col[time.Time](c, "closed_at")
		notifyBy     = col[time.Time](c, "notify_by")
		assignee     = col[string](c, "assignee")
		version      = col[uint64](c, "version")
	)
	for i := range incs {
		in := &incs[i]
		c.keys[i] = versionKey(in.ID, in.Version)
		tenant[i] = in.Tenant
		incidentID[i] = in.ID
		title[i] = in.Title
		summary[i] = in.Summary
		sev[i] = severity(in.Severity)
		confidence[i] = int32(in.Confidence)
		risk[i] = int32(in.RiskScore)
		status[i] = string(in.Status)
		rule[i] = in.Rule
		kind[i] = in.Kind
		key[i] = in.Key
		firstSeen[i] = dt(in.FirstSeen)
		lastSeen[i] = dt(in.LastSeen)
		eKinds[i], eValues[i] = entityColumns(in.Entities)
		tactics[i] = orEmpty(in.Tactics)
		techniques[i] = orEmpty(in.Techniques)
		detectionIDs[i] = orEmpty(in.DetectionIDs)
		alertIDs[i] = orEmpty(in.AlertIDs)
		eventIDs[i] = orEmpty(in.EventIDs)
		createdAt[i] = dt(in.CreatedAt)
		updatedAt[i] = dt(in.UpdatedAt)
		declaredAt[i] = dt(in.DeclaredAt)
		containedAt[i] = dt(in.ContainedAt)
		closedAt[i] = dt(in.ClosedAt)
		notifyBy[i] = dt(in.NotifyBy)
		assignee[i] = in.Assignee
		version[i] = in.Version
	}
	c.bytes = c.sizeBytes()
	return c, nil
}

func encodeTimeline(entries []event.TimelineEntry) (*chunk, error) {
	c := newChunk(len(entries))
	var (
		tenant     = col[string](c, "tenant")
		incidentID = col[string](c, "incident_id")
		entryID    = col[string](c, "entry_id")
		at         = col[time.Time](c, "at")
		actor      = col[string](c, "actor")
		action     = col[string](c, "action")
		fromStatus = col[string](c, "from_status")
		toStatus   = col[string](c, "to_status")
		detail     = col[string](c, "detail")
		ref        = col[string](c, "ref")
	)
	for i := range entries {
		e := &entries[i]
		c.keys[i] = e.ID
		tenant[i] = e.Tenant
		incidentID[i] = e.IncidentID
		entryID[i] = e.ID
		at[i] = dt(e.At)
		actor[i] = e.Actor
		action[i] = e.Action
		fromStatus[i] = string(e.FromStatus)
		toStatus[i] = string(e.ToStatus)
		detail[i] = e.Detail
		ref[i] = e.Ref
	}
	c.bytes = c.sizeBytes()
	return c, nil
}

func encodeDeliveries(ds []event.Delivery) (*chunk, error) {
	c := newChunk(len(ds))
	var (
		tenant     = col[string](c, "tenant")
		key        = col[string](c, "delivery_key")
		incidentID = col[string](c, "incident_id")
		target     = col[string](c, "target")
		kind       = col[string](c, "kind")
		level      = col[int32](c, "level")
		status     = col[string](c, "status")
		attempts   = col[int32](c, "attempts")
		nextAt     = col[time.Time](c, "next_attempt_at")
		lastError  = col[string](c, "last_error")
		payload    = col[string](c, "payload")
		createdAt  = col[time.Time](c, "created_at")
		updatedAt  = col[time.Time](c, "updated_at")
		version    = col[uint64](c, "version")
	)
	for i := range ds {
		d := &ds[i]
		c.keys[i] = versionKey(d.Key, d.Version)
		tenant[i] = d.Tenant
		key[i] = d.Key
		incidentID[i] = d.IncidentID
		target[i] = d.Target
		kind[i] = d.Kind
		level[i] = int32(d.Level)
		status[i] = d.Status
		attempts[i] = int32(d.Attempts)
		nextAt[i] = dt(d.NextAttemptAt)
		lastError[i] = d.LastError
		payload[i] = d.Payload
		createdAt[i] = dt(d.CreatedAt)
		updatedAt[i] = dt(d.UpdatedAt)
		version[i] = d.Version
	}
	c.bytes = c.sizeBytes()
	return c, nil
}
