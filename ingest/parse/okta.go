package parse

import (
	"encoding/json"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseOkta handles one Okta System Log event.
func parseOkta(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	m, raw := jobj{t: t, v: v}, t.text
	if hasOktaLowerKeys(v) {
		var err error
		if m, raw, err = canonicalOkta(t, v); err != nil {
			return dst, errorf(ReasonInvalid, "okta record: %v", err)
		}
	}
	e := base(rec, t.text, "okta", "okta.system")
	ts, ok := parseTime(m.S("published"))
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "okta published %q", m.S("published"))
	}
	e.Timestamp = ts
	if id := m.S("uuid"); id != "" {
		e.Event.ID = sourceID(SourceOkta, id)
	} else {
		e.Event.ID = positionID(SourceOkta, rec, 0)
	}
	et := m.S("eventType")
	e.Event.Action = et
	e.Event.Provider = "okta"
	e.Event.Category, e.Event.Type = oktaCategory(et)
	switch m.S("outcome", "result") {
	case "SUCCESS", "ALLOW":
		e.Event.Outcome = "success"
	case "FAILURE", "DENY":
		e.Event.Outcome = "failure"
	case "":
	default:
		e.Event.Outcome = "unknown"
	}
	e.Message = m.S("displayMessage")
	e.Cloud.Provider = "okta"

	actor := m.M("actor")
	e.User.Name = actor.S("alternateId")
	e.User.ID = actor.S("id")
	e.User.Domain, e.User.Email = splitEmail(e.User.Name)
	for _, tm := range m.A("target") {
		if tm.S("type") != "User" {
			continue
		}
		tu := &event.TargetUser{Name: tm.S("alternateId"), ID: tm.S("id")}
		tu.Domain, tu.Email = splitEmail(tu.Name)
		e.User.Target = tu
		break
	}

	client := m.M("client")
	e.Source.IP = cleanIP(client.S("ipAddress"))
	geo := client.M("geographicalContext")
	e.Source.Geo = event.Geo{CountryName: geo.S("country"), RegionName: geo.S("state"), CityName: geo.S("city")}
	if lat, ok := geo.F("geolocation", "lat"); ok {
		lon, _ := geo.F("geolocation", "lon")
		e.Source.Geo.Location = &event.GeoPoint{Lat: lat, Lon: lon}
	}
	e.UserAgent.Original = client.S("userAgent", "rawUserAgent")
	related(&e)
	for _, hop := range m.A("request", "ipChain") {
		e.Related.IP = addUnique(e.Related.IP, cleanIP(hop.S("ip")))
	}
	e.Vendor = map[string]any{"okta": event.RawJSON(raw)}
	return append(dst, e), nil
}

// oktaLowerKeys are the top-level System Log keys that data lakes which
// lower-case column names (Snowflake, the Panther data lake) deliver in
// lower case, with the key the Okta API uses.
var oktaLowerKeys = map[string]string{
	"eventtype":             "eventType",
	"legacyeventtype":       "legacyEventType",
	"displaymessage":        "displayMessage",
	"authenticationcontext": "authenticationContext",
	"debugcontext":          "debugContext",
	"securitycontext":       "securityContext",
}

// hasOktaLowerKeys reports whether a record has lower-cased top-level keys.
func hasOktaLowerKeys(v *fastjson.Value) bool {
	for lower := range oktaLowerKeys {
		if v.Get(lower) != nil {
			return true
		}
	}
	return false
}

// canonicalOkta rewrites a record with lower-cased top-level keys into the
// API's shape, so that detections read one shape: its fields and their text.
func canonicalOkta(t *recordText, v *fastjson.Value) (jobj, string, error) {
	m := t.toMap(v)
	canonicalOktaKeys(m)
	b, err := json.Marshal(m)
	if err != nil {
		return jobj{}, "", err
	}
	cv, err := fastjson.ParseBytes(b)
	if err != nil {
		return jobj{}, "", err
	}
	return jobj{v: cv}, string(b), nil
}

// canonicalOktaKeys renames lower-cased top-level keys to the API's.
func canonicalOktaKeys(m map[string]any) {
	for lower, canonical := range oktaLowerKeys {
		v, ok := m[lower]
		if !ok {
			continue
		}
		if _, taken := m[canonical]; !taken {
			m[canonical] = v
		}
		delete(m, lower)
	}
}

func oktaCategory(et string) (cat, typ []string) {
	switch {
	case et == "user.session.start" || strings.HasPrefix(et, "user.authentication."):
		return []string{"authentication"}, []string{"start"}
	case et == "user.session.end":
		return []string{"authentication"}, []string{"end"}
	case et == "user.lifecycle.create":
		return []string{"iam"}, []string{"user", "creation"}
	case et == "user.lifecycle.delete.initiated" || et == "user.lifecycle.deactivate":
		return []string{"iam"}, []string{"user", "deletion"}
	case strings.HasPrefix(et, "user.account.") || strings.HasPrefix(et, "user.lifecycle.") || strings.HasPrefix(et, "user.mfa."):
		return []string{"iam"}, []string{"user", "change"}
	case strings.HasPrefix(et, "group.user_membership.") || strings.HasPrefix(et, "group.privilege."):
		return []string{"iam"}, []string{"group", "change"}
	case strings.HasPrefix(et, "policy.") || strings.HasPrefix(et, "system.") || strings.HasPrefix(et, "application.") || strings.HasPrefix(et, "zone."):
		return []string{"configuration"}, []string{"change"}
	}
	return nil, []string{"info"}
}
