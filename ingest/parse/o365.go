package parse

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseO365 handles one Office 365 Management Activity API record.
func parseO365(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	m := jobj{t: t, v: v}
	e := base(rec, t.text, "o365", "o365.audit")
	ts, ok := parseTime(m.S("CreationTime"))
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "o365 CreationTime %q", m.S("CreationTime"))
	}
	e.Timestamp = ts
	if id := m.S("Id"); id != "" {
		e.Event.ID = sourceID(SourceO365, id)
	} else {
		e.Event.ID = positionID(SourceO365, rec, 0)
	}
	if org := m.S("OrganizationId"); org != "" {
		e.Organization.ID = org
	}
	op := m.S("Operation")
	workload := m.S("Workload")
	e.Event.Action = op
	e.Event.Provider = workload
	// The organization is the tenant (organization.id), not a cloud
	// account: keying cloud-account correlation on it would group every
	// alert of the tenant together.
	e.Cloud = event.Cloud{Provider: "azure", Service: event.CloudService{Name: workload}}

	switch strings.ToLower(m.S("ResultStatus")) {
	case "succeeded", "success", "true", "partiallysucceeded":
		e.Event.Outcome = "success"
	case "failed", "failure", "false":
		e.Event.Outcome = "failure"
	}
	e.Event.Category, e.Event.Type = o365Category(workload, op)
	if op == "UserLoginFailed" {
		e.Event.Outcome = "failure"
	} else if op == "UserLoggedIn" && e.Event.Outcome == "" {
		e.Event.Outcome = "success"
	}

	uid := m.S("UserId")
	e.User.Name = uid
	e.User.ID = m.S("UserKey")
	e.User.Domain, e.User.Email = splitEmail(uid)

	ip, port := splitHostPort(first(m.S("ClientIP"), m.S("ActorIpAddress"), m.S("ClientIPAddress")))
	e.Source.IP, e.Source.Port = ip, port
	e.UserAgent.Original = first(m.S("UserAgent"), o365NameValue(m.A("ExtendedProperties"), "UserAgent"))

	// Target user: a sharing recipient, or the account an Azure AD
	// directory operation changed.
	target := m.S("TargetUserOrGroupName")
	if target == "" && workload == "AzureActiveDirectory" && strings.Contains(m.S("ObjectId"), "@") {
		target = m.S("ObjectId")
	}
	if target != "" && target != uid {
		t := &event.TargetUser{Name: target}
		_, t.Email = splitEmail(target)
		e.User.Target = t
	}

	// Files touched in SharePoint / OneDrive.
	if name := m.S("SourceFileName"); name != "" {
		e.File.Name = name
		e.File.Extension = m.S("SourceFileExtension")
		e.File.Directory = m.S("SourceRelativeUrl")
		e.File.Path = m.S("ObjectId")
	}
	if obj := m.S("ObjectId"); strings.HasPrefix(obj, "https://") || strings.HasPrefix(obj, "http://") {
		e.URL.Full = obj
		rest := obj[strings.Index(obj, "//")+2:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			e.URL.Domain, e.URL.Path = rest[:i], rest[i:]
		} else {
			e.URL.Domain = rest
		}
	}

	// Mailbox forwarding and inbox rules: where the mail goes.
	params := m.A("Parameters")
	for _, k := range []string{"ForwardTo", "ForwardingSmtpAddress", "ForwardingAddress", "RedirectTo", "ForwardAsAttachmentTo"} {
		if val := o365NameValue(params, k); val != "" {
			for _, addr := range strings.FieldsFunc(val, func(r rune) bool { return r == ';' || r == ',' }) {
				addr = strings.TrimPrefix(strings.TrimSpace(addr), "smtp:")
				addr = strings.TrimPrefix(addr, "SMTP:")
				e.Email.To = addUnique(e.Email.To, addr)
			}
		}
	}
	if s := m.S("Item", "Subject"); s != "" {
		e.Email.Subject = s
	}

	related(&e)
	e.Vendor = map[string]any{"o365": map[string]any{"audit": event.RawJSON(t.text)}}
	return append(dst, e), nil
}

// o365NameValue finds Value in a [{"Name":..,"Value":..}] list.
func o365NameValue(list []jobj, name string) string {
	for _, x := range list {
		if x.S("Name") == name {
			return x.S("Value")
		}
	}
	return ""
}

func o365Category(workload, op string) (cat, typ []string) {
	switch op {
	case "UserLoggedIn", "UserLoginFailed":
		return []string{"authentication"}, []string{"start"}
	case "Add user.":
		return []string{"iam"}, []string{"user", "creation"}
	case "Delete user.":
		return []string{"iam"}, []string{"user", "deletion"}
	case "Update user.", "Reset user password.", "Change user password.", "Set force change user password.":
		return []string{"iam"}, []string{"user", "change"}
	case "Add member to role.", "Add member to group.", "Remove member from role.", "Remove member from group.":
		return []string{"iam"}, []string{"group", "change"}
	case "New-InboxRule", "Set-InboxRule", "UpdateInboxRules", "Set-Mailbox", "New-TransportRule",
		"Set-TransportRule", "Add-MailboxPermission", "Add-RecipientPermission":
		return []string{"configuration", "email"}, []string{"change"}
	case "MailItemsAccessed", "MailboxLogin":
		return []string{"email"}, []string{"access"}
	case "Send", "SendAs", "SendOnBehalf":
		return []string{"email"}, []string{"info"}
	case "FileAccessed", "FilePreviewed", "FileDownloaded", "FileSyncDownloadedFull":
		return []string{"file"}, []string{"access"}
	case "FileUploaded", "FileSyncUploadedFull":
		return []string{"file"}, []string{"creation"}
	case "FileDeleted", "FileRecycled", "FileDeletedFirstStageRecycleBin":
		return []string{"file"}, []string{"deletion"}
	case "FileModified", "FileRenamed", "FileMoved":
		return []string{"file"}, []string{"change"}
	}
	switch {
	case strings.HasPrefix(op, "Sharing") || strings.Contains(op, "Link") || strings.HasPrefix(op, "AddedTo"):
		return []string{"file"}, []string{"access", "change"}
	case workload == "AzureActiveDirectory":
		return []string{"iam"}, []string{"info"}
	case workload == "Exchange":
		if strings.Contains(op, "-") {
			return []string{"configuration"}, []string{verbFromCmdlet(op)}
		}
		return []string{"email"}, []string{"info"}
	case workload == "SharePoint" || workload == "OneDrive":
		return []string{"file"}, []string{"info"}
	}
	return nil, []string{"info"}
}

// verbFromCmdlet maps a PowerShell cmdlet verb (New-, Set-, Remove-) to an
// ECS type.
func verbFromCmdlet(op string) string {
	switch strings.SplitN(op, "-", 2)[0] {
	case "New", "Add", "Enable":
		return "creation"
	case "Remove", "Disable":
		return "deletion"
	case "Get":
		return "access"
	}
	return "change"
}
