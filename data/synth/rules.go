package synth

// technique is one detection idea; each source product that implements it
// yields one rule (e.g. "Okta - MFA Push Spam"). Several phrasings per
// technique let the same rule read differently from ticket to ticket.
type technique struct {
	family      string
	name        string
	sources     []string
	severity    string
	internalSrc bool // the source address is an internal host, not the internet
	titles      []phrasing
	descs       []phrasing
}

// rule is one detection rule: a technique as one product names it.
type rule struct {
	name string
	tech *technique
	src  string
}

var (
	srcIdentity = []string{"Azure AD", "Okta", "Duo", "VPN", "Active Directory", "Sentinel"}
	srcEndpoint = []string{"CrowdStrike", "Defender for Endpoint", "SentinelOne", "Sysmon", "Splunk ES"}
	srcNetwork  = []string{"Palo Alto", "Zeek", "Fortinet", "NetFlow", "Darktrace", "Splunk ES"}
	srcEmail    = []string{"Defender for Office 365", "Proofpoint", "Mimecast", "Exchange Online"}
	srcCloud    = []string{"AWS GuardDuty", "AWS Config", "Azure Defender", "GCP SCC", "Sentinel"}
	srcDLP      = []string{"Purview DLP", "Netskope", "Symantec DLP", "Forcepoint"}
	srcVuln     = []string{"Qualys", "Tenable", "Rapid7"}
	srcWeb      = []string{"Cloudflare WAF", "F5 ASM", "Imperva", "Suricata"}
)

func pick(ss []string, idx ...int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = ss[j]
	}
	return out
}

