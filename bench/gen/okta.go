package gen

import (
	"time"
)

// oktaEvent is one System Log event. target is a list of (id, type,
// alternateId, displayName).
type oktaEvent struct {
	ts                time.Time
	eventType, legacy string
	message           string
	severity          string
	actor             *user
	actorAdmin        bool
	ip                string
	loc               *location
	asn               int
	asOrg             string
	ua                string
	result, reason    string
	targets           [][4]string
	debug             [][2]string
	factor            string
	session           string
}

func (g *Generator) okta(t *tenant, ev *oktaEvent) Record {
	r := &g.r
	e := g.begin()
	e.obj()
	e.key("uuid")
	e.b = r.appendUUID(append(e.b, '"'))
	e.b = append(e.b, '"')
	e.time("published", ev.ts, layoutOkta)
	e.str("eventType", ev.eventType)
	e.str("version", "0")
	e.str("severity", ev.severity)
	if ev.legacy != "" {
		e.str("legacyEventType", ev.legacy)
	}
	e.str("displayMessage", ev.message)
	e.objK("actor")
	e.str("id", ev.actor.oktaID)
	e.str("type", "User")
	e.str("alternateId", ev.actor.upn)
	e.str("displayName", ev.actor.display)
	e.null("detailEntry")
	e.end()
	e.objK("client")
	e.objK("userAgent")
	e.str("rawUserAgent", ev.ua)
	e.str("os", "Windows 10")
	e.str("browser", "CHROME")
	e.end()
	e.str("zone", "null")
	e.str("device", "Computer")
	e.null("id")
	e.str("ipAddress", ev.ip)
	e.objK("geographicalContext")
	e.str("city", ev.loc.city)
	e.str("state", ev.loc.state)
	e.str("country", ev.loc.countryName)
	e.str("postalCode", "")
	e.objK("geolocation")
	e.float("lat", ev.loc.lat, 4)
	e.float("lon", ev.loc.lon, 4)
	e.end()
	e.end()
	e.end()
	e.objK("authenticationContext")
	e.null("authenticationProvider")
	e.null("credentialProvider")
	e.null("credentialType")
	e.null("issuer")
	e.int("authenticationStep", 0)
	e.str("externalSessionId", ev.session)
	e.null("interface")
	e.end()
	e.objK("outcome")
	e.str("result", ev.result)
	if ev.reason == "" {
		e.null("reason")
	} else {
		e.str("reason", ev.reason)
	}
	e.end()
	e.objK("securityContext")
	e.int("asNumber", int64(ev.asn))
	e.str("asOrg", ev.asOrg)
	e.str("isp", ev.asOrg)
	e.str("domain", "")
	e.bool("isProxy", false)
	e.end()
	e.arrK("target")
	for _, tg := range ev.targets {
		e.aobj()
		e.str("id", tg[0])
		e.str("type", tg[1])
		e.str("alternateId", tg[2])
		e.str("displayName", tg[3])
		e.null("detailEntry")
		e.end()
	}
	e.endArr()
	e.objK("transaction")
	e.str("type", "WEB")
	e.str("id", r.chars(alnum, 27))
	e.objK("detail")
	e.end()
	e.end()
	e.objK("debugContext")
	e.objK("debugData")
	e.str("requestId", r.chars(alnum, 27))
	for _, kv := range ev.debug {
		e.str(kv[0], kv[1])
	}
	if ev.factor != "" {
		e.str("factor", ev.factor)
	}
	e.end()
	e.end()
	e.objK("request")
	e.arrK("ipChain")
	e.aobj()
	e.str("ip", ev.ip)
	e.str("version", "V4")
	e.null("source")
	e.end()
	e.endArr()
	e.end()
	e.end()
	return g.finish(SourceOkta, t, ev.ts, ev.actor.upn)
}

var oktaApps = [][2]string{
	{"0oa1slack", "Slack"}, {"0oa2github", "GitHub Enterprise Cloud"}, {"0oa3aws", "AWS IAM Identity Center"},
	{"0oa4sfdc", "Salesforce.com"}, {"0oa5zoom", "Zoom"}, {"0oa6jira", "Atlassian Cloud"},
}

// oktaOrigin fills in where a tenant user's request comes from.
func (ev *oktaEvent) fromUser(r *rng, t *tenant, u *user) {
	ev.actor = u
	ev.ip = t.userIP(r, u)
	ev.loc = u.loc
	ev.asn, ev.asOrg = 7922, "comcast cable communications llc"
	if u.loc.country == "GB" {
		ev.asn, ev.asOrg = 5089, "virgin media limited"
	}
	ev.ua = browserUAs[0]
	ev.session = "102" + u.oktaID[3:12] + "sess"
}

func noiseOkta(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	u := t.randomUser(r)
	ev := oktaEvent{ts: ts, severity: "INFO", result: "SUCCESS"}
	ev.fromUser(r, t, u)
	switch x := r.intn(100); {
	case x < 30:
		ev.eventType, ev.legacy, ev.message = "user.authentication.sso", "app.auth.sso", "User single sign on to app"
		app := pick(r, oktaApps)
		ev.targets = [][4]string{{app[0] + r.chars(alnum, 10), "AppInstance", app[1], app[1]}}
	case x < 50:
		ev.eventType, ev.legacy, ev.message = "user.session.start", "core.user_auth.login_success", "User login to Okta"
		ev.reason = ""
		ev.debug = [][2]string{{"requestUri", "/idp/idx/identify"}, {"url", "/idp/idx/identify?"}}
	case x < 62:
		ev.eventType, ev.message = "system.push.send_factor_verify_push", "A push was sent to a user for verification"
		ev.targets = [][4]string{{u.oktaID, "User", u.upn, u.display}}
	case x < 78:
		ev.eventType, ev.legacy, ev.message = "user.authentication.auth_via_mfa", "core.user.factor.attempt_success", "Authentication of user via MFA"
		ev.factor = "OKTA_VERIFY_PUSH"
		ev.targets = [][4]string{{"pfd" + r.chars(alnum, 17), "AuthenticatorEnrollment", "unknown", "Okta Verify"}}
	case x < 92:
		ev.eventType, ev.message = "policy.evaluate_sign_on", "Evaluation of sign-on policy"
		ev.targets = [][4]string{{"rul" + r.chars(alnum, 17), "Rule", "Catch-all Rule", "Catch-all Rule"}}
		ev.debug = [][2]string{{"behaviors", "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"}}
	case x < 97:
		ev.eventType, ev.legacy, ev.message = "user.session.start", "core.user_auth.login_failed", "User login to Okta"
		ev.result, ev.reason, ev.severity = "FAILURE", "INVALID_CREDENTIALS", "WARN"
	case x < 99:
		ev.eventType, ev.message = "user.session.end", "User logout from Okta"
	default:
		admin := &t.users[r.intn(8)]
		ev.fromUser(r, t, admin)
		ev.eventType, ev.message = "policy.lifecycle.update", "Update policy"
		ev.targets = [][4]string{{"00p" + r.chars(alnum, 17), "PolicyEntity", "Default Policy", "Default Policy"}}
	}
	return g.okta(t, &ev)
}
