package synth

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// causeKind is one kind of hidden cause that makes tickets of different
// rules truly related: the same story told by several detections.
type causeKind struct {
	name             string
	weight           int
	minSize, maxSize int
	minDays, maxDays int
	techNames        []string // repeated names weigh more
	dupRate          float64  // chance that a ticket fires again on other hosts within minutes
	masterAt         int      // causes of at least this size get a master case
	setup            func(g *generator, c *cause)
	scene            func(g *generator, c *cause, s *scene)
	why              []string // what analysts call the cause in a note
	verdicts         []phrasing
	techs            []*technique
}

// cause is one drawn instance of a causeKind.
type cause struct {
	id     string
	kind   *causeKind
	start  time.Time
	dur    time.Duration
	size   int
	who    person   // main person (traveller, admin, victim, owner, tester)
	hosts  []int    // host group the cause touches
	fixed  scene    // entity values shared by the cause's tickets
	change string   // CHG number of an approved change, when there is one
	ext    []string // other-system references the cause's notes may mention
}

var causeKinds = []*causeKind{
	{name: "travel", weight: 30, minSize: 2, maxSize: 6, minDays: 1, maxDays: 12, dupRate: 0.03, masterAt: 99,
		techNames: []string{"Impossible Travel", "Impossible Travel", "Login From New Country", "Login From New Country", "MFA Push Spam", "New MFA Device Registered", "Legacy Authentication Used", "Console Login Without MFA"},
		why:       []string{"user travel", "business trip", "travel", "the same trip"},
		verdicts: mustPhrasings("User confirmed travel to {country}.", "Benign - user travelling.", "Confirmed with {user}, on a business trip in {country}.",
			"Verified with manager: traveling to {city} this week.", "Legit travel, VPN from hotel network.")},
	{name: "admin-maintenance", weight: 12, minSize: 3, maxSize: 35, minDays: 2, maxDays: 21, dupRate: 0.12, masterAt: 12,
		techNames: []string{"Encoded PowerShell Command", "Encoded PowerShell Command", "New Service Created", "New Service Created", "Remote Execution via PsExec", "Remote Execution via WMI", "Suspicious Scheduled Task", "Privileged Login Outside Business Hours", "Unusual RDP Connection", "SMB Lateral Movement", "Security Tool Tampering"},
		why:       []string{"admin maintenance", "scheduled maintenance", "patching window", "maintenance activity"},
		verdicts: mustPhrasings("Benign - approved maintenance by {user}.", "Expected admin activity on {host}.", "Admin patching, expected behaviour.",
			"Confirmed with the server team, planned work.", "Benign. Maintenance scripts run by {user}.")},
	{name: "phishing-campaign", weight: 8, minSize: 6, maxSize: 90, minDays: 2, maxDays: 14, dupRate: 0.08, masterAt: 10,
		techNames: []string{"Phishing Reported by User", "Phishing Reported by User", "Phishing Reported by User", "Malicious Attachment Delivered", "Suspicious Link Clicked", "Suspicious Link Clicked", "Mailbox Forwarding Rule Created", "Login From New Country", "MFA Push Spam", "Quarantine Release Requested", "Spoofed Internal Sender", "Office Application Spawning Shell"},
		why:       []string{"phishing campaign", "phish wave", "same campaign", "the phishing campaign"},
		verdicts: mustPhrasings("Phish confirmed, messages purged from all mailboxes.", "User reported phish, no click. Sender blocked.", "Credentials reset for {user}, sessions revoked.",
			"Malicious - sender domain {domain} blocked.", "True positive. Email removed, user educated.")},
	{name: "pentest", weight: 3, minSize: 12, maxSize: 70, minDays: 4, maxDays: 15, dupRate: 0.10, masterAt: 12,
		techNames: []string{"Port Scan", "Port Scan", "Exploit Attempt", "SQL Injection Attempt", "Path Traversal Attempt", "Password Spray", "SMB Lateral Movement", "LSASS Memory Access", "Credential Dumping Tool", "Remote Execution via PsExec", "Brute Force", "Cleartext Credentials Observed"},
		why:       []string{"pentest engagement", "red team exercise", "authorised penetration test", "pentest"},
		verdicts: mustPhrasings("Authorised pentest activity from {srcip}.", "Red team exercise, whitelisted source.", "Expected - external pentest in scope.",
			"Benign, pentester {user} confirmed.", "Pentest traffic, no action.")},
	{name: "broken-scanner", weight: 3, minSize: 15, maxSize: 120, minDays: 5, maxDays: 35, dupRate: 0.15, masterAt: 12,
		techNames: []string{"Port Scan", "Port Scan", "Port Scan", "Brute Force", "Scanner Authentication Failure", "Scanner Authentication Failure", "Cleartext Credentials Observed", "Account Lockout Storm", "Exploit Attempt", "Password Spray"},
		why:       []string{"misconfigured scanner", "broken scanner", "scanner noise", "the scanner issue"},
		verdicts: mustPhrasings("Scanner misconfiguration, infra team informed.", "Known noisy scanner {srcip}.", "False positive - vulnerability scanner.",
			"Benign, scan profile wrong after upgrade.", "Closed, scanner {srcip} to be fixed.")},
	{name: "malware-infection", weight: 14, minSize: 3, maxSize: 12, minDays: 1, maxDays: 7, dupRate: 0.05, masterAt: 10,
		techNames: []string{"Periodic Beaconing", "Connection to Known C2", "DNS Tunnelling", "Suspicious Rundll32 Execution", "Office Application Spawning Shell", "Malicious File Hash", "Registry Run Key Persistence", "Security Tool Tampering", "Encoded PowerShell Command", "Newly Registered Domain", "Suspicious User Agent"},
		why:       []string{"infection", "malware incident", "the compromise", "same infection"},
		verdicts: mustPhrasings("Escalated to IR, host {host} isolated.", "Contained, host reimaged.", "True positive - malware on {host}, removed.",
			"Incident opened, C2 {domain} blocked at proxy.", "Malicious. Endpoint contained and user password reset.")},
	{name: "cloud-misconfig", weight: 9, minSize: 3, maxSize: 20, minDays: 2, maxDays: 20, dupRate: 0.06, masterAt: 12,
		techNames: []string{"Public Storage Bucket", "Public Storage Bucket", "Security Group Open to Internet", "IAM Policy Change", "New Access Key Created", "Audit Logging Disabled", "Snapshot Shared Externally", "Unusual API Call Volume"},
		why:       []string{"misconfiguration", "cloud misconfig", "terraform change", "the same deployment"},
		verdicts: mustPhrasings("Bucket {bucket} made private by owner.", "Misconfiguration fixed by the platform team.", "Terraform change reverted in {account}.",
			"Owner {user} contacted, fixed.", "Config drift, remediated.")},
	{name: "insider-exfil", weight: 8, minSize: 2, maxSize: 8, minDays: 3, maxDays: 21, dupRate: 0.03, masterAt: 99,
		techNames: []string{"USB Mass Storage Copy", "Sensitive File Upload to Cloud Storage", "Sensitive Data Emailed to Personal Address", "Bulk File Download", "Classified Document Printed", "Large Outbound Transfer"},
		why:       []string{"DLP investigation", "HR case", "data exfil case", "the leaver investigation"},
		verdicts: mustPhrasings("Escalated to HR and legal.", "Leaver, under investigation.", "Data exfiltration confirmed, case with HR.",
			"Manager informed about {user}.", "Under review with legal.")},
	{name: "patch-backlog", weight: 6, minSize: 4, maxSize: 40, minDays: 7, maxDays: 45, dupRate: 0.10, masterAt: 12,
		techNames: []string{"Critical Vulnerability Detected", "Critical Vulnerability Detected", "Critical Vulnerability Detected", "Exploit Attempt", "End-of-Life Software"},
		why:       []string{"patch backlog", "missing patch", "vuln remediation", "the same vulnerability"},
		verdicts: mustPhrasings("Remediation tracked, patch scheduled.", "{cve} patch pending on {host}.", "Accepted risk until next window.",
			"Patched and verified by rescan.", "Owner notified, remediation in progress.")},
}

