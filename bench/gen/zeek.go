package gen

import (
	"strconv"
	"time"
)

// zeekHead opens a Zeek JSON log line: _path on some sensors (the
// json-streaming form), ts, uid and the connection 4-tuple.
func (g *Generator) zeekHead(path string, withPath bool, ts time.Time, uid string, oh string, op int, rh string, rp int) *enc {
	e := g.begin()
	e.obj()
	if withPath {
		e.str("_path", path)
		e.key("_write_ts")
		e.b = appendStr(e.b, ts.Add(time.Second).Format(layoutOkta))
	}
	e.epoch("ts", ts)
	e.str("uid", uid)
	e.str("id.orig_h", oh)
	e.int("id.orig_p", int64(op))
	e.str("id.resp_h", rh)
	e.int("id.resp_p", int64(rp))
	return e
}

func (g *Generator) zeekUID() string {
	b := make([]byte, 0, 18)
	b = append(b, 'C')
	return string(g.r.appendChars(b, alnum, 17))
}

// zeekPath reports whether the tenant's sensor writes _path: the first
// tenant's does, the second's does not, and so on.
func zeekPath(t *tenant) bool { return t.index%2 == 0 }

type zconn struct {
	oh, rh         string
	op, rp         int
	proto, service string
	dur            float64
	ob, rb         int64
	state, history string
}

func (g *Generator) zeekConn(t *tenant, ts time.Time, uid string, c *zconn) Record {
	e := g.zeekHead("conn", zeekPath(t), ts, uid, c.oh, c.op, c.rh, c.rp)
	e.str("proto", c.proto)
	if c.service != "" {
		e.str("service", c.service)
	}
	e.float("duration", c.dur, 6)
	e.int("orig_bytes", c.ob)
	e.int("resp_bytes", c.rb)
	e.str("conn_state", c.state)
	e.bool("local_orig", true)
	e.bool("local_resp", c.rh[:3] == "10.")
	e.int("missed_bytes", 0)
	e.str("history", c.history)
	e.int("orig_pkts", 1+c.ob/1200)
	e.int("orig_ip_bytes", c.ob+40*(1+c.ob/1200))
	e.int("resp_pkts", 1+c.rb/1400)
	e.int("resp_ip_bytes", c.rb+40*(1+c.rb/1400))
	e.end()
	return g.finish(SourceZeek, t, ts, c.oh)
}

func (g *Generator) zeekDNS(t *tenant, ts time.Time, uid, oh string, op int, resolver, query string, qtype int, qtypeName, rcodeName string, answers []string, ttl float64) Record {
	e := g.zeekHead("dns", zeekPath(t), ts, uid, oh, op, resolver, 53)
	e.str("proto", "udp")
	e.int("trans_id", int64(g.r.intn(65536)))
	e.float("rtt", 0.001+g.r.float()*0.05, 6)
	e.str("query", query)
	e.int("qclass", 1)
	e.str("qclass_name", "C_INTERNET")
	e.int("qtype", int64(qtype))
	e.str("qtype_name", qtypeName)
	rcode := 0
	if rcodeName == "NXDOMAIN" {
		rcode = 3
	}
	e.int("rcode", int64(rcode))
	e.str("rcode_name", rcodeName)
	e.bool("AA", false)
	e.bool("TC", false)
	e.bool("RD", true)
	e.bool("RA", true)
	e.int("Z", 0)
	if len(answers) > 0 {
		e.arrK("answers")
		for _, a := range answers {
			e.astr(a)
		}
		e.endArr()
		e.arrK("TTLs")
		for range answers {
			e.sep()
			e.b = strconv.AppendFloat(e.b, ttl, 'f', 1, 64)
		}
		e.endArr()
	}
	e.bool("rejected", false)
	e.end()
	return g.finish(SourceZeek, t, ts, oh)
}

type zdomain struct {
	name string
	ip   string
	ja3s string
}

