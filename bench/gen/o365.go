package gen

import (
	"strconv"
	"time"
)

// Office 365 Management Activity record types.
const (
	rtExchangeAdmin   = 1
	rtExchangeItem    = 2
	rtSharePointFile  = 6
	rtAzureADAccount  = 8
	rtAzureADLogon    = 15
	rtMailItemsAccess = 50
)

// o365Head opens a Management Activity record and writes the common schema.
// ResultStatus is left out when empty, as SharePoint records do.
func (g *Generator) o365Head(t *tenant, ts time.Time, op string, recType int, workload, userKey, userID, clientIP, objectID, result string) *enc {
	e := g.begin()
	e.obj()
	e.time("CreationTime", ts, layoutO365)
	e.key("Id")
	e.b = g.r.appendUUID(append(e.b, '"'))
	e.b = append(e.b, '"')
	e.str("Operation", op)
	e.str("OrganizationId", t.orgID)
	e.int("RecordType", int64(recType))
	if result != "" {
		e.str("ResultStatus", result)
	}
	e.str("UserKey", userKey)
	e.int("UserType", 0)
	e.int("Version", 1)
	e.str("Workload", workload)
	e.str("ClientIP", clientIP)
	if objectID != "" {
		e.str("ObjectId", objectID)
	}
	e.str("UserId", userID)
	return e
}

var officeFiles = []struct{ name, ext, folder string }{
	{"Q3 Forecast.xlsx", "xlsx", "Shared Documents/Planning"},
	{"Board Deck FY25.pptx", "pptx", "Shared Documents/Board"},
	{"Vendor Contract - Northwind.docx", "docx", "Shared Documents/Contracts"},
	{"Payroll_2024_04.csv", "csv", "Shared Documents/Payroll"},
	{"Onboarding Checklist.docx", "docx", "Shared Documents/HR"},
	{"Architecture Overview.pdf", "pdf", "Shared Documents/Design"},
	{"Customer List EMEA.xlsx", "xlsx", "Shared Documents/Sales"},
	{"Incident Runbook.docx", "docx", "Shared Documents/IT"},
	{"Brand Guidelines.pdf", "pdf", "Shared Documents/Marketing"},
	{"Expense Report April.xlsx", "xlsx", "Shared Documents/Finance"},
	{"Team Offsite Agenda.docx", "docx", "Shared Documents/General"},
	{"Pricing Model v7.xlsx", "xlsx", "Shared Documents/Sales"},
}

var browserUAs = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17425; Pro)",
}

// o365File writes a SharePoint or OneDrive file operation.
func (g *Generator) o365File(t *tenant, ts time.Time, op string, u *user, ip, ua string, site string, fileIdx int) Record {
	f := officeFiles[fileIdx%len(officeFiles)]
	var siteURL, workload, rel string
	if site == "" {
		siteURL, workload, rel = t.oneDriveURL(u), "OneDrive", "Documents"
	} else {
		siteURL, workload, rel = t.siteURL(site), "SharePoint", f.folder
	}
	e := g.o365Head(t, ts, op, rtSharePointFile, workload, "i:0h.f|membership|"+u.puid+"@live.com", u.upn, ip, siteURL+rel+"/"+f.name, "")
	e.str("EventSource", "SharePoint")
	e.str("ItemType", "File")
	e.str("UserAgent", ua)
	e.str("SiteUrl", siteURL)
	e.str("SourceRelativeUrl", rel)
	e.str("SourceFileName", f.name)
	e.str("SourceFileExtension", f.ext)
	e.key("ListItemUniqueId")
	e.b = g.r.appendUUID(append(e.b, '"'))
	e.b = append(e.b, '"')
	e.end()
	return g.finish(SourceO365, t, ts, u.upn)
}

// o365Login writes an Entra ID logon as the unified audit log records it.
func (g *Generator) o365Login(t *tenant, ts time.Time, u *user, ip, ua string, ok bool, logonError string) Record {
	op, result := "UserLoggedIn", "Success"
	if !ok {
		op, result = "UserLoginFailed", "Failed"
	}
	e := g.o365Head(t, ts, op, rtAzureADLogon, "AzureActiveDirectory", u.objectID, u.upn, ip, "00000003-0000-0000-c000-000000000000", result)
	e.int("AzureActiveDirectoryEventType", 1)
	e.arrK("ExtendedProperties")
	for _, kv := range [...][2]string{{"ResultStatusDetail", "Success"}, {"UserAgent", ua}, {"RequestType", "OAuth2:Authorize"}} {
		e.aobj()
		e.str("Name", kv[0])
		if kv[0] == "ResultStatusDetail" && !ok {
			e.str("Value", "Redirect")
		} else {
			e.str("Value", kv[1])
		}
		e.end()
	}
	e.endArr()
	e.str("ActorIpAddress", ip)
	e.arrK("Actor")
	e.aobj()
	e.str("ID", u.objectID)
	e.int("Type", 0)
	e.end()
	e.aobj()
	e.str("ID", u.upn)
	e.int("Type", 5)
	e.end()
	e.endArr()
	e.str("ActorContextId", t.orgID)
	e.str("InterSystemsId", g.r.uuid())
	e.str("IntraSystemId", g.r.uuid())
	e.str("ApplicationId", "4765445b-32c6-49b0-83e6-1d93765276ca")
	if !ok {
		e.str("LogonError", logonError)
	}
	e.arrK("Target")
	e.aobj()
	e.str("ID", "00000003-0000-0000-c000-000000000000")
	e.int("Type", 0)
	e.end()
	e.endArr()
	e.str("TargetContextId", t.orgID)
	e.end()
	return g.finish(SourceO365, t, ts, u.upn)
}

