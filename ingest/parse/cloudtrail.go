package parse

import (
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseCloudTrail handles one CloudTrail record or a {"Records":[...]}
// file; each record becomes one event whose original is its own JSON.
func parseCloudTrail(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	if recs := v.Get("Records"); recs != nil {
		arr, err := recs.Array()
		if err != nil {
			return dst, errorf(ReasonInvalid, "cloudtrail Records is not an array")
		}
		out := slices.Grow(dst, len(arr))
		for i, r := range arr {
			e, err := cloudTrailRecord(r, rec, i)
			if err != nil {
				clear(out[len(dst):]) // the events of the failed file are not kept
				return dst, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	e, err := cloudTrailEvent(jobj{t: t, v: v}, t.text, rec, 0)
	if err != nil {
		return dst, err
	}
	return append(dst, e), nil
}

// cloudTrailRecord converts the index-th record of a {"Records":[...]} file.
func cloudTrailRecord(r *fastjson.Value, rec Record, index int) (event.Event, error) {
	if r.Type() != fastjson.TypeObject {
		return event.Event{}, errorf(ReasonInvalid, "cloudtrail Records[%d] is not an object", index)
	}
	return cloudTrailEvent(jobj{v: r}, string(r.MarshalTo(nil)), rec, index)
}

func cloudTrailEvent(m jobj, original string, rec Record, index int) (event.Event, error) {
	e := base(rec, original, "aws", "aws.cloudtrail")
	ts, ok := parseTime(m.S("eventTime"))
	if !ok {
		return e, errorf(ReasonNoTimestamp, "cloudtrail eventTime %q", m.S("eventTime"))
	}
	e.Timestamp = ts
	if id := m.S("eventID"); id != "" {
		e.Event.ID = sourceID(SourceCloudTrail, id)
	} else {
		e.Event.ID = positionID(SourceCloudTrail, rec, index)
	}
	account := first(m.S("recipientAccountId"), m.S("userIdentity", "accountId"))
	if e.Organization.ID == "" {
		e.Organization.ID = account
	}

	name := m.S("eventName")
	src := m.S("eventSource")
	e.Event.Action = name
	e.Event.Provider = src
	service := strings.TrimSuffix(src, ".amazonaws.com")
	e.Cloud = event.Cloud{Provider: "aws", Region: m.S("awsRegion"),
		Account: event.CloudAccount{ID: account}, Service: event.CloudService{Name: service}}

	errCode := m.S("errorCode")
	switch {
	case name == "ConsoleLogin":
		e.Event.Category = []string{"authentication"}
		e.Event.Type = []string{"start"}
		if m.S("responseElements", "ConsoleLogin") == "Failure" || errCode != "" {
			e.Event.Outcome = "failure"
		} else {
			e.Event.Outcome = "success"
		}
	default:
		typ := verbType(name)
		switch {
		case service == "iam" || service == "sso" || service == "identitystore":
			e.Event.Category = []string{"iam"}
		case service == "sts" || service == "signin":
			e.Event.Category = []string{"authentication"}
			typ = "start"
		default:
			e.Event.Category = []string{"configuration"}
		}
		if typ == "" {
			typ = "info"
		}
		e.Event.Type = []string{typ}
		if errCode != "" {
			e.Event.Outcome = "failure"
		} else {
			e.Event.Outcome = "success"
		}
	}
	if errCode == "AccessDenied" || strings.HasSuffix(errCode, "UnauthorizedOperation") || errCode == "Client.UnauthorizedOperation" {
		e.Event.Type = append(e.Event.Type, "denied")
	}

	// Actor.
	ui := m.M("userIdentity")
	utype := ui.S("type")
	e.User.ID = ui.S("principalId")
	e.User.Name = ui.S("userName")
	switch {
	case e.User.Name != "":
	case utype == "Root":
		e.User.Name = "root"
	case utype == "AssumedRole":
		e.User.Name = first(ui.S("sessionContext", "sessionIssuer", "userName"), lastSegment(ui.S("arn")))
	default:
		e.User.Name = first(lastSegment(ui.S("arn")), ui.S("invokedBy"))
	}
	_, e.User.Email = splitEmail(e.User.Name)
	// The user an IAM action was done to.
	if service == "iam" {
		if t := m.S("requestParameters", "userName"); t != "" && t != e.User.Name {
			e.User.Target = &event.TargetUser{Name: t}
		}
	}

	if ip := cleanIP(m.S("sourceIPAddress")); ip != "" {
		e.Source.IP = ip
	} else {
		e.Source.Domain = m.S("sourceIPAddress")
	}
	e.UserAgent.Original = m.S("userAgent")
	related(&e)
	e.Vendor = map[string]any{"aws": map[string]any{"cloudtrail": event.RawJSON(original)}}
	return e, nil
}

// lastSegment returns what follows the last "/" of an ARN.
func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return ""
}