var normalDomains = []zdomain{
	{"outlook.office365.com", "52.96.165.18", "907bf3ecef1c987c889946b737b43de8"},
	{"login.microsoftonline.com", "20.190.151.8", "907bf3ecef1c987c889946b737b43de8"},
	{"teams.microsoft.com", "52.113.194.132", "907bf3ecef1c987c889946b737b43de8"},
	{"www.google.com", "142.250.72.100", "eb1d94daa7e0344597e756a1fb6e7054"},
	{"github.com", "140.82.114.4", "15af977ce25de452b96affa2addb1036"},
	{"api.slack.com", "34.226.36.42", "f4febc55ea12b31ae17cfb7e614afda8"},
	{"zoom.us", "170.114.52.2", "f4febc55ea12b31ae17cfb7e614afda8"},
	{"update.googleapis.com", "142.250.80.35", "eb1d94daa7e0344597e756a1fb6e7054"},
	{"s3.amazonaws.com", "52.216.40.70", "ae4edc6faf64d08308082ad26be60767"},
	{"cdn.jsdelivr.net", "104.18.187.31", "9d9ce860f1b1cbef07b019450cb368d8"},
	{"ctldl.windowsupdate.com", "93.184.221.240", "ae4edc6faf64d08308082ad26be60767"},
	{"www.salesforce.com", "104.109.10.129", "ae4edc6faf64d08308082ad26be60767"},
}

var ja3Clients = []string{"cd08e31494f9531f560d64c695473da9", "773906b0efdefa24a7f2b8eb6985bf37", "b32309a26951912be7dba376398abc3b"}

const zeekResolverOctet = "1.53"

func (t *tenant) resolver() string { return t.net + zeekResolverOctet }

func noiseZeek(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	h := &t.hosts[r.intn(len(t.hosts))]
	d := &normalDomains[r.intn(len(normalDomains))]
	uid := g.zeekUID()
	op := r.rangeInt(49152, 65535)
	switch x := r.intn(100); {
	case x < 40:
		c := zconn{oh: h.ip, op: op, rh: d.ip, rp: 443, proto: "tcp", service: "ssl",
			dur: 0.05 + r.float()*120, ob: int64(500 + r.intn(40000)), rb: int64(2000 + r.intn(900000)), state: "SF", history: "ShADadFf"}
		if r.chance(0.15) {
			c.rh, c.rp, c.proto, c.service, c.dur, c.ob, c.rb, c.history = t.resolver(), 53, "udp", "dns", 0.01+r.float()*0.05, int64(30+r.intn(40)), int64(60+r.intn(200)), "Dd"
		}
		return g.zeekConn(t, ts, uid, &c)
	case x < 70:
		qt, qn := 1, "A"
		if r.chance(0.3) {
			qt, qn = 28, "AAAA"
		}
		return g.zeekDNS(t, ts, uid, h.ip, op, t.resolver(), d.name, qt, qn, "NOERROR", []string{d.ip}, float64(60+r.intn(240)))
	case x < 82:
		e := g.zeekHead("http", zeekPath(t), ts, uid, h.ip, op, "93.184.221.240", 80)
		e.int("trans_depth", 1)
		e.str("method", "GET")
		e.str("host", "ctldl.windowsupdate.com")
		e.str("uri", "/msdownload/update/v3/static/trustedr/en/authrootstl.cab?"+r.chars(hexLower, 16))
		e.str("version", "1.1")
		e.str("user_agent", "Microsoft-CryptoAPI/10.0")
		e.int("request_body_len", 0)
		e.int("response_body_len", int64(6000+r.intn(2000)))
		e.int("status_code", 200)
		e.str("status_msg", "OK")
		e.arrK("tags")
		e.endArr()
		e.arrK("resp_mime_types")
		e.astr("application/vnd.ms-cab-compressed")
		e.endArr()
		e.end()
		return g.finish(SourceZeek, t, ts, h.ip)
	default:
		e := g.zeekHead("ssl", zeekPath(t), ts, uid, h.ip, op, d.ip, 443)
		e.str("version", "TLSv13")
		e.str("cipher", "TLS_AES_128_GCM_SHA256")
		e.str("curve", "x25519")
		e.str("server_name", d.name)
		e.bool("resumed", r.chance(0.3))
		e.bool("established", true)
		e.str("ja3", pick(r, ja3Clients))
		e.str("ja3s", d.ja3s)
		e.end()
		return g.finish(SourceZeek, t, ts, h.ip)
	}
}
