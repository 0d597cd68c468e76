package parse

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseSignIn handles an Entra ID (Azure AD) sign-in record, either the
// Azure Monitor / Event Hub envelope {"time","category":"SignInLogs",
// "properties":{...}} or the Graph API signIn resource.
func parseSignIn(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	m := jobj{t: t, v: v}
	p := m.M("properties")
	if p.v == nil {
		p = m
	}
	cat := m.S("category")
	if cat != "" && !strings.HasSuffix(cat, "SignInLogs") {
		return dst, errorf(ReasonInvalid, "azure category %q is not a sign-in log", cat)
	}
	e := base(rec, t.text, "azure", "azure.signinlogs")
	ts, ok := parseTime(first(p.S("createdDateTime"), m.S("time")))
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "sign-in createdDateTime/time missing or malformed")
	}
	e.Timestamp = ts
	corr := first(p.S("correlationId"), m.S("correlationId"))
	upn := p.S("userPrincipalName")
	switch {
	case p.S("id") != "":
		e.Event.ID = sourceID(SourceSignIn, p.S("id"))
	case corr != "":
		e.Event.ID = sourceID(SourceSignIn, corr, ts.Format("2006-01-02T15:04:05.9999999Z"), upn)
	default:
		e.Event.ID = positionID(SourceSignIn, rec, 0)
	}
	if t := first(m.S("tenantId"), p.S("tenantId"), p.S("homeTenantId")); t != "" {
		e.Organization.ID = t
	}
	e.Event.Action = first(m.S("operationName"), "Sign-in activity")
	e.Event.Provider = "AzureActiveDirectory"
	e.Event.Category = []string{"authentication"}
	e.Event.Type = []string{"start"}
	if code, ok := p.F("status", "errorCode"); ok {
		if code == 0 {
			e.Event.Outcome = "success"
		} else {
			e.Event.Outcome = "failure"
		}
	} else if rt := m.S("resultType"); rt != "" {
		if rt == "0" {
			e.Event.Outcome = "success"
		} else {
			e.Event.Outcome = "failure"
		}
	}
	// The Entra tenant is organization.id, not a cloud account (see o365.go).
	e.Cloud = event.Cloud{Provider: "azure", Service: event.CloudService{Name: p.S("resourceDisplayName")}}

	e.User.Name = first(upn, p.S("servicePrincipalName"), p.S("servicePrincipalId"))
	e.User.ID = first(p.S("userId"), p.S("servicePrincipalId"))
	e.User.Domain, e.User.Email = splitEmail(upn)

	e.Source.IP = cleanIP(first(p.S("ipAddress"), m.S("callerIpAddress")))
	loc := p.M("location")
	e.Source.Geo = event.Geo{
		CountryISOCode: loc.S("countryOrRegion"),
		RegionName:     loc.S("state"),
		CityName:       loc.S("city"),
	}
	if lat, ok := loc.F("geoCoordinates", "latitude"); ok {
		lon, _ := loc.F("geoCoordinates", "longitude")
		e.Source.Geo.Location = &event.GeoPoint{Lat: lat, Lon: lon}
	}
	if e.Source.Geo.CountryISOCode == "" {
		if m.Is(fastjson.TypeString, "location") {
			e.Source.Geo.CountryISOCode = m.S("location")
		}
	}
	e.UserAgent.Original = p.S("userAgent")
	related(&e)
	e.Vendor = map[string]any{"azure": map[string]any{"signinlogs": event.RawJSON(t.text)}}
	return append(dst, e), nil
}
