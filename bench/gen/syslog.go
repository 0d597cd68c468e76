package gen

import (
	"strconv"
	"time"
)

// Syslog priorities (facility*8 + severity).
const (
	priAuthInfo     = 4*8 + 6  // sshd
	priAuthprivNote = 10*8 + 5 // sudo
	priAuthprivInfo = 10*8 + 6 // useradd, su, pam
	priCronInfo     = 9*8 + 6
)

// syslogLine builds one auth.log line in the host's format: RFC 5424 hosts
// send "<pri>1 timestamp host app procid - - msg", the others the BSD form
// "<pri>Mmm dd hh:mm:ss host app[pid]: msg".
func (g *Generator) syslogLine(t *tenant, h *linuxHost, ts time.Time, pri int, app string, pid int, msg string, key string) Record {
	b := g.begin().b
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(pri), 10)
	b = append(b, '>')
	if h.rfc5424 {
		b = append(b, '1', ' ')
		b = ts.AppendFormat(b, layoutRFC5424)
		b = append(b, ' ')
		b = append(b, h.name...)
		b = append(b, ' ')
		b = append(b, app...)
		b = append(b, ' ')
		if pid > 0 {
			b = strconv.AppendInt(b, int64(pid), 10)
		} else {
			b = append(b, '-')
		}
		b = append(b, " - - "...)
	} else {
		b = ts.AppendFormat(b, layoutRFC3164)
		b = append(b, ' ')
		b = append(b, h.name...)
		b = append(b, ' ')
		b = append(b, app...)
		if pid > 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(pid), 10)
			b = append(b, ']')
		}
		b = append(b, ':', ' ')
	}
	b = append(b, msg...)
	g.e.b = b
	return g.finish(SourceSyslog, t, ts, key)
}

func (g *Generator) nextPID(h *linuxHost) int {
	h.pid += 1 + g.r.intn(40)
	if h.pid > 4194000 {
		h.pid = 1000
	}
	return h.pid
}

var linuxUsers = []string{"deploy", "ubuntu", "ansible", "backup", "monitor"}

func sshKeyFP(r *rng) string { return "SHA256:" + r.chars(alnum, 43) }

func noiseSyslog(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	h := &t.linux[r.intn(len(t.linux))]
	switch x := r.intn(100); {
	case x < 35: // cron
		pid := g.nextPID(h)
		if r.chance(0.5) {
			return g.syslogLine(t, h, ts, priCronInfo, "CRON", pid, "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)", h.name)
		}
		return g.syslogLine(t, h, ts, priAuthprivInfo, "CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", h.name)
	case x < 60: // automation key logins
		u := pick(r, linuxUsers)
		src := t.net + "20." + strconv.Itoa(10+r.intn(len(t.linux)))
		return g.syslogLine(t, h, ts, priAuthInfo, "sshd", g.nextPID(h),
			"Accepted publickey for "+u+" from "+src+" port "+strconv.Itoa(r.rangeInt(32768, 60999))+" ssh2: ED25519 "+sshKeyFP(r), u)
	case x < 75:
		u := pick(r, linuxUsers)
		return g.syslogLine(t, h, ts, priAuthprivInfo, "sshd", g.nextPID(h), "pam_unix(sshd:session): session opened for user "+u+"(uid=1001) by (uid=0)", u)
	case x < 85:
		u := pick(r, linuxUsers)
		return g.syslogLine(t, h, ts, priAuthprivInfo, "sshd", g.nextPID(h), "pam_unix(sshd:session): session closed for user "+u, u)
	case x < 93: // routine sudo by automation
		u := pick(r, linuxUsers[:3])
		cmd := pick(r, []string{"/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/usr/bin/journalctl -u app --since today", "/usr/bin/docker ps"})
		return g.syslogLine(t, h, ts, priAuthprivNote, "sudo", 0, "  "+u+" : TTY=pts/0 ; PWD=/home/"+u+" ; USER=root ; COMMAND="+cmd, u)
	case x < 96: // internet scanners hitting the bastion: a few, not a brute force
		ip, _ := attackerIP(r)
		bh := &t.linux[0]
		return g.syslogLine(t, bh, ts, priAuthInfo, "sshd", g.nextPID(bh),
			"Connection closed by authenticating user root "+ip+" port "+strconv.Itoa(r.rangeInt(32768, 60999))+" [preauth]", ip)
	case x < 98:
		u := pick(r, linuxUsers)
		return g.syslogLine(t, h, ts, priAuthprivInfo, "su", g.nextPID(h), "(to root) "+u+" on pts/1", u)
	default:
		return g.syslogLine(t, h, ts, priAuthprivInfo, "systemd-logind", 0, "New session "+strconv.Itoa(r.rangeInt(100, 9999))+" of user deploy.", "deploy")
	}
}
