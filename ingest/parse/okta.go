package parse

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseOkta handles one Okta System Log event.
func parseOkta(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	m := t.toMap(v)
	canonicalOktaKeys(m)
	e := base(rec, t.text, "okta", "okta.system")
	ts, ok := parseTime(getS(m, "published"))
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "okta published %q", getS(m, "published"))
	}
	e.Timestamp = ts
	if id := getS(m, "uuid"); id != "" {
		e.Event.ID = sourceID(SourceOkta, id)
	} else {
		e.Event.ID = positionID(SourceOkta, rec, 0)
	}
	et := getS(m, "eventType")
	e.Event.Action = et
	e.Event.Provider = "okta"
	e.Event.Category, e.Event.Type = oktaCategory(et)
	switch getS(m, "outcome", "result") {
	case "SUCCESS", "ALLOW":
		e.Event.Outcome = "success"
	case "FAILURE", "DENY":
		e.Event.Outcome = "failure"
	case "":
	default:
		e.Event.Outcome = "unknown"
	}
	e.Message = getS(m, "displayMessage")
	e.Cloud.Provider = "okta"

	actor := getM(m, "actor")
	e.User.Name = getS(actor, "alternateId")
	e.User.ID = getS(actor, "id")
	e.User.Domain, e.User.Email = splitEmail(e.User.Name)
	for _, t := range getA(m, "target") {
		tm, _ := t.(map[string]any)
		if getS(tm, "type") != "User" {
			continue
		}
		tu := &event.TargetUser{Name: getS(tm, "alternateId"), ID: getS(tm, "id")}
		tu.Domain, tu.Email = splitEmail(tu.Name)
		e.User.Target = tu
		break
	}

	client := getM(m, "client")
	e.Source.IP = cleanIP(getS(client, "ipAddress"))
	geo := getM(client, "geographicalContext")
	e.Source.Geo = event.Geo{CountryName: getS(geo, "country"), RegionName: getS(geo, "state"), CityName: getS(geo, "city")}
	if lat, ok := getF(geo, "geolocation", "lat"); ok {
		lon, _ := getF(geo, "geolocation", "lon")
		e.Source.Geo.Location = &event.GeoPoint{Lat: lat, Lon: lon}
	}
	e.UserAgent.Original = getS(client, "userAgent", "rawUserAgent")
	related(&e)
	for _, hop := range getA(m, "request", "ipChain") {
		if hm, ok := hop.(map[string]any); ok {
			e.Related.IP = addUnique(e.Related.IP, cleanIP(getS(hm, "ip")))
		}
	}
	e.Vendor = map[string]any{"okta": m}
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

// canonicalOktaKeys renames lower-cased top-level keys to the API's, so
// that detections read one shape.
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