func init() {
	byName := map[string]*technique{}
	for _, t := range techniques {
		byName[t.name] = t
	}
	for _, k := range causeKinds {
		for _, n := range k.techNames {
			t, ok := byName[n]
			if !ok {
				panic("synth: cause " + k.name + " names unknown technique " + n)
			}
			k.techs = append(k.techs, t)
		}
		switch k.name {
		case "travel":
			k.setup, k.scene = setupTravel, sceneTravel
		case "admin-maintenance":
			k.setup, k.scene = setupAdmin, sceneGroup
		case "phishing-campaign":
			k.setup, k.scene = setupPhish, scenePhish
		case "pentest":
			k.setup, k.scene = setupPentest, sceneGroup
		case "broken-scanner":
			k.setup, k.scene = setupScanner, sceneGroup
		case "malware-infection":
			k.setup, k.scene = setupMalware, sceneOwner
		case "cloud-misconfig":
			k.setup, k.scene = setupCloud, sceneOwner
		case "insider-exfil":
			k.setup, k.scene = setupInsider, sceneOwner
		case "patch-backlog":
			k.setup, k.scene = setupPatch, sceneGroup
		}
	}
}

func setupTravel(g *generator, c *cause) {
	c.who = oneOf(g.r, g.p.people)
	ct := oneOf(g.r, countries)
	c.fixed.v[slotCountry], c.fixed.v[slotCity] = ct.name, ct.city
	c.fixed.v[slotCountry2] = c.who.country
	c.fixed.v[slotSrcIP] = externalIP(g.r)
	c.hosts = []int{c.who.home}
}

