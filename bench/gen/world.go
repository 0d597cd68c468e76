package gen

import (
	"strconv"
	"strings"
)

// location is a place a sign-in can come from.
type location struct {
	city, state, country, countryName string
	lat, lon                          float64
	tz                                string
}

var homeLocations = []location{
	{"New York", "New York", "US", "United States", 40.7128, -74.0060, "America/New_York"},
	{"Chicago", "Illinois", "US", "United States", 41.8781, -87.6298, "America/Chicago"},
	{"Seattle", "Washington", "US", "United States", 47.6062, -122.3321, "America/Los_Angeles"},
	{"Austin", "Texas", "US", "United States", 30.2672, -97.7431, "America/Chicago"},
	{"Boston", "Massachusetts", "US", "United States", 42.3601, -71.0589, "America/New_York"},
	{"London", "England", "GB", "United Kingdom", 51.5074, -0.1278, "Europe/London"},
}

// attackerOrigin is a foreign network attacks come from: a location and the
// first three octets of its addresses.
type attackerOrigin struct {
	loc    location
	prefix string
	asn    int
	asOrg  string
}

var attackerOrigins = []attackerOrigin{
	{location{"Lagos", "Lagos", "NG", "Nigeria", 6.5244, 3.3792, ""}, "102.89.34.", 29465, "MTN NIGERIA"},
	{location{"Moscow", "Moscow", "RU", "Russia", 55.7558, 37.6173, ""}, "91.240.118.", 49505, "Selectel"},
	{location{"Bucharest", "Bucuresti", "RO", "Romania", 44.4268, 26.1025, ""}, "185.220.101.", 208294, "Tor exit relay"},
	{location{"Sao Paulo", "Sao Paulo", "BR", "Brazil", -23.5505, -46.6333, ""}, "177.54.146.", 28573, "Claro NXT"},
	{location{"Ho Chi Minh City", "Ho Chi Minh", "VN", "Vietnam", 10.8231, 106.6297, ""}, "113.161.72.", 45899, "VNPT Corp"},
	{location{"Amsterdam", "North Holland", "NL", "Netherlands", 52.3676, 4.9041, ""}, "45.155.205.", 49870, "Alsycon B.V."},
}

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley",
	"Paul", "Emily", "Andrew", "Kimberly", "Joshua", "Michelle", "Kevin", "Carol", "Brian", "Amanda",
	"George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie", "Jason", "Rebecca", "Ryan", "Laura",
	"Priya", "Wei", "Aisha", "Carlos", "Yuki", "Olga", "Mohammed", "Fatima", "Lucas", "Sofia",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Patel", "Chen", "Kim", "Singh", "Kowalski", "Ivanova", "Okafor", "Schmidt", "Rossi", "Tanaka",
}

type user struct {
	first, last string
	display     string
	upn         string // jane.doe@acme.example.com
	sam         string // jdoe
	objectID    string // Entra object id
	oktaID      string
	puid        string // Exchange/O365 UserKey
	sid         string
	loc         *location
	homeIP      string
	ws          int  // index of the primary workstation
	admin       bool // IT administrator
	iam         bool // has an IAM user in the AWS account
	dept        string
	awsID       string // IAM user id, AIDA...
	awsKey      string // access key id, AKIA...
}

type winHost struct {
	name     string // WKSTN-0412
	fqdn     string // WKSTN-0412.corp.acme.example.com
	ip       string
	recordID int64
	server   bool
	dc       bool
	guidSeed uint32
}

type linuxHost struct {
	name    string
	ip      string
	rfc5424 bool
	pid     int
}

type tenant struct {
	name       string
	index      int
	domain     string // acme.example.com
	adDomain   string // ACME
	adFQDN     string // corp.acme.example.com
	orgID      string // Entra / O365 tenant id
	awsAccount string
	spHost     string // acme.sharepoint.com
	net        string // "10.<n>."
	officeIPs  []string
	users      []user
	hosts      []winHost
	linux      []linuxHost
	roles      []string
	ciIP       string
	sites      []string
	domainSID  string
	roleIDs    []string
	buckets    []string
}

var departments = []string{"Finance", "Engineering", "Sales", "Marketing", "HR", "Legal", "Operations", "Support"}