// exchangeClientIP is how Exchange admin audit records carry the client:
// address and port.
func exchangeClientIP(r *rng, ip string) string {
	return ip + ":" + strconv.Itoa(r.rangeInt(1025, 65000))
}

// o365Cmdlet writes an Exchange admin cmdlet record with its parameters.
func (g *Generator) o365Cmdlet(t *tenant, ts time.Time, u *user, ip, cmdlet, objectID string, params [][2]string) Record {
	e := g.o365Head(t, ts, cmdlet, rtExchangeAdmin, "Exchange", u.puid, u.upn, exchangeClientIP(&g.r, ip), objectID, "True")
	e.str("AppId", "")
	e.str("ClientAppId", "")
	e.str("ExternalAccess", "false")
	e.str("OrganizationName", t.name+".onmicrosoft.com")
	e.str("OriginatingServer", "BN8PR12MB"+g.r.chars("0123456789", 4)+" (15.20.7452.049)")
	e.arrK("Parameters")
	for _, p := range params {
		e.aobj()
		e.str("Name", p[0])
		e.str("Value", p[1])
		e.end()
	}
	e.endArr()
	e.str("SessionId", g.r.uuid())
	e.end()
	return g.finish(SourceO365, t, ts, u.upn)
}

var consentApps = []string{"Zoom for Outlook", "Calendly", "Grammarly", "Miro", "DocuSign", "Adobe Acrobat"}

// o365Consent writes "Consent to application." for app with the scopes.
func (g *Generator) o365Consent(t *tenant, ts time.Time, u *user, ip, app, scopes string, admin bool) Record {
	spID := g.r.uuid()
	e := g.o365Head(t, ts, "Consent to application.", rtAzureADAccount, "AzureActiveDirectory", u.objectID, u.upn, ip, spID, "Success")
	e.int("AzureActiveDirectoryEventType", 1)
	e.arrK("ExtendedProperties")
	e.aobj()
	e.str("Name", "additionalDetails")
	e.str("Value", `{"User-Agent":"EvoSTS"}`)
	e.end()
	e.aobj()
	e.str("Name", "extendedAuditEventCategory")
	e.str("Value", "ServicePrincipal")
	e.end()
	e.endArr()
	e.arrK("ModifiedProperties")
	e.aobj()
	e.str("Name", "ConsentContext.IsAdminConsent")
	e.str("NewValue", strconv.FormatBool(admin))
	e.str("OldValue", "")
	e.end()
	e.aobj()
	e.str("Name", "ConsentContext.OnBehalfOfAll")
	e.str("NewValue", strconv.FormatBool(admin))
	e.str("OldValue", "")
	e.end()
	e.aobj()
	e.str("Name", "ConsentAction.Permissions")
	e.str("NewValue", "[] => [[Id: "+g.r.chars(alnum, 43)+", ClientId: "+spID+", PrincipalId: "+u.objectID+
		", ResourceId: "+g.r.uuid()+", ConsentType: Principal, Scope:  "+scopes+", CreatedDateTime: , LastModifiedDateTime ]]; ")
	e.str("OldValue", "")
	e.end()
	e.endArr()
	e.arrK("Actor")
	e.aobj()
	e.str("ID", u.upn)
	e.int("Type", 5)
	e.end()
	e.aobj()
	e.str("ID", u.objectID)
	e.int("Type", 3)
	e.end()
	e.endArr()
	e.str("ActorContextId", t.orgID)
	e.arrK("Target")
	e.aobj()
	e.str("ID", "ServicePrincipal_"+spID)
	e.int("Type", 2)
	e.end()
	e.aobj()
	e.str("ID", app)
	e.int("Type", 1)
	e.end()
	e.endArr()
	e.str("TargetContextId", t.orgID)
	e.end()
	return g.finish(SourceO365, t, ts, u.upn)
}

var fileOps = []string{"FileAccessed", "FileAccessed", "FileAccessed", "FilePreviewed", "FileModified", "FileUploaded", "FileAccessedExtended", "FileDownloaded"}

func noiseO365(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	u := t.randomUser(r)
	ip := t.userIP(r, u)
	switch x := r.intn(100); {
	case x < 62:
		site := ""
		if r.chance(0.7) {
			site = pick(r, t.sites)
		}
		return g.o365File(t, ts, pick(r, fileOps), u, ip, browserUAs[r.intn(3)], site, r.intn(len(officeFiles)))
	case x < 80:
		e := g.o365Head(t, ts, "MailItemsAccessed", rtMailItemsAccess, "Exchange", u.puid, u.upn, ip, "", "Succeeded")
		e.str("ClientInfoString", "Client=OutlookService;Outlook/16.0;")
		e.str("MailboxOwnerUPN", u.upn)
		e.str("MailboxGuid", r.uuid())
		e.str("LogonType", "0")
		e.arrK("OperationProperties")
		e.aobj()
		e.str("Name", "MailAccessType")
		e.str("Value", "Bind")
		e.end()
		e.aobj()
		e.str("Name", "IsThrottled")
		e.str("Value", "False")
		e.end()
		e.endArr()
		e.end()
		return g.finish(SourceO365, t, ts, u.upn)
	case x < 97:
		return g.o365Login(t, ts, u, ip, pick(r, browserUAs), true, "")
	case x < 99:
		return g.o365Login(t, ts, u, ip, pick(r, browserUAs), false, "InvalidUserNameOrPassword")
	default:
		return g.o365Consent(t, ts, u, ip, pick(r, consentApps), "User.Read openid profile offline_access", false)
	}
}