func setupAdmin(g *generator, c *cause) {
	p := oneOf(g.r, g.p.people)
	c.who = person{first: p.first, last: p.last, login: "adm-" + p.login, sam: "adm-" + p.sam, upn: "adm-" + p.upn, home: p.home, country: p.country}
	group := g.p.servers[oneOf(g.r, g.p.roles)]
	c.hosts = group
	jump := g.p.servers["JUMP"]
	c.fixed.v[slotSrcIP] = g.p.hosts[oneOf(g.r, jump)].ip
	c.fixed.v[slotService] = oneOf(g.r, services)
	c.fixed.v[slotTask] = oneOf(g.r, tasks)
	c.change = "CHG" + pad(g.r.IntN(90000)+3000, 7)
	c.ext = []string{c.change}
}

func setupPhish(g *generator, c *cause) {
	d := randomDomain(g.r)
	c.fixed.v[slotDomain] = d
	c.fixed.v[slotSender] = oneOf(g.r, []string{"no-reply", "billing", "it-support", "hr", "docs", "accounts", "security"}) + "@" + d
	c.fixed.v[slotSubject] = oneOf(g.r, subjects)
	c.fixed.v[slotURL] = "https://" + d + "/" + oneOf(g.r, []string{"login", "verify", "doc", "sso", "o365", "invoice"}) + "?id=" + strconv.Itoa(g.r.IntN(1e6))
	c.fixed.v[slotFile] = randomFile(g.r)
	c.fixed.v[slotHash] = sha256Hex(g.r)
	c.fixed.v[slotSrcIP] = externalIP(g.r)
	ct := oneOf(g.r, countries)
	c.fixed.v[slotCountry], c.fixed.v[slotCity] = ct.name, ct.city
	if g.r.IntN(3) == 0 {
		c.ext = []string{"SEC-" + strconv.Itoa(1000+g.r.IntN(4000))}
	}
}

func setupPentest(g *generator, c *cause) {
	vendor := oneOf(g.r, []string{"ncc", "rapid", "bishop", "trustwave", "redteam"})
	c.who = person{login: "pentest-" + vendor, sam: "pentest-" + vendor, upn: "pentest-" + vendor + companyDomain, home: -1, country: "United States"}
	if g.r.IntN(2) == 0 {
		c.fixed.v[slotSrcIP] = externalIP(g.r)
	} else {
		c.fixed.v[slotSrcIP] = "10.250." + strconv.Itoa(g.r.IntN(250)) + "." + strconv.Itoa(g.r.IntN(250)+2)
	}
	c.hosts = append(append([]int{}, g.p.servers[oneOf(g.r, g.p.roles)]...), g.p.servers[oneOf(g.r, g.p.roles)]...)
	c.ext = []string{"SEC-" + strconv.Itoa(1000+g.r.IntN(4000))}
}

func setupScanner(g *generator, c *cause) {
	c.who = person{login: "svc-scan", sam: "svc-scan", upn: "svc-scan" + companyDomain, home: -1, country: "United States"}
	c.fixed.v[slotSrcIP] = "10." + strconv.Itoa(200+g.r.IntN(20)) + "." + strconv.Itoa(g.r.IntN(250)) + "." + strconv.Itoa(g.r.IntN(250)+2)
	for range 3 {
		c.hosts = append(c.hosts, g.p.servers[oneOf(g.r, g.p.roles)]...)
	}
	c.fixed.v[slotPort] = oneOf(g.r, scanPorts)
	if g.r.IntN(2) == 0 {
		c.ext = []string{"KB" + pad(g.r.IntN(90000)+1000, 7)}
	}
}