// newTenant builds the fixed world of one tenant from its own generator.
func newTenant(name string, index int, r rng) *tenant {
	t := &tenant{name: name, index: index}
	slug := strings.ToLower(name)
	t.domain = slug + ".example.com"
	t.adDomain = strings.ToUpper(slug)
	if len(t.adDomain) > 15 {
		t.adDomain = t.adDomain[:15]
	}
	t.adFQDN = "corp." + t.domain
	t.orgID = r.uuid()
	t.awsAccount = strconv.FormatInt(int64(100000000000+r.intn(899999999999)), 10)
	t.spHost = slug + ".sharepoint.com"
	t.net = "10." + strconv.Itoa(10+index%240) + "."
	t.domainSID = "S-1-5-21-" + strconv.Itoa(r.rangeInt(1000000000, 2000000000)) + "-" +
		strconv.Itoa(r.rangeInt(1000000000, 2000000000)) + "-" + strconv.Itoa(r.rangeInt(1000000000, 2000000000))
	t.officeIPs = []string{
		"198.51.100." + strconv.Itoa(10+r.intn(100)+index%100),
		"203.0.113." + strconv.Itoa(10+r.intn(100)+index%100),
	}
	t.ciIP = "3.91." + strconv.Itoa(r.intn(250)) + "." + strconv.Itoa(1+r.intn(250))

	nHosts := 40
	for i := 0; i < nHosts; i++ {
		var n string
		h := winHost{recordID: int64(100000 + r.intn(900000)), guidSeed: uint32(r.u64())}
		switch {
		case i < 2:
			n = "DC0" + strconv.Itoa(i+1)
			h.server, h.dc = true, true
		case i < 6:
			n = [...]string{"FS01", "SQL01", "APP01", "EXCH01"}[i-2]
			h.server = true
		default:
			n = "WKSTN-" + pad4(1000+r.intn(9000))
		}
		h.name = n
		h.fqdn = n + "." + t.adFQDN
		h.ip = t.net + strconv.Itoa(1+i/200) + "." + strconv.Itoa(10+i%200)
		t.hosts = append(t.hosts, h)
	}
	for i, n := range []string{"bastion-01", "web-01", "web-02", "api-01", "db-01", "build-01", "vpn-01", "jump-02"} {
		t.linux = append(t.linux, linuxHost{
			name: n, ip: t.net + "20." + strconv.Itoa(10+i), rfc5424: i%2 == 1, pid: 1000 + r.intn(30000),
		})
	}

	seen := map[string]bool{}
	nUsers := 300
	for len(t.users) < nUsers {
		f, l := pick(&r, firstNames), pick(&r, lastNames)
		key := f + l
		if seen[key] {
			continue
		}
		seen[key] = true
		u := user{first: f, last: l, display: f + " " + l}
		u.upn = strings.ToLower(f) + "." + strings.ToLower(l) + "@" + t.domain
		u.sam = strings.ToLower(f[:1] + l)
		u.objectID = r.uuid()
		u.oktaID = "00u" + r.chars(alnum, 17)
		u.puid = "1003" + r.chars(hexUpper, 12)
		u.sid = t.domainSID + "-" + strconv.Itoa(1100+len(t.users))
		loc := &homeLocations[r.intn(len(homeLocations))]
		u.loc = loc
		u.homeIP = homeIP(&r, loc.country)
		u.ws = 6 + r.intn(nHosts-6)
		u.admin = len(t.users) < 8
		u.iam = len(t.users) < 25
		u.dept = pick(&r, departments)
		if u.iam {
			u.awsID = "AIDA" + r.chars(hexUpper[:10]+"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 17)
			u.awsKey = "AKIA" + r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
		}
		t.users = append(t.users, u)
	}
	t.roles = []string{"ci-deploy", "terraform-apply", "lambda-orders-exec", "AWSReservedSSO_ReadOnly_5f2a9c", "AWSReservedSSO_AdministratorAccess_8b31d0", "ecs-task-payments"}
	for range t.roles {
		t.roleIDs = append(t.roleIDs, "AROA"+r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17))
	}
	t.buckets = []string{slug + "-prod-assets", slug + "-data-lake", slug + "-backups", slug + "-cloudtrail-logs", slug + "-web-static"}
	t.sites = []string{"Finance", "Engineering", "Sales", "HR", "Legal", "Board", "IT", "Marketing"}
	return t
}

func pad4(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// homeIP returns a residential-looking address for a country.
func homeIP(r *rng, country string) string {
	p := [...]string{"73.", "24.", "98.", "71.", "67."}
	if country == "GB" {
		p = [...]string{"86.", "81.", "82.", "90.", "92."}
	}
	return pick(r, p[:]) + strconv.Itoa(1+r.intn(250)) + "." + strconv.Itoa(r.intn(256)) + "." + strconv.Itoa(1+r.intn(254))
}

// attackerIP returns an address from one of the foreign origins.
func attackerIP(r *rng) (string, *attackerOrigin) {
	o := &attackerOrigins[r.intn(len(attackerOrigins))]
	return o.prefix + strconv.Itoa(2+r.intn(250)), o
}

// userIP returns the address a user's cloud activity comes from: the
// office most of the time, home otherwise.
func (t *tenant) userIP(r *rng, u *user) string {
	if r.chance(0.65) {
		return t.officeIPs[r.intn(len(t.officeIPs))]
	}
	return u.homeIP
}

// randomUser picks a user with a mild skew: a third of the users produce
// most of the activity, as in real tenants.
func (t *tenant) randomUser(r *rng) *user {
	if r.chance(0.6) {
		return &t.users[r.intn(len(t.users)/3)]
	}
	return &t.users[r.intn(len(t.users))]
}

// sharepoint site URL and OneDrive URL of a user.
func (t *tenant) siteURL(site string) string {
	return "https://" + t.spHost + "/sites/" + site + "/"
}

func (t *tenant) oneDriveURL(u *user) string {
	s := strings.NewReplacer(".", "_", "@", "_").Replace(u.upn)
	return "https://" + strings.TrimSuffix(t.spHost, ".sharepoint.com") + "-my.sharepoint.com/personal/" + s + "/"
}
