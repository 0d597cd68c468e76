package gen

import (
	"strconv"
	"time"
)

const (
	chanSecurity = "Security"
	chanSystem   = "System"
	chanSysmon   = "Microsoft-Windows-Sysmon/Operational"
)

type winProvider struct{ name, guid string }

var (
	provSecurity = winProvider{"Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}"}
	provSysmon   = winProvider{"Microsoft-Windows-Sysmon", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"}
	provSCM      = winProvider{"Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}"}
	provEventlog = winProvider{"Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"}
)

var winTasks = map[int]string{
	4624: "12544", 4625: "12544", 4634: "12545", 4672: "12548", 4688: "13312", 4698: "12804",
	4720: "13824", 4732: "13826", 5145: "12811", 7045: "0", 1102: "104",
}

// winHead opens a Windows event in the flat form of public attack datasets
// (one JSON object, system fields and event data side by side).
func (g *Generator) winHead(h *winHost, ts time.Time, id int, channel string, p winProvider, failure bool) *enc {
	e := g.begin()
	e.obj()
	e.time("@timestamp", ts, layoutWindows)
	e.int("EventID", int64(id))
	e.str("Channel", channel)
	e.str("Hostname", h.fqdn)
	e.str("SourceName", p.name)
	e.str("ProviderGuid", p.guid)
	h.recordID++
	e.int("EventRecordID", h.recordID)
	if channel == chanSysmon {
		e.str("Task", strconv.Itoa(id))
		e.str("Keywords", "0x8000000000000000")
		e.str("Level", "4")
	} else {
		e.str("Task", winTasks[id])
		switch {
		case channel == chanSystem:
			e.str("Keywords", "0x8080000000000000")
		case failure:
			e.str("Keywords", "0x8010000000000000")
		default:
			e.str("Keywords", "0x8020000000000000")
		}
		e.str("Level", "0")
	}
	e.int("ExecutionProcessID", 4+int64(h.guidSeed%900)*4)
	return e
}

func (g *Generator) winDone(t *tenant, h *winHost, ts time.Time, key string) Record {
	g.e.end()
	if key == "" {
		key = h.name
	}
	return g.finish(SourceWindows, t, ts, key)
}

func hexID(v int64) string { return "0x" + strconv.FormatInt(v, 16) }

// logon is a 4624 / 4625 / 4634.
type logon struct {
	id                int // 4624, 4625, 4634
	user, domain, sid string
	logonType         int
	ip, workstation   string
	port              int
	process, authPkg  string
	logonID           int64
	status, subStatus string // 4625 only
}

func (g *Generator) winLogon(t *tenant, h *winHost, ts time.Time, l *logon) Record {
	e := g.winHead(h, ts, l.id, chanSecurity, provSecurity, l.id == 4625)
	if l.id != 4634 {
		e.str("SubjectUserSid", "S-1-5-18")
		e.str("SubjectUserName", h.name+"$")
		e.str("SubjectDomainName", t.adDomain)
		e.str("SubjectLogonId", "0x3e7")
	}
	e.str("TargetUserSid", l.sid)
	e.str("TargetUserName", l.user)
	e.str("TargetDomainName", l.domain)
	e.str("TargetLogonId", hexID(l.logonID))
	e.str("LogonType", strconv.Itoa(l.logonType))
	if l.id != 4634 {
		e.str("LogonProcessName", l.process)
		e.str("AuthenticationPackageName", l.authPkg)
		e.str("WorkstationName", l.workstation)
		e.str("IpAddress", l.ip)
		if l.port == 0 {
			e.str("IpPort", "-")
		} else {
			e.intStr("IpPort", int64(l.port))
		}
		e.str("ProcessName", "-")
		if l.id == 4625 {
			e.str("Status", l.status)
			e.str("SubStatus", l.subStatus)
			e.str("FailureReason", "%%2313")
		} else {
			e.str("ImpersonationLevel", "%%1833")
			e.str("ElevatedToken", "%%1842")
			e.str("VirtualAccount", "%%1843")
			e.str("KeyLength", "0")
			e.str("LogonGuid", "{00000000-0000-0000-0000-000000000000}")
		}
	}
	return g.winDone(t, h, ts, l.user)
}

// proc is a process start: Sysmon 1 and Security 4688.
type proc struct {
	image, cmd, parent, parentCmd string
	user, domain                  string // ACME, jdoe
	integrity                     string
	pid, ppid                     int
	company, product, desc, orig  string
}

func (g *Generator) sysmonGUID(h *winHost) string {
	r := &g.r
	b := make([]byte, 0, 38)
	b = append(b, '{')
	b = strconv.AppendUint(b, uint64(h.guidSeed)|1<<28, 16)[:9]
	b = append(b, '-')
	b = r.appendChars(b, hexLower, 4)
	b = append(b, '-')
	b = r.appendChars(b, hexLower, 4)
	b = append(b, "-0000-0010"...)
	b = r.appendChars(b, hexLower, 8)
	b = append(b, '}')
	return string(b)
}

func (g *Generator) sysmon1(t *tenant, h *winHost, ts time.Time, p *proc) Record {
	r := &g.r
	e := g.winHead(h, ts, 1, chanSysmon, provSysmon, false)
	e.str("RuleName", "-")
	e.time("UtcTime", ts, layoutSysmonUTC)
	e.str("ProcessGuid", g.sysmonGUID(h))
	e.intStr("ProcessId", int64(p.pid))
	e.str("Image", p.image)
	e.str("FileVersion", "10.0.19041.1")
	e.str("Description", p.desc)
	e.str("Product", p.product)
	e.str("Company", p.company)
	e.str("OriginalFileName", p.orig)
	e.str("CommandLine", p.cmd)
	e.str("CurrentDirectory", "C:\\Windows\\system32\\")
	e.str("User", p.domain+"\\"+p.user)
	e.str("LogonGuid", g.sysmonGUID(h))
	e.str("LogonId", hexID(int64(0x10000+r.intn(0xfffff))))
	e.str("TerminalSessionId", "1")
	e.str("IntegrityLevel", p.integrity)
	e.key("Hashes")
	e.b = append(e.b, `"SHA1=`...)
	e.b = r.appendChars(e.b, hexUpper, 40)
	e.b = append(e.b, ",MD5="...)
	e.b = r.appendChars(e.b, hexUpper, 32)
	e.b = append(e.b, ",SHA256="...)
	e.b = r.appendChars(e.b, hexUpper, 64)
	e.b = append(e.b, ",IMPHASH="...)
	e.b = r.appendChars(e.b, hexUpper, 32)
	e.b = append(e.b, '"')
	e.str("ParentProcessGuid", g.sysmonGUID(h))
	e.intStr("ParentProcessId", int64(p.ppid))
	e.str("ParentImage", p.parent)
	e.str("ParentCommandLine", p.parentCmd)
	e.str("ParentUser", p.domain+"\\"+p.user)
	return g.winDone(t, h, ts, p.user)
}

func (g *Generator) win4688(t *tenant, h *winHost, ts time.Time, p *proc, sid string) Record {
	e := g.winHead(h, ts, 4688, chanSecurity, provSecurity, false)
	e.str("SubjectUserSid", sid)
	e.str("SubjectUserName", p.user)
	e.str("SubjectDomainName", p.domain)
	e.str("SubjectLogonId", hexID(int64(0x10000+g.r.intn(0xfffff))))
	e.str("NewProcessId", hexID(int64(p.pid)))
	e.str("NewProcessName", p.image)
	e.str("TokenElevationType", "%%1938")
	e.str("ProcessId", hexID(int64(p.ppid)))
	e.str("CommandLine", p.cmd)
	e.str("TargetUserSid", "S-1-0-0")
	e.str("TargetUserName", "-")
	e.str("TargetDomainName", "-")
	e.str("TargetLogonId", "0x0")
	e.str("ParentProcessName", p.parent)
	e.str("MandatoryLabel", "S-1-16-8192")
	return g.winDone(t, h, ts, p.user)
}

// netConn is a Sysmon 3.
type netConn struct {
	image, user, domain string
	pid                 int
	srcIP               string
	srcPort             int
	dstIP, dstHost      string
	dstPort             int
}

func (g *Generator) sysmon3(t *tenant, h *winHost, ts time.Time, c *netConn) Record {
	e := g.winHead(h, ts, 3, chanSysmon, provSysmon, false)
	e.str("RuleName", "-")
	e.time("UtcTime", ts, layoutSysmonUTC)
	e.str("ProcessGuid", g.sysmonGUID(h))
	e.intStr("ProcessId", int64(c.pid))
	e.str("Image", c.image)
	e.str("User", c.domain+"\\"+c.user)
	e.str("Protocol", "tcp")
	e.str("Initiated", "true")
	e.str("SourceIsIpv6", "false")
	e.str("SourceIp", c.srcIP)
	e.str("SourceHostname", h.fqdn)
	e.intStr("SourcePort", int64(c.srcPort))
	e.str("SourcePortName", "-")
	e.str("DestinationIsIpv6", "false")
	e.str("DestinationIp", c.dstIP)
	e.str("DestinationHostname", c.dstHost)
	e.intStr("DestinationPort", int64(c.dstPort))
	if c.dstPort == 443 {
		e.str("DestinationPortName", "https")
	} else if c.dstPort == 80 {
		e.str("DestinationPortName", "http")
	} else {
		e.str("DestinationPortName", "-")
	}
	return g.winDone(t, h, ts, c.user)
}

func (g *Generator) sysmon10(t *tenant, h *winHost, ts time.Time, src string, srcPID int, target string, targetPID int, access, user, callTrace string) Record {
	e := g.winHead(h, ts, 10, chanSysmon, provSysmon, false)
	e.str("RuleName", "-")
	e.time("UtcTime", ts, layoutSysmonUTC)
	e.str("SourceProcessGUID", g.sysmonGUID(h))
	e.intStr("SourceProcessId", int64(srcPID))
	e.intStr("SourceThreadId", int64(srcPID+4+g.r.intn(4000)))
	e.str("SourceImage", src)
	e.str("TargetProcessGUID", g.sysmonGUID(h))
	e.intStr("TargetProcessId", int64(targetPID))
	e.str("TargetImage", target)
	e.str("GrantedAccess", access)
	e.str("CallTrace", callTrace)
	e.str("SourceUser", user)
	e.str("TargetUser", "NT AUTHORITY\\SYSTEM")
	return g.winDone(t, h, ts, "")
}

func (g *Generator) win7045(t *tenant, h *winHost, ts time.Time, name, image, start, account string) Record {
	e := g.winHead(h, ts, 7045, chanSystem, provSCM, false)
	e.str("ServiceName", name)
	e.str("ImagePath", image)
	e.str("ServiceType", "user mode service")
	e.str("StartType", start)
	e.str("AccountName", account)
	return g.winDone(t, h, ts, "")
}

func (g *Generator) win1102(t *tenant, h *winHost, ts time.Time, u *user) Record {
	e := g.winHead(h, ts, 1102, chanSecurity, provEventlog, false)
	e.str("SubjectUserSid", u.sid)
	e.str("SubjectUserName", u.sam)
	e.str("SubjectDomainName", t.adDomain)
	e.str("SubjectLogonId", hexID(int64(0x10000+g.r.intn(0xfffff))))
	return g.winDone(t, h, ts, u.sam)
}

func (g *Generator) win5145(t *tenant, h *winHost, ts time.Time, u *user, ip, share, rel, mask string) Record {
	e := g.winHead(h, ts, 5145, chanSecurity, provSecurity, false)
	e.str("SubjectUserSid", u.sid)
	e.str("SubjectUserName", u.sam)
	e.str("SubjectDomainName", t.adDomain)
	e.str("SubjectLogonId", hexID(int64(0x10000+g.r.intn(0xfffff))))
	e.str("ObjectType", "File")
	e.str("IpAddress", ip)
	e.intStr("IpPort", int64(g.r.rangeInt(49152, 65535)))
	e.str("ShareName", share)
	e.str("ShareLocalPath", shareLocalPath(share))
	e.str("RelativeTargetName", rel)
	e.str("AccessMask", mask)
	e.str("AccessList", "%%1538\n\t\t\t\t%%1541\n\t\t\t\t%%4416\n\t\t\t\t")
	e.str("AccessReason", "-")
	return g.winDone(t, h, ts, u.sam)
}

func shareLocalPath(share string) string {
	switch share {
	case "\\\\*\\ADMIN$":
		return "\\??\\C:\\Windows"
	case "\\\\*\\C$":
		return "\\??\\C:\\"
	case "\\\\*\\SYSVOL":
		return "\\??\\C:\\Windows\\SYSVOL\\sysvol"
	case "\\\\*\\IPC$":
		return ""
	}
	return "\\??\\D:\\Shares\\" + share[4:]
}

var normalProcs = []proc{
	{image: `C:\Program Files\Google\Chrome\Application\chrome.exe`, cmd: `"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=27 --mojo-platform-channel-handle=5172 /prefetch:1`, parent: `C:\Program Files\Google\Chrome\Application\chrome.exe`, parentCmd: `"C:\Program Files\Google\Chrome\Application\chrome.exe"`, company: "Google LLC", product: "Google Chrome", desc: "Google Chrome", orig: "chrome.exe", integrity: "Low"},
	{image: `C:\Program Files\Google\Chrome\Application\chrome.exe`, cmd: `"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2188 /prefetch:8`, parent: `C:\Program Files\Google\Chrome\Application\chrome.exe`, parentCmd: `"C:\Program Files\Google\Chrome\Application\chrome.exe"`, company: "Google LLC", product: "Google Chrome", desc: "Google Chrome", orig: "chrome.exe", integrity: "Medium"},
	{image: `C:\Windows\System32\svchost.exe`, cmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, parent: `C:\Windows\System32\services.exe`, parentCmd: `C:\Windows\system32\services.exe`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Host Process for Windows Services", orig: "svchost.exe", integrity: "System", user: "SYSTEM", domain: "NT AUTHORITY"},
	{image: `C:\Windows\System32\svchost.exe`, cmd: `C:\Windows\System32\svchost.exe -k wsappx -p -s ClipSVC`, parent: `C:\Windows\System32\services.exe`, parentCmd: `C:\Windows\system32\services.exe`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Host Process for Windows Services", orig: "svchost.exe", integrity: "System", user: "SYSTEM", domain: "NT AUTHORITY"},
	{image: `C:\Windows\System32\taskhostw.exe`, cmd: `taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}`, parent: `C:\Windows\System32\svchost.exe`, parentCmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Host Process for Windows Tasks", orig: "taskhostw.exe", integrity: "Medium"},
	{image: `C:\Windows\System32\RuntimeBroker.exe`, cmd: `C:\Windows\System32\RuntimeBroker.exe -Embedding`, parent: `C:\Windows\System32\svchost.exe`, parentCmd: `C:\Windows\system32\svchost.exe -k DcomLaunch -p`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Runtime Broker", orig: "RuntimeBroker.exe", integrity: "Medium"},
	{image: `C:\Windows\System32\conhost.exe`, cmd: `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, parent: `C:\Windows\System32\cmd.exe`, parentCmd: `C:\Windows\system32\cmd.exe /c "C:\Program Files\Git\cmd\git.exe" fetch`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Console Window Host", orig: "CONHOST.EXE", integrity: "Medium"},
	{image: `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, cmd: `"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" `, parent: `C:\Windows\explorer.exe`, parentCmd: `C:\Windows\Explorer.EXE`, company: "Microsoft Corporation", product: "Microsoft Outlook", desc: "Microsoft Outlook", orig: "Outlook.exe", integrity: "Medium"},
	{image: `C:\Users\Public\AppData\Local\Microsoft\OneDrive\OneDrive.exe`, cmd: `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, parent: `C:\Windows\explorer.exe`, parentCmd: `C:\Windows\Explorer.EXE`, company: "Microsoft Corporation", product: "Microsoft OneDrive", desc: "Microsoft OneDrive", orig: "OneDrive.exe", integrity: "Medium"},
	{image: `C:\Windows\System32\backgroundTaskHost.exe`, cmd: `"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca`, parent: `C:\Windows\System32\svchost.exe`, parentCmd: `C:\Windows\system32\svchost.exe -k DcomLaunch -p`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Background Task Host", orig: "backgroundTaskHost.exe", integrity: "Low"},
	{image: `C:\Windows\System32\wbem\WmiPrvSE.exe`, cmd: `C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`, parent: `C:\Windows\System32\svchost.exe`, parentCmd: `C:\Windows\system32\svchost.exe -k DcomLaunch -p`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "WMI Provider Host", orig: "Wmiprvse.exe", integrity: "System", user: "NETWORK SERVICE", domain: "NT AUTHORITY"},
	{image: `C:\Program Files\Git\cmd\git.exe`, cmd: `"C:\Program Files\Git\cmd\git.exe" fetch --no-tags --prune origin`, parent: `C:\Windows\System32\cmd.exe`, parentCmd: `C:\Windows\system32\cmd.exe /c "C:\Program Files\Git\cmd\git.exe" fetch`, company: "The Git Development Community", product: "Git", desc: "Git for Windows", orig: "git.exe", integrity: "Medium"},
	{image: `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, cmd: `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "C:\Program Files (x86)\Microsoft Intune Management Extension\Policies\Scripts\inventory.ps1"`, parent: `C:\Program Files (x86)\Microsoft Intune Management Extension\AgentExecutor.exe`, parentCmd: `"C:\Program Files (x86)\Microsoft Intune Management Extension\agentexecutor.exe" -powershell`, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Windows PowerShell", orig: "PowerShell.EXE", integrity: "System", user: "SYSTEM", domain: "NT AUTHORITY"},
	{image: `C:\Program Files\Microsoft VS Code\Code.exe`, cmd: `"C:\Program Files\Microsoft VS Code\Code.exe" --type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US`, parent: `C:\Program Files\Microsoft VS Code\Code.exe`, parentCmd: `"C:\Program Files\Microsoft VS Code\Code.exe"`, company: "Microsoft Corporation", product: "Visual Studio Code", desc: "Visual Studio Code", orig: "electron.exe", integrity: "Medium"},
}

var normalDests = []struct{ ip, host string }{
	{"142.250.72.100", "lga25s71-in-f4.1e100.net"}, {"13.107.42.14", "-"}, {"52.96.165.18", "-"},
	{"140.82.114.4", "lb-140-82-114-4-iad.github.com"}, {"20.190.151.8", "-"}, {"104.18.32.47", "-"},
}

func noiseWindows(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	u := t.randomUser(r)
	var h *winHost
	if r.chance(0.25) {
		h = &t.hosts[r.intn(6)]
	} else {
		h = &t.hosts[u.ws]
	}
	switch x := r.intn(1000); {
	case x < 190: // logons
		l := logon{id: 4624, user: u.sam, domain: t.adDomain, sid: u.sid, logonID: int64(0x100000 + r.intn(0xffffff))}
		switch y := r.intn(10); {
		case y < 6:
			src := &t.hosts[u.ws]
			l.logonType, l.ip, l.workstation, l.port = 3, src.ip, src.name, 0
			l.process, l.authPkg = "Kerberos", "Kerberos"
			if h == src {
				h = &t.hosts[r.intn(6)]
			}
		case y < 8:
			l.user, l.domain, l.sid = "SYSTEM", "NT AUTHORITY", "S-1-5-18"
			l.logonType, l.ip, l.workstation, l.process, l.authPkg = 5, "-", "-", "Advapi  ", "Negotiate"
		default:
			l.logonType = pick(r, []int{2, 7, 11})
			l.ip, l.workstation, l.port = "127.0.0.1", h.name, 0
			l.process, l.authPkg = "User32 ", "Negotiate"
		}
		return g.winLogon(t, h, ts, &l)
	case x < 290:
		l := logon{id: 4634, user: u.sam, domain: t.adDomain, sid: u.sid, logonType: pick(r, []int{3, 3, 2, 7}), logonID: int64(0x100000 + r.intn(0xffffff))}
		return g.winLogon(t, h, ts, &l)
	case x < 330:
		e := g.winHead(h, ts, 4672, chanSecurity, provSecurity, false)
		e.str("SubjectUserSid", "S-1-5-18")
		e.str("SubjectUserName", "SYSTEM")
		e.str("SubjectDomainName", "NT AUTHORITY")
		e.str("SubjectLogonId", "0x3e7")
		e.str("PrivilegeList", "SeAssignPrimaryTokenPrivilege\n\t\t\tSeTcbPrivilege\n\t\t\tSeSecurityPrivilege\n\t\t\tSeTakeOwnershipPrivilege\n\t\t\tSeLoadDriverPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeDebugPrivilege\n\t\t\tSeAuditPrivilege\n\t\t\tSeSystemEnvironmentPrivilege\n\t\t\tSeImpersonatePrivilege\n\t\t\tSeDelegateSessionUserImpersonatePrivilege")
		return g.winDone(t, h, ts, "SYSTEM")
	case x < 530, x < 700:
		p := normalProcs[r.intn(len(normalProcs))]
		if p.user == "" {
			p.user, p.domain = u.sam, t.adDomain
		}
		p.pid, p.ppid = 1000+r.intn(20000), 500+r.intn(10000)
		if x < 530 {
			return g.win4688(t, h, ts, &p, u.sid)
		}
		return g.sysmon1(t, h, ts, &p)
	case x < 900:
		d := pick(r, normalDests)
		c := netConn{image: normalProcs[0].image, user: u.sam, domain: t.adDomain, pid: 1000 + r.intn(20000),
			srcIP: h.ip, srcPort: r.rangeInt(49152, 65535), dstIP: d.ip, dstHost: d.host, dstPort: 443}
		if r.chance(0.3) {
			c.image = `C:\Windows\System32\svchost.exe`
			c.user, c.domain = "NETWORK SERVICE", "NT AUTHORITY"
		}
		return g.sysmon3(t, h, ts, &c)
	case x < 915:
		if r.chance(0.1) {
			return g.sysmon10(t, h, ts, `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe`, 3000+r.intn(2000),
				`C:\Windows\system32\lsass.exe`, 600+r.intn(200), "0x1000", "NT AUTHORITY\\SYSTEM",
				`C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\mpengine.dll+3b1a2d`)
		}
		return g.sysmon10(t, h, ts, `C:\Windows\Explorer.EXE`, 4000+r.intn(2000), `C:\Windows\system32\conhost.exe`, 5000+r.intn(9000), "0x1410",
			t.adDomain+"\\"+u.sam, `C:\Windows\SYSTEM32\ntdll.dll+9c584|C:\Windows\System32\KERNELBASE.dll+305fe|C:\Windows\system32\twinui.pcshell.dll+1d207|C:\Windows\System32\KERNEL32.DLL+17c24|C:\Windows\SYSTEM32\ntdll.dll+6cea1`)
	case x < 930:
		l := logon{id: 4625, user: u.sam, domain: t.adDomain, sid: "S-1-0-0", logonType: 2, ip: "127.0.0.1", workstation: h.name,
			process: "User32 ", authPkg: "Negotiate", status: "0xc000006d", subStatus: "0xc000006a", logonID: 0}
		return g.winLogon(t, h, ts, &l)
	case x < 990:
		fs := &t.hosts[r.intn(3)]
		share, rel := "\\\\*\\SYSVOL", t.adFQDN+"\\Policies\\{31B2F340-016D-11D2-945F-00C04FB984F9}\\gpt.ini"
		if fs.name == "FS01" || r.chance(0.3) {
			fs = &t.hosts[2]
			share, rel = "\\\\*\\"+u.dept, officeFiles[r.intn(len(officeFiles))].name
		}
		return g.win5145(t, fs, ts, u, t.hosts[u.ws].ip, share, rel, "0x120089")
	case x < 995:
		e := g.winHead(h, ts, 4698, chanSecurity, provSecurity, false)
		e.str("SubjectUserSid", "S-1-5-18")
		e.str("SubjectUserName", h.name+"$")
		e.str("SubjectDomainName", t.adDomain)
		e.str("SubjectLogonId", "0x3e7")
		name := pick(r, []string{`\GoogleUpdateTaskMachineUA{4A1B2C3D-5E6F-4711-8899-AABBCCDDEEFF}`, `\Microsoft\Windows\UpdateOrchestrator\Schedule Scan`, `\OneDrive Reporting Task-` + u.sid})
		e.str("TaskName", name)
		e.str("TaskContent", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"><Actions Context=\"Author\"><Exec><Command>C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe</Command><Arguments>/ua /installsource scheduler</Arguments></Exec></Actions></Task>")
		return g.winDone(t, h, ts, h.name+"$")
	default: // helpdesk account administration on a DC
		dc := &t.hosts[r.intn(2)]
		admin := &t.users[r.intn(8)]
		target := &t.users[r.intn(len(t.users))]
		if r.chance(0.5) {
			e := g.winHead(dc, ts, 4720, chanSecurity, provSecurity, false)
			e.str("TargetUserName", target.sam+"2")
			e.str("TargetDomainName", t.adDomain)
			e.str("TargetSid", target.sid+"1")
			e.str("SubjectUserSid", admin.sid)
			e.str("SubjectUserName", admin.sam)
			e.str("SubjectDomainName", t.adDomain)
			e.str("SamAccountName", target.sam+"2")
			e.str("DisplayName", target.display)
			e.str("UserPrincipalName", target.sam+"2@"+t.adFQDN)
			e.str("UserAccountControl", "\n\t\t%%2080\n\t\t%%2082\n\t\t%%2084")
			return g.winDone(t, dc, ts, admin.sam)
		}
		e := g.winHead(dc, ts, 4732, chanSecurity, provSecurity, false)
		e.str("MemberName", "CN="+target.display+",OU=Users,OU="+target.dept+",DC=corp,DC="+t.name+",DC=example,DC=com")
		e.str("MemberSid", target.sid)
		e.str("TargetUserName", "Remote Desktop Users")
		e.str("TargetDomainName", "Builtin")
		e.str("TargetSid", "S-1-5-32-555")
		e.str("SubjectUserSid", admin.sid)
		e.str("SubjectUserName", admin.sam)
		e.str("SubjectDomainName", t.adDomain)
		return g.winDone(t, dc, ts, admin.sam)
	}
}