func setupMalware(g *generator, c *cause) {
	c.who = oneOf(g.r, g.p.people)
	c.hosts = []int{c.who.home}
	d := randomDomain(g.r)
	c.fixed.v[slotDomain] = d
	c.fixed.v[slotURL] = "http://" + d + "/" + oneOf(g.r, []string{"gate.php", "api/v2/check", "update", "b"})
	c.fixed.v[slotDstIP] = externalIP(g.r)
	c.fixed.v[slotHash] = sha256Hex(g.r)
	c.fixed.v[slotFile] = randomFile(g.r)
	c.fixed.v[slotProcess] = oneOf(g.r, processes)
	c.fixed.v[slotPort] = oneOf(g.r, highPorts)
}

func setupCloud(g *generator, c *cause) {
	if g.r.IntN(2) == 0 {
		c.who = oneOf(g.r, g.p.people)
	} else {
		n := oneOf(g.r, []string{"terraform-ci", "github-deploy", "jenkins-prod", "cdk-pipeline"})
		c.who = person{login: n, sam: n, upn: n + companyDomain, home: -1, country: "United States"}
	}
	c.fixed.v[slotAccount] = oneOf(g.r, g.p.accounts)
	c.fixed.v[slotBucket] = randomBucket(g.r)
	c.fixed.v[slotRegion] = oneOf(g.r, regions)
	c.fixed.v[slotPolicy] = oneOf(g.r, policies)
	c.fixed.v[slotKey] = randomKey(g.r)
	c.fixed.v[slotPort] = oneOf(g.r, scanPorts)
}

func setupInsider(g *generator, c *cause) {
	c.who = oneOf(g.r, g.p.people)
	c.hosts = []int{c.who.home}
	c.fixed.v[slotDomain] = oneOf(g.r, personalClouds)
	c.fixed.v[slotDevice] = oneOf(g.r, devices)
	c.fixed.v[slotFile] = randomFile(g.r)
}

func setupPatch(g *generator, c *cause) {
	c.fixed.v[slotCVE] = oneOf(g.r, g.p.cves)
	c.fixed.v[slotSoftware] = oneOf(g.r, g.p.software)
	if g.r.IntN(2) == 0 {
		c.hosts = g.p.servers[oneOf(g.r, g.p.roles)]
	} else {
		for range 3 + g.r.IntN(20) {
			c.hosts = append(c.hosts, oneOf(g.r, g.p.people).home)
		}
	}
	if g.r.IntN(3) == 0 {
		c.ext = []string{"KB" + pad(g.r.IntN(90000)+1000, 7)}
	}
}

// sceneTravel keeps the traveller and their laptop; the source address
// changes now and then (hotel, airport, phone).
func sceneTravel(g *generator, c *cause, s *scene) {
	*s = c.fixed
	s.who, s.hasWho = c.who, true
	s.host = c.who.home
	if g.r.IntN(3) == 0 {
		s.v[slotSrcIP] = ""
	}
}

// sceneGroup keeps the cause's actor and moves over its host group.
func sceneGroup(g *generator, c *cause, s *scene) {
	*s = c.fixed
	s.who, s.hasWho = c.who, true
	s.host = -1
	if len(c.hosts) > 0 {
		s.host = oneOf(g.r, c.hosts)
	}
}

// scenePhish keeps the campaign's lure and hits a different employee each time.
func scenePhish(g *generator, c *cause, s *scene) {
	*s = c.fixed
	s.who, s.hasWho = oneOf(g.r, g.p.people), true
	s.host = s.who.home
}

// sceneOwner keeps one person and their machine.
func sceneOwner(g *generator, c *cause, s *scene) {
	*s = c.fixed
	s.who, s.hasWho = c.who, true
	s.host = -1
	if len(c.hosts) > 0 {
		s.host = c.hosts[0]
	}
}

func drawKind(r *rand.Rand) *causeKind {
	total := 0
	for _, k := range causeKinds {
		total += k.weight
	}
	n := r.IntN(total)
	for _, k := range causeKinds {
		if n < k.weight {
			return k
		}
		n -= k.weight
	}
	return causeKinds[len(causeKinds)-1]
}

// drawSize skews towards small causes: most stories are short.
func drawSize(r *rand.Rand, k *causeKind) int {
	u := r.Float64()
	return k.minSize + int(float64(k.maxSize-k.minSize+1)*u*u)
}
