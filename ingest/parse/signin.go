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
	m := t.toMap(v)
	p := getM(m, "properties")
	if p == nil {
		p = m
	}
	cat := getS(m, "category")
	if cat != "" && !strings.HasSuffix(cat, "SignInLogs") {
		return dst, errorf(ReasonInvalid, "azure category %q is not a sign-in log", cat)
	}
	e := base(rec, t.text, "azure", "azure.signinlogs")
	ts, ok := parseTime(first(getS(p, "createdDateTime"), getS(m, "time")))
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "sign-in createdDateTime/time missing or malformed")
	}
	e.Timestamp = ts
	corr := first(getS(p, "correlationId"), getS(m, "correlationId"))
	upn := getS(p, "userPrincipalName")
	switch {
	case getS(p, "id") != "":
		e.Event.ID = sourceID(SourceSignIn, getS(p, "id"))
	case corr != "":
		e.Event.ID = sourceID(SourceSignIn, corr, ts.Format("2006-01-02T15:04:05.9999999Z"), upn)
	default:
		e.Event.ID = positionID(SourceSignIn, rec, 0)
	}
	if t := first(getS(m, "tenantId"), getS(p, "tenantId"), getS(p, "homeTenantId")); t != "" {
		e.Organization.ID = t
	}
	e.Event.Action = first(getS(m, "operationName"), "Sign-in activity")
	e.Event.Provider = "AzureActiveDirectory"
	e.Event.Category = []string{"authentication"}
	e.Event.Type = []string{"start"}
	if code, ok := getF(p, "status", "errorCode"); ok {
		if code == 0 {
			e.Event.Outcome = "success"
		} else {
			e.Event.Outcome = "failure"
		}
	} else if rt := getS(m, "resultType"); rt != "" {
		if rt == "0" {
			e.Event.Outcome = "success"
		} else {
			e.Event.Outcome = "failure"
		}
	}
	// The Entra tenant is organization.id, not a cloud account (see o365.go).
	e.Cloud = event.Cloud{Provider: "azure", Service: event.CloudService{Name: getS(p, "resourceDisplayName")}}

	e.User.Name = first(upn, getS(p, "servicePrincipalName"), getS(p, "servicePrincipalId"))
	e.User.ID = first(getS(p, "userId"), getS(p, "servicePrincipalId"))
	e.User.Domain, e.User.Email = splitEmail(upn)

	e.Source.IP = cleanIP(first(getS(p, "ipAddress"), getS(m, "callerIpAddress")))
	loc := getM(p, "location")
	e.Source.Geo = event.Geo{
		CountryISOCode: getS(loc, "countryOrRegion"),
		RegionName:     getS(loc, "state"),
		CityName:       getS(loc, "city"),
	}
	if lat, ok := getF(loc, "geoCoordinates", "latitude"); ok {
		lon, _ := getF(loc, "geoCoordinates", "longitude")
		e.Source.Geo.Location = &event.GeoPoint{Lat: lat, Lon: lon}
	}
	if e.Source.Geo.CountryISOCode == "" {
		if s, ok := getV(m, "location").(string); ok {
			e.Source.Geo.CountryISOCode = s
		}
	}
	e.UserAgent.Original = getS(p, "userAgent")
	related(&e)
	e.Vendor = map[string]any{"azure": map[string]any{"signinlogs": m}}
	return append(dst, e), nil
}
