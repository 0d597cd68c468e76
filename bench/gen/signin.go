package gen

import (
	"strconv"
	"time"
)

// signIn is one Entra ID sign-in.
type signIn struct {
	ts              time.Time
	u               *user
	ip              string
	loc             *location
	app, appID      string
	clientApp       string
	ua              string
	errorCode       int
	failure         string
	details         string
	interactive     bool
	risk, riskState string
	caStatus        string
	authReq         string
	mfaMethod       string
	managed         bool
	os, browser     string
}

var signInApps = [][2]string{
	{"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"},
	{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"},
	{"Office365 Shell WCSS-Client", "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7"},
	{"OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"},
	{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"},
	{"SharePoint Online Web Client Extensibility", "08e18876-6177-487e-b8b5-cf950c1e598c"},
	{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"},
}

var signInErrors = map[int]string{
	0:      "",
	50126:  "Error validating credentials due to invalid username or password.",
	50053:  "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
	50074:  "Strong Authentication is required.",
	50140:  "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
	500121: "Authentication failed during strong authentication request.",
}

func (g *Generator) signIn(t *tenant, s *signIn) Record {
	r := &g.r
	e := g.begin()
	e.obj()
	e.time("time", s.ts, layoutAzure)
	e.str("resourceId", "/tenants/"+t.orgID+"/providers/Microsoft.aadiam")
	e.str("operationName", "Sign-in activity")
	e.str("operationVersion", "1.0")
	e.str("category", "SignInLogs")
	e.str("tenantId", t.orgID)
	e.str("resultType", strconv.Itoa(s.errorCode))
	if s.errorCode == 0 {
		e.str("resultSignature", "None")
	} else {
		e.str("resultSignature", "None")
		e.str("resultDescription", s.failure)
	}
	e.str("durationMs", "0")
	e.str("callerIpAddress", s.ip)
	corr := r.uuid()
	e.str("correlationId", corr)
	e.str("identity", s.u.display)
	e.str("Level", "4")
	e.str("location", s.loc.country)
	e.objK("properties")
	id := r.uuid()
	e.str("id", id)
	e.time("createdDateTime", s.ts, layoutAzure)
	e.str("userDisplayName", s.u.display)
	e.str("userPrincipalName", s.u.upn)
	e.str("userId", s.u.objectID)
	e.str("userType", "Member")
	e.str("appId", s.appID)
	e.str("appDisplayName", s.app)
	e.str("ipAddress", s.ip)
	e.str("clientAppUsed", s.clientApp)
	e.str("userAgent", s.ua)
	e.str("correlationId", corr)
	e.str("conditionalAccessStatus", s.caStatus)
	e.str("originalRequestId", id)
	e.bool("isInteractive", s.interactive)
	e.str("tokenIssuerName", "")
	e.str("tokenIssuerType", "AzureAD")
	e.int("processingTimeInMilliseconds", int64(40+r.intn(400)))
	e.str("riskDetail", "none")
	e.str("riskLevelAggregated", s.risk)
	e.str("riskLevelDuringSignIn", s.risk)
	e.str("riskState", s.riskState)
	e.arrK("riskEventTypes_v2")
	if s.risk != "none" {
		e.astr("unfamiliarFeatures")
		e.astr("anonymizedIPAddress")
	}
	e.endArr()
	e.str("resourceDisplayName", "Office 365 Exchange Online")
	e.str("resourceId", "00000002-0000-0ff1-ce00-000000000000")
	e.str("resourceTenantId", t.orgID)
	e.str("homeTenantId", t.orgID)
	e.str("authenticationRequirement", s.authReq)
	e.objK("status")
	e.int("errorCode", int64(s.errorCode))
	if s.errorCode != 0 {
		e.str("failureReason", s.failure)
	}
	if s.details != "" {
		e.str("additionalDetails", s.details)
	}
	e.end()
	e.objK("deviceDetail")
	if s.managed {
		e.str("deviceId", deviceID(s.u))
		e.str("displayName", "WKSTN-"+s.u.sam)
		e.str("trustType", "Hybrid Azure AD joined")
		e.bool("isManaged", true)
		e.bool("isCompliant", true)
	} else {
		e.str("deviceId", "")
		e.bool("isManaged", false)
		e.bool("isCompliant", false)
	}
	e.str("operatingSystem", s.os)
	e.str("browser", s.browser)
	e.end()
	e.objK("location")
	e.str("city", s.loc.city)
	e.str("state", s.loc.state)
	e.str("countryOrRegion", s.loc.country)
	e.objK("geoCoordinates")
	e.float("latitude", s.loc.lat, 4)
	e.float("longitude", s.loc.lon, 4)
	e.end()
	e.end()
	if s.mfaMethod != "" {
		e.objK("mfaDetail")
		e.str("authMethod", s.mfaMethod)
		e.str("authDetail", "")
		e.end()
	}
	e.end()
	e.end()
	return g.finish(SourceSignIn, t, s.ts, s.u.upn)
}

func deviceID(u *user) string {
	// Stable per user: the object id with its first group rotated.
	return u.objectID[9:18] + u.objectID[:9] + u.objectID[18:]
}

var signInUAs = []struct{ ua, os, browser string }{
	{browserUAs[0], "Windows10", "Chrome 124.0.0"},
	{browserUAs[1], "Windows10", "Edge 124.0.0"},
	{browserUAs[2], "MacOs", "Safari 17.4.1"},
	{browserUAs[3], "Ios 17.4.1", "Mobile Safari"},
}

func noiseSignIn(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	u := t.randomUser(r)
	app := pick(r, signInApps)
	ua := pick(r, signInUAs)
	s := signIn{
		ts: ts, u: u, loc: u.loc, app: app[0], appID: app[1], clientApp: "Browser", ua: ua.ua, os: ua.os, browser: ua.browser,
		interactive: r.chance(0.4), risk: "none", riskState: "none", caStatus: "success",
		authReq: "singleFactorAuthentication", managed: ua.os == "Windows10",
	}
	s.ip = t.userIP(r, u)
	if r.chance(0.3) {
		s.clientApp = "Mobile Apps and Desktop clients"
	}
	if s.interactive {
		s.authReq = "multiFactorAuthentication"
		s.mfaMethod = "Mobile app notification"
		s.details = "MFA requirement satisfied by claim in the token"
	}
	switch x := r.intn(100); {
	case x < 3:
		s.errorCode = 50126
	case x < 5:
		s.errorCode = 50140
	case x < 6:
		s.errorCode = 50074
		s.details = "MFA required in Azure AD"
	}
	if s.errorCode != 0 {
		s.failure = signInErrors[s.errorCode]
		s.caStatus = "notApplied"
		s.mfaMethod = ""
		s.interactive = true
	}
	return g.signIn(t, &s)
}