// techniques is the catalogue; rules() expands it into >200 rule names.
var techniques = []*technique{
	// identity
	{family: "identity", name: "Impossible Travel", sources: pick(srcIdentity, 0, 1, 3, 5), severity: "High",
		titles: mustPhrasings("Impossible travel activity for {user}", "{user} signed in from {country} and {country2} within {mins} minutes", "Atypical travel detected: {user}"),
		descs: mustPhrasings("User {user} authenticated from {city}, {country} ({srcip}) {mins} minutes after a sign-in from {country2}. The distance cannot be covered in that time.",
			"Sign-in risk: impossible travel\nUser: {user}\nPrevious location: {country2}\nCurrent location: {city}, {country}\nSource IP: {srcip}\nInterval: {mins} min",
			"Two successful logons for {user} from distant locations ({country2} then {country}) - source address {srcip}.")},
	{family: "identity", name: "MFA Push Spam", sources: pick(srcIdentity, 1, 2, 0), severity: "High",
		titles: mustPhrasings("Multiple MFA push requests denied for {user}", "MFA fatigue suspected on account {user}", "{count} push notifications sent to {user}"),
		descs: mustPhrasings("{count} MFA push notifications were sent to the registered device of {user} within 10 minutes; most were denied. Requests came from {srcip} ({country}).",
			"Push bombing pattern: user={user} pushes={count} src_ip={srcip} geo={country}",
			"The account {user} received repeated second-factor prompts from {srcip} located in {city}, {country}.")},
	{family: "identity", name: "Login From New Country", sources: pick(srcIdentity, 0, 1, 2, 3, 5), severity: "Moderate",
		titles: mustPhrasings("First sign-in from {country} for {user}", "New country login: {user} from {country}", "VPN session from unusual country {country}"),
		descs: mustPhrasings("{user} logged in from {city}, {country} for the first time in 90 days. Source IP {srcip}. Usual country: {country2}.",
			"Geo anomaly\naccount: {user}\ncountry: {country}\nip: {srcip}\nbaseline: {country2}",
			"A remote access session for {user} was established from {srcip} geolocated to {country}.")},
	{family: "identity", name: "Password Spray", sources: pick(srcIdentity, 0, 1, 3, 4), severity: "High",
		titles: mustPhrasings("Password spray against {count} accounts from {srcip}", "Multiple failed logins from single source {srcip}", "Possible password spraying detected"),
		descs: mustPhrasings("{count} distinct accounts failed authentication from {srcip} ({country}) within 30 minutes, including {user}.",
			"Spray pattern: one password tried against many users. Source {srcip}, targets {count}, sample account {user}.",
			"Failed logon burst from address {srcip}; error code 50126 for {count} users.")},
	{family: "identity", name: "Dormant Account Login", sources: pick(srcIdentity, 4, 0, 1), severity: "Moderate",
		titles: mustPhrasings("Login by dormant account {user}", "Account {user} inactive for {count} days signed in", "Stale account activity: {user}"),
		descs: mustPhrasings("The account {user} had no activity for {count} days and just authenticated on {host} from {srcip}.",
			"Dormant identity used\nUser: {user}\nDays inactive: {count}\nWorkstation: {host}")},
	{family: "identity", name: "Brute Force", sources: pick(srcIdentity, 4, 3, 1), severity: "Moderate",
		titles: mustPhrasings("{count} failed logons for {user} on {host}", "Brute force attempt against {user}", "Excessive authentication failures on {host}"),
		descs: mustPhrasings("Event 4625 raised {count} times for {user} on {host} from {srcip}.",
			"Repeated bad password attempts for {user}. Source: {srcip}. Target: {host}.")},
	{family: "identity", name: "Privileged Login Outside Business Hours", sources: pick(srcIdentity, 4, 0, 5), severity: "Moderate",
		titles: mustPhrasings("Admin logon outside business hours: {user}", "Privileged account {user} active at night on {host}"),
		descs: mustPhrasings("Member of Domain Admins {user} logged on interactively to {host} at an unusual hour.",
			"Off-hours privileged session\naccount={user}\nhost={host}\nlogon_type=10")},
	{family: "identity", name: "Legacy Authentication Used", sources: pick(srcIdentity, 0, 1), severity: "Low",
		titles: mustPhrasings("Legacy authentication protocol used by {user}", "IMAP/POP basic auth sign-in for {user}"),
		descs: mustPhrasings("{user} authenticated with a legacy protocol that bypasses MFA from {srcip} ({country}).",
			"Basic authentication sign-in; client app: IMAP4; user: {user}; ip: {srcip}")},
	{family: "identity", name: "New MFA Device Registered", sources: pick(srcIdentity, 0, 1, 2), severity: "Moderate",
		titles: mustPhrasings("New authenticator registered for {user}", "MFA method added to account {user}"),
		descs: mustPhrasings("A new MFA device was registered for {user} from {srcip} in {country}.",
			"Security info change for {user}: phone app notification added. IP {srcip}.")},
	{family: "identity", name: "Account Lockout Storm", sources: pick(srcIdentity, 4, 5), severity: "Low",
		titles: mustPhrasings("Account {user} locked out {count} times", "Repeated lockouts for {user} from {host}"),
		descs: mustPhrasings("Event 4740: {user} locked out {count} times in one hour; caller computer {host}.",
			"Lockout source {host} ({hostip}) keeps locking {user}; stale credentials suspected.")},

	{family: "identity", name: "OAuth App Consent Granted", sources: pick(srcIdentity, 0, 5, 1), severity: "Moderate",
		titles: mustPhrasings("{user} granted consent to an unverified app", "OAuth application with mail permissions authorised"),
		descs: mustPhrasings("{user} consented to an application requesting Mail.Read and offline_access from {srcip}.",
			"New app consent: publisher unverified, user {user}, country {country}.")},

	// endpoint
	{family: "endpoint", name: "Encoded PowerShell Command", sources: pick(srcEndpoint, 0, 1, 2, 3, 4), severity: "High",
		titles: mustPhrasings("Encoded PowerShell executed on {host}", "PowerShell -EncodedCommand by {user}", "Obfuscated script execution on {host}"),
		descs: mustPhrasings("Process {process} started by {parent} on {host} as {user}.\nCommand line: {cmd}",
			"Base64 encoded command observed.\nHost: {host}\nUser: {user}\nCmdLine: {cmd}",
			"{user} ran an obfuscated PowerShell command on {host}: {cmd}")},
	{family: "endpoint", name: "LSASS Memory Access", sources: pick(srcEndpoint, 0, 1, 3), severity: "Critical",
		titles: mustPhrasings("LSASS memory read by {process} on {host}", "Credential theft attempt on {host}", "Suspicious handle to lsass.exe"),
		descs: mustPhrasings("{process} (sha256 {hash}) opened lsass.exe with PROCESS_VM_READ on {host}; user {user}.",
			"Possible credential dumping: {process} accessed LSASS on {host}. Parent: {parent}.")},
	{family: "endpoint", name: "New Service Created", sources: pick(srcEndpoint, 1, 3, 0, 4), severity: "Moderate",
		titles: mustPhrasings("New service {service} installed on {host}", "Service creation event on {host}", "Unexpected Windows service {service}"),
		descs: mustPhrasings("Event 7045: service {service} installed by {user} on {host}. Image path: {cmd}",
			"A new auto-start service named {service} was created on {host} pointing to {cmd}.")},
	{family: "endpoint", name: "Remote Execution via PsExec", sources: pick(srcEndpoint, 0, 1, 3), severity: "High",
		titles: mustPhrasings("PsExec lateral movement to {host}", "Remote execution via PSEXESVC on {host}", "{user} used PsExec against {host}"),
		descs: mustPhrasings("PSEXESVC service started on {host}; remote session from {srcip} as {user}. Command: {cmd}",
			"Remote process launch detected on {host} by {user} coming from {srcip}.")},
	{family: "endpoint", name: "Remote Execution via WMI", sources: pick(srcEndpoint, 0, 1, 3, 4), severity: "High",
		titles: mustPhrasings("WMI remote process creation on {host}", "wmiprvse.exe spawned {process} on {host}"),
		descs: mustPhrasings("Win32_Process.Create invoked remotely on {host} from {srcip} by {user}. Child: {cmd}",
			"Remote WMI execution: parent wmiprvse.exe, child {process}, host {host}, account {user}.")},
	{family: "endpoint", name: "Suspicious Scheduled Task", sources: pick(srcEndpoint, 1, 3, 2), severity: "Moderate",
		titles: mustPhrasings("Scheduled task {task} created on {host}", "Suspicious scheduled task on {host}", "schtasks.exe persistence by {user}"),
		descs: mustPhrasings("Task {task} registered by {user} on {host} to run {cmd}",
			"schtasks /create observed on {host}. Task name {task}, action {cmd}.")},
	{family: "endpoint", name: "Office Application Spawning Shell", sources: pick(srcEndpoint, 0, 1, 2), severity: "High",
		titles: mustPhrasings("{parent} spawned {process} on {host}", "Office macro launched a shell on {host}", "Suspicious child process of Office for {user}"),
		descs: mustPhrasings("{parent} started {process} on {host} (user {user}). Command line: {cmd}. Document: {file}",
			"Macro execution suspected: {file} opened by {user}, child process {process}.")},
	{family: "endpoint", name: "Suspicious Rundll32 Execution", sources: pick(srcEndpoint, 0, 1, 3), severity: "Moderate",
		titles: mustPhrasings("rundll32 loading DLL from user folder on {host}", "Suspicious rundll32.exe on {host}"),
		descs: mustPhrasings("rundll32.exe executed {cmd} on {host} as {user}. DLL sha256 {hash}.",
			"Unusual rundll32 invocation without export name on {host}; file hash {hash}.")},
	{family: "endpoint", name: "Credential Dumping Tool", sources: pick(srcEndpoint, 0, 1, 2), severity: "Critical",
		titles: mustPhrasings("Mimikatz-like tool detected on {host}", "Hacktool {process} found on {host}", "Credential dumping utility executed by {user}"),
		descs: mustPhrasings("Known credential dumping tool {process} (sha256 {hash}) executed on {host} by {user}.",
			"Detection: HackTool:Win64/Mimikatz on {host}. File {file}, hash {hash}.")},
	{family: "endpoint", name: "Security Tool Tampering", sources: pick(srcEndpoint, 1, 0), severity: "High",
		titles: mustPhrasings("Antivirus real-time protection disabled on {host}", "Tamper attempt against EDR on {host}"),
		descs: mustPhrasings("Set-MpPreference -DisableRealtimeMonitoring executed on {host} by {user}.",
			"Sensor reported tampering: {process} tried to stop the security service on {host}.")},
	{family: "endpoint", name: "Ransomware Behaviour", sources: pick(srcEndpoint, 0, 2, 1), severity: "Critical",
		titles: mustPhrasings("Mass file rename on {host}", "Possible ransomware activity on {host}"),
		descs: mustPhrasings("{process} renamed {count} files with a new extension on {host} in 2 minutes.",
			"Behavioural detection: file encryption pattern by {process} on {host}, user {user}.")},
	{family: "endpoint", name: "Unsigned Driver Loaded", sources: pick(srcEndpoint, 1, 3), severity: "Moderate",
		titles: mustPhrasings("Unsigned kernel driver loaded on {host}", "Driver load without valid signature on {host}"),
		descs: mustPhrasings("Driver {file} (sha256 {hash}) loaded on {host} with no valid signature.",
			"Sysmon event 6: driver {file} signed=false on {host}.")},
	{family: "endpoint", name: "Malicious File Hash", sources: pick(srcEndpoint, 0, 1, 2), severity: "High",
		titles: mustPhrasings("Known malicious file on {host}", "Threat intel hash match on {host}", "Malware {file} quarantined"),
		descs: mustPhrasings("File {file} with sha256 {hash} matched threat intelligence on {host} (user {user}).",
			"Quarantined: {file}\nSHA256: {hash}\nDevice: {host}")},
	{family: "endpoint", name: "Registry Run Key Persistence", sources: pick(srcEndpoint, 3, 1, 0), severity: "Moderate",
		titles: mustPhrasings("Run key added on {host}", "Registry autorun persistence by {process}"),
		descs: mustPhrasings("{process} wrote HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run on {host} pointing to {cmd}.",
			"Autostart entry created by {user} on {host}: {cmd}")},

	{family: "endpoint", name: "Reverse Shell", sources: pick(srcEndpoint, 0, 2, 3, 4), severity: "Critical",
		titles: mustPhrasings("Reverse shell spawned on {host}", "Interactive shell connected to {dstip}:{port}"),
		descs: mustPhrasings("{process} on {host} opened a socket to {dstip}:{port} and attached /bin/sh; user {user}.",
			"Command line: {cmd}\nHost: {host}\nParent: {parent}")},

	// network
	{family: "network", name: "Periodic Beaconing", sources: pick(srcNetwork, 1, 0, 3, 4), severity: "High",
		titles: mustPhrasings("Beaconing from {hostip} to {domain}", "Periodic outbound connections to {dstip}", "C2-like beacon pattern detected"),
		descs: mustPhrasings("{hostip} connects to {domain} ({dstip}) every 60 seconds with low jitter; {count} connections in 24h.",
			"Beacon score high\nsrc={hostip}\ndst={dstip}\nhost={domain}\nport={port}")},
	{family: "network", name: "DNS Tunnelling", sources: pick(srcNetwork, 1, 0, 4, 5), severity: "High",
		titles: mustPhrasings("Possible DNS tunnelling to {domain}", "High entropy DNS queries from {hostip}", "Excessive TXT lookups for {domain}"),
		descs: mustPhrasings("{hostip} issued {count} long subdomain queries under {domain} in one hour.",
			"DNS exfiltration heuristics triggered: client {hostip}, zone {domain}, query count {count}.")},
	{family: "network", name: "Port Scan", sources: pick(srcNetwork, 0, 1, 2, 3, 4), severity: "Low",
		titles: mustPhrasings("Port scan from {srcip}", "Horizontal scan detected from {srcip}", "{srcip} probed {count} ports"),
		descs: mustPhrasings("{srcip} attempted connections to {count} ports on {dstip} within 5 minutes.",
			"Scan activity: source {srcip}, destinations {count}, sample target {dstip}:{port}.")},
	{family: "network", name: "TOR Exit Node Connection", sources: pick(srcNetwork, 0, 2, 1), severity: "Moderate",
		titles: mustPhrasings("Connection with TOR exit node {dstip}", "TOR traffic from {hostip}"),
		descs: mustPhrasings("{hostip} communicated with known TOR exit node {dstip} on port {port}.",
			"Threat feed match: {dstip} is a TOR exit relay; internal peer {hostip}.")},
	{family: "network", name: "Large Outbound Transfer", sources: pick(srcNetwork, 3, 0, 1, 4), severity: "Moderate",
		titles: mustPhrasings("Large upload from {hostip} to {dstip}", "{size} sent to external host {domain}", "Unusual outbound data volume from {hostip}"),
		descs: mustPhrasings("{hostip} transferred {size} to {dstip} ({domain}) over port {port} in one session.",
			"Outbound bytes exceeded baseline: src {hostip} dst {domain} volume {size}.")},
	{family: "network", name: "SMB Lateral Movement", sources: pick(srcNetwork, 1, 4), severity: "High", internalSrc: true,
		titles: mustPhrasings("SMB admin share access from {srcip} to {hostip}", "Lateral movement over SMB to {hostip}"),
		descs: mustPhrasings("{srcip} wrote an executable to ADMIN$ on {hostip}.",
			"New SMB connections from {srcip} to {count} hosts, including {hostip}.")},
	{family: "network", name: "Connection to Known C2", sources: pick(srcNetwork, 0, 2, 1, 5), severity: "Critical",
		titles: mustPhrasings("Traffic to known C2 server {dstip}", "Threat intel hit: {domain}", "Outbound connection to malicious infrastructure"),
		descs: mustPhrasings("{hostip} connected to {domain} ({dstip}:{port}), listed as command-and-control.",
			"IOC match\nclient: {hostip}\nindicator: {domain}\nresolved: {dstip}")},
	{family: "network", name: "Cleartext Credentials Observed", sources: pick(srcNetwork, 1, 0), severity: "Low", internalSrc: true,
		titles: mustPhrasings("Cleartext password seen from {srcip}", "Unencrypted authentication on port {port}"),
		descs: mustPhrasings("Credentials sent in cleartext from {srcip} to {hostip}:{port}.",
			"Plaintext login detected, protocol on port {port}, client {srcip}.")},
	{family: "network", name: "Unusual RDP Connection", sources: pick(srcNetwork, 1, 3, 4), severity: "Moderate", internalSrc: true,
		titles: mustPhrasings("Unusual RDP session from {srcip} to {hostip}", "RDP from workstation to server {host}"),
		descs: mustPhrasings("First RDP connection observed from {srcip} to {hostip} ({host}).",
			"Rare remote desktop pair: {srcip} -> {hostip}, user {user}.")},
	{family: "network", name: "Suspicious User Agent", sources: pick(srcNetwork, 0, 5), severity: "Low",
		titles: mustPhrasings("Scripted user agent from {hostip}", "Rare HTTP user agent to {domain}"),
		descs: mustPhrasings("{hostip} requested {url} with user agent python-requests/2.31.",
			"Uncommon user agent string from {hostip} to {domain}.")},
	{family: "network", name: "Newly Registered Domain", sources: pick(srcNetwork, 0, 1, 5), severity: "Low",
		titles: mustPhrasings("Access to newly registered domain {domain}", "Domain younger than 7 days visited by {hostip}"),
		descs: mustPhrasings("{hostip} resolved {domain}, registered {count} days ago.",
			"NRD visit: {url} from {hostip} ({user}).")},

	{family: "network", name: "Crypto Mining Pool Connection", sources: pick(srcNetwork, 0, 1, 2, 4), severity: "Moderate",
		titles: mustPhrasings("Stratum protocol traffic from {hostip}", "Connection to mining pool {domain}"),
		descs: mustPhrasings("{hostip} opened a stratum+tcp session to {domain}:{port}.",
			"Cryptocurrency mining indicators from {hostip} ({host}).")},

	// email
	{family: "email", name: "Phishing Reported by User", sources: pick(srcEmail, 0, 1, 2), severity: "Moderate",
		titles: mustPhrasings("User reported phishing: {subject}", "Suspicious email reported by {user}", "Phish report - {sender}"),
		descs: mustPhrasings("{user} reported a message from {sender} with subject \"{subject}\". Link: {url}",
			"Reported message\nFrom: {sender}\nTo: {user}\nSubject: {subject}",
			"Email flagged by recipient {user}. Sender domain {domain}.")},
	{family: "email", name: "Malicious Attachment Delivered", sources: pick(srcEmail, 0, 1, 2), severity: "High",
		titles: mustPhrasings("Malicious attachment {file} delivered to {user}", "Malware in email from {sender}", "Attachment detonation verdict: malicious"),
		descs: mustPhrasings("Attachment {file} (sha256 {hash}) from {sender} delivered to {user}. Subject: {subject}",
			"Sandbox verdict malicious for {file}; recipient {user}; sender {sender}.")},
	{family: "email", name: "Mailbox Forwarding Rule Created", sources: pick(srcEmail, 3, 0), severity: "High",
		titles: mustPhrasings("Inbox rule forwarding mail externally for {user}", "New forwarding rule on mailbox {user}", "Suspicious inbox rule created"),
		descs: mustPhrasings("New-InboxRule by {user} forwards messages to an address at {domain}. Client IP {srcip}.",
			"Mailbox {user} now redirects mail containing 'invoice' to external domain {domain}.")},
	{family: "email", name: "Suspicious Link Clicked", sources: pick(srcEmail, 0, 1, 2), severity: "High",
		titles: mustPhrasings("{user} clicked a malicious URL", "Safe Links click on {domain}", "URL click allowed: {url}"),
		descs: mustPhrasings("{user} clicked {url} in a message from {sender}; verdict phishing.",
			"Click event\nUser: {user}\nURL: {url}\nDevice: {host}")},
	{family: "email", name: "Spoofed Internal Sender", sources: pick(srcEmail, 1, 2, 0), severity: "Moderate",
		titles: mustPhrasings("Display name spoofing of {user}", "External email impersonating internal user"),
		descs: mustPhrasings("Message from {sender} used display name of {user}. Subject: {subject}",
			"SPF fail / DMARC fail for message claiming to be from {user}, real sender {sender}.")},
	{family: "email", name: "Business Email Compromise Keywords", sources: pick(srcEmail, 1, 0), severity: "Moderate",
		titles: mustPhrasings("Possible BEC: payment change request to {user}", "Urgent wire transfer email from {sender}"),
		descs: mustPhrasings("Email to {user} from {sender} asks to change bank details. Subject: {subject}",
			"BEC language detected (urgent, wire, confidential) in message to {user}.")},
	{family: "email", name: "Mass Email Sent by User", sources: pick(srcEmail, 3, 2), severity: "Moderate",
		titles: mustPhrasings("{user} sent {count} emails in 10 minutes", "Outbound spam from mailbox {user}"),
		descs: mustPhrasings("Mailbox {user} sent {count} messages to external recipients, subject \"{subject}\".",
			"Sending threshold exceeded for {user}; {count} messages.")},

	{family: "email", name: "Quarantine Release Requested", sources: pick(srcEmail, 0, 2), severity: "Low",
		titles: mustPhrasings("{user} requested release of quarantined email", "Release request for message from {sender}"),
		descs: mustPhrasings("{user} asked to release a message from {sender} with subject \"{subject}\".",
			"Quarantine release request; verdict phish; recipient {user}.")},

	// cloud
	{family: "cloud", name: "New Access Key Created", sources: pick(srcCloud, 0, 1, 3, 2), severity: "Moderate",
		titles: mustPhrasings("New access key {key} created for {user}", "Long-lived credential created in account {account}", "Programmatic key issued to {user}"),
		descs: mustPhrasings("CreateAccessKey by {user} in account {account} ({region}); key {key}.",
			"A new API credential {key} was created for principal {user} from {srcip}.")},
	{family: "cloud", name: "Public Storage Bucket", sources: pick(srcCloud, 1, 0, 2, 3), severity: "High",
		titles: mustPhrasings("Bucket {bucket} is publicly readable", "Public access enabled on {bucket}", "Storage exposed to the internet in {account}"),
		descs: mustPhrasings("PutBucketAcl by {user} made {bucket} public in account {account} ({region}).",
			"Resource {bucket} allows anonymous read. Account {account}. Changed by {user}.")},
	{family: "cloud", name: "IAM Policy Change", sources: pick(srcCloud, 1, 0, 2, 3, 4), severity: "Moderate",
		titles: mustPhrasings("IAM policy {policy} modified", "Privileged role change in {account}", "{user} attached {policy}"),
		descs: mustPhrasings("{user} attached policy {policy} in account {account} from {srcip}.",
			"Role assignment changed: principal {user}, role {policy}, scope {account}.")},
	{family: "cloud", name: "Console Login Without MFA", sources: pick(srcCloud, 0, 2, 3, 4), severity: "High",
		titles: mustPhrasings("Console login without MFA by {user}", "{user} signed in to cloud console with password only"),
		descs: mustPhrasings("ConsoleLogin success, MFAUsed=No, user {user}, account {account}, source {srcip} ({country}).",
			"Portal sign-in for {user} without a second factor from {srcip}.")},
	{family: "cloud", name: "Security Group Open to Internet", sources: pick(srcCloud, 1, 0, 2, 3), severity: "High",
		titles: mustPhrasings("Security group allows 0.0.0.0/0 on port {port}", "Firewall rule opened to the internet in {account}"),
		descs: mustPhrasings("{user} added an ingress rule 0.0.0.0/0:{port} in account {account} ({region}).",
			"Inbound {port}/tcp open to any source; changed by {user}.")},
	{family: "cloud", name: "Audit Logging Disabled", sources: pick(srcCloud, 0, 1, 2, 3), severity: "Critical",
		titles: mustPhrasings("Audit trail stopped in {account}", "Cloud logging disabled by {user}"),
		descs: mustPhrasings("StopLogging called by {user} in account {account} ({region}).",
			"Diagnostic settings removed in {account} by {user} from {srcip}.")},
	{family: "cloud", name: "Root Account Usage", sources: pick(srcCloud, 0, 1, 4), severity: "High",
		titles: mustPhrasings("Root credentials used in {account}", "Break-glass account activity"),
		descs: mustPhrasings("Root user performed {count} API calls in account {account} from {srcip}.",
			"Highest-privilege identity signed in to {account}; source {srcip} ({country}).")},
	{family: "cloud", name: "Unusual API Call Volume", sources: pick(srcCloud, 0, 2, 3, 4), severity: "Moderate",
		titles: mustPhrasings("Anomalous API activity by {user}", "{count} List/Describe calls in {account}"),
		descs: mustPhrasings("{user} issued {count} enumeration API calls in {account} ({region}) from {srcip}.",
			"Discovery behaviour: principal {user}, calls {count}, region {region}.")},
	{family: "cloud", name: "Snapshot Shared Externally", sources: pick(srcCloud, 1, 0, 2), severity: "High",
		titles: mustPhrasings("Disk snapshot shared outside the organisation", "Snapshot permissions changed in {account}"),
		descs: mustPhrasings("{user} shared a snapshot from {account} with an external account.",
			"ModifySnapshotAttribute createVolumePermission add by {user}; region {region}.")},

	// DLP
	{family: "dlp", name: "USB Mass Storage Copy", sources: pick(srcDLP, 0, 2, 3), severity: "Moderate",
		titles: mustPhrasings("{count} files copied to USB by {user}", "Removable media write on {host}", "Data copied to {device}"),
		descs: mustPhrasings("{user} copied {count} files ({size}) to {device} on {host}, including {file}.",
			"Endpoint DLP: copy to removable storage\nUser: {user}\nDevice: {device}\nFile: {file}")},
	{family: "dlp", name: "Sensitive File Upload to Cloud Storage", sources: pick(srcDLP, 1, 0, 3), severity: "High",
		titles: mustPhrasings("Sensitive file uploaded to {domain}", "{user} uploaded {file} to personal cloud", "Upload of confidential data to unsanctioned app"),
		descs: mustPhrasings("{user} uploaded {file} ({size}) to {domain} from {host}. Match: credit card numbers.",
			"Cloud app upload allowed. User {user}, app {domain}, file {file}.")},
	{family: "dlp", name: "Sensitive Data Emailed to Personal Address", sources: pick(srcDLP, 0, 2, 3), severity: "High",
		titles: mustPhrasings("{user} emailed {file} to a personal address", "Confidential attachment sent to webmail"),
		descs: mustPhrasings("Message from {user} to an address at {domain} contained {file} with customer PII.",
			"Policy 'PII external' matched: sender {user}, attachment {file}, size {size}.")},
	{family: "dlp", name: "Bulk File Download", sources: pick(srcDLP, 0, 1), severity: "Moderate",
		titles: mustPhrasings("{user} downloaded {count} files from SharePoint", "Mass download from document library"),
		descs: mustPhrasings("{user} downloaded {count} files ({size}) from the Finance site on {host}.",
			"Unusual download volume for {user}: {count} files in 15 minutes.")},
	{family: "dlp", name: "Classified Document Printed", sources: pick(srcDLP, 3, 2), severity: "Low",
		titles: mustPhrasings("Confidential document printed by {user}", "Print of {file} on {host}"),
		descs: mustPhrasings("{user} printed {file} labelled Confidential from {host}.",
			"Print job with sensitivity label Restricted: {file}.")},

	// vulnerability / scanner / web
	{family: "vuln", name: "Critical Vulnerability Detected", sources: pick(srcVuln, 0, 1, 2), severity: "High",
		titles: mustPhrasings("{cve} found on {host}", "Critical vulnerability on {host}", "Unpatched {software} ({cve})"),
		descs: mustPhrasings("Scan found {cve} (CVSS 9.8) in {software} on {host} ({hostip}).",
			"Vulnerability: {cve}\nAsset: {host}\nSoftware: {software}\nSeverity: critical")},
	{family: "vuln", name: "Exploit Attempt", sources: pick(srcWeb, 3, 0), severity: "High",
		titles: mustPhrasings("Exploit attempt for {cve} against {hostip}", "IPS signature hit from {srcip}"),
		descs: mustPhrasings("{srcip} sent a payload matching {cve} to {hostip}:{port}.",
			"Intrusion prevention alert, attacker {srcip}, victim {host}, signature {cve}.")},
	{family: "vuln", name: "SQL Injection Attempt", sources: pick(srcWeb, 0, 1, 2), severity: "Moderate",
		titles: mustPhrasings("SQL injection blocked from {srcip}", "SQLi payload to {url}"),
		descs: mustPhrasings("{srcip} ({country}) sent UNION SELECT payloads to {url}; {count} requests blocked.",
			"WAF rule 942100 matched for client {srcip} on {url}.")},
	{family: "vuln", name: "Path Traversal Attempt", sources: pick(srcWeb, 0, 1, 2), severity: "Moderate",
		titles: mustPhrasings("Directory traversal attempt from {srcip}", "../ sequences in request to {url}"),
		descs: mustPhrasings("{srcip} requested {url}?file=../../../../etc/passwd ({count} times).",
			"Traversal pattern blocked for client {srcip}; target {host}.")},
	{family: "vuln", name: "Scanner Authentication Failure", sources: pick(srcVuln, 0, 1, 2), severity: "Low",
		titles: mustPhrasings("Credentialed scan failed on {host}", "Scanner could not authenticate to {hostip}"),
		descs: mustPhrasings("Authenticated scan of {host} failed: access denied for scan account from {srcip}.",
			"Scan job error on {hostip}: login failure, port {port}.")},
	{family: "vuln", name: "End-of-Life Software", sources: pick(srcVuln, 0, 1, 2), severity: "Low",
		titles: mustPhrasings("Unsupported software {software} on {host}", "EOL software detected"),
		descs: mustPhrasings("{software} is out of vendor support on {host}.",
			"Asset {host} ({hostip}) runs {software}, no longer patched.")},
}

// allRules expands the catalogue into rules, one per technique × source.
func allRules() []rule {
	var rs []rule
	for _, t := range techniques {
		for _, s := range t.sources {
			rs = append(rs, rule{name: s + " - " + t.name, tech: t, src: s})
		}
	}
	return rs
}

// RuleCount reports how many distinct detection rules the generator knows.
func RuleCount() int { return len(allRules()) }
