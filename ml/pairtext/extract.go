package pairtext

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	emailRE    = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9._%+-]*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}\b`)
	ipv4RE     = regexp.MustCompile(`\d{1,3}(?:\.\d{1,3}){3}`)
	ipv6RE     = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}`)
	hashRE     = regexp.MustCompile(`\b[0-9a-fA-F]{32,128}\b`)
	domainRE   = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})\b`)
	samUserRE  = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_.-]{0,30})\\([A-Za-z0-9][A-Za-z0-9._$-]{1,63})`)
	kvUserRE   = regexp.MustCompile(`(?i)\b(?:user(?:name)?|account|login|upn|samaccountname)\s*[:=]\s*"?([A-Za-z0-9][A-Za-z0-9._$-]{1,63})`)
	hostRE     = regexp.MustCompile(`(?i)\b[a-z]{2,8}(?:-[a-z0-9]{1,15}){1,3}\b`)
	dotUserRE  = regexp.MustCompile(`(?i)\b[a-z]\.[a-z][a-z'-]{1,30}[0-9]{0,3}\b`)
	hashLength = map[int]bool{32: true, 40: true, 64: true, 128: true}
)

// Public TLDs seen in SOC text; a dotted word whose last label is not one of
// these (powershell.exe, j.smith, invoice.xlsm) is no domain.
var tlds = setOf("com", "net", "org", "info", "io", "top", "xyz", "online", "site", "live", "click", "biz", "me",
	"cc", "tk", "ml", "ga", "cf", "gq", "pw", "su", "ws", "co", "us", "uk", "de", "fr", "nl", "eu", "ru", "cn",
	"jp", "br", "in", "au", "ca", "ch", "se", "no", "es", "it", "pl", "ua", "kr", "ir", "nz", "za", "mx", "ar",
	"cl", "tr", "gr", "pt", "ro", "cz", "hu", "at", "be", "dk", "fi", "ie", "il", "sg", "hk", "tw", "vn", "th",
	"id", "my", "ph", "ng", "ke", "eg", "ae", "sa", "pk", "bd", "app", "dev", "cloud", "shop", "store", "tech",
	"space", "website", "club", "link", "pro", "mobi", "name", "tv", "fm", "ly", "to", "gg", "sh", "ai", "gov",
	"edu", "mil", "int", "onion", "icu", "buzz", "rest", "fun", "work", "today", "email", "network", "services")

// Internal DNS suffixes: a name ending in one is a host, not a domain.
var internalSuffixes = setOf("local", "corp", "lan", "internal", "intra", "localdomain", "ad", "home")

// Hyphenated words that look like hosts but are identifiers or standards.
var notHostPrefixes = setOf("cve", "cwe", "ghsa", "sha", "md", "tls", "ssl", "utf", "iso", "rfc", "ms", "kb",
	"aes", "rsa", "covid", "win", "windows", "server", "office", "ta", "inc", "sec", "soc", "case", "tkt",
	"ticket", "ir", "sir", "req", "chg", "prb", "ritm", "task", "jira", "rule", "event", "id", "port", "x")

// File extensions that end dotted words that are no user (a.exe).
var fileExts = setOf("exe", "dll", "bat", "cmd", "ps1", "psm1", "vbs", "js", "sct", "hta", "txt", "log", "zip",
	"rar", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf", "lnk", "iso", "msi", "jar",
	"py", "sh", "csv", "json", "xml", "html", "htm", "tmp", "dat", "bin", "sys", "png", "jpg")

// Accounts that every Windows host has; sharing them says nothing.
var builtinUsers = setOf("system", "local service", "network service", "administrator", "guest")

// countries maps a country name's first word to the names starting with it,
// longest first; a list for travel-style alerts, matched without a regexp
// because a 50-way alternation costs more than all other extractors.
var countries = func() map[string][]string {
	names := []string{"United States", "United Kingdom", "Germany", "India", "Netherlands", "Spain", "France",
		"Italy", "Brazil", "Mexico", "Japan", "Singapore", "Australia", "Canada", "Turkey",
		"United Arab Emirates", "South Africa", "Poland", "Romania", "Nigeria", "Vietnam", "Thailand",
		"Argentina", "Portugal", "Ireland", "Sweden", "Switzerland", "Israel", "Egypt", "Indonesia",
		"Philippines", "Colombia", "Czech Republic", "Ukraine", "South Korea", "North Korea", "China", "Russia",
		"Iran", "Kenya", "Greece", "Norway", "Finland", "Chile", "Belgium", "Austria", "Denmark", "Pakistan",
		"Bangladesh", "Malaysia", "Saudi Arabia", "Hong Kong", "Taiwan", "New Zealand", "Belarus", "Kazakhstan"}
	slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	m := make(map[string][]string, len(names))
	for _, n := range names {
		first, _, _ := strings.Cut(n, " ")
		m[first] = append(m[first], n)
	}
	return m
}()

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// extract finds entities in one text. Extractors run from most to least
// specific; a match overlapping an earlier one is skipped, so the domain of
// an email or the host of a FQDN is not counted twice.
func extract(text string) []Entity {
	type found struct {
		at  int
		ent Entity
	}
	var (
		out   []found
		taken [][2]int
	)
	free := func(s, e int) bool {
		for _, t := range taken {
			if s < t[1] && t[0] < e {
				return false
			}
		}
		return true
	}
	claim := func(s, e int, ent Entity) {
		taken = append(taken, [2]int{s, e})
		if ent.Value != "" {
			out = append(out, found{s, ent})
		}
	}
	scan := func(re *regexp.Regexp, fn func(m []int) (Entity, bool)) {
		if !maybe[re](text) {
			return
		}
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			if !free(m[0], m[1]) {
				continue
			}
			if ent, ok := fn(m); ok {
				claim(m[0], m[1], ent)
			}
		}
	}

	scan(emailRE, func(m []int) (Entity, bool) {
		return Entity{Email, strings.ToLower(text[m[0]:m[1]])}, true
	})
	scan(ipv4RE, func(m []int) (Entity, bool) {
		if digitOrDot(before(text, m[0])) || digitAfterDot(text, m[1]) {
			return Entity{}, false
		}
		a, err := netip.ParseAddr(text[m[0]:m[1]])
		if err != nil || !a.Is4() {
			return Entity{}, false
		}
		return Entity{IP, a.String()}, true
	})
	scan(ipv6RE, func(m []int) (Entity, bool) {
		s := text[m[0]:m[1]]
		if isHexOrColon(before(text, m[0])) || isHexOrColon(after(text, m[1])) || strings.Trim(s, ":") == "" {
			return Entity{}, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return Entity{}, false
		}
		return Entity{IP, a.String()}, true
	})
	scan(hashRE, func(m []int) (Entity, bool) {
		return Entity{Hash, strings.ToLower(text[m[0]:m[1]])}, hashLength[m[1]-m[0]]
	})
	scan(domainRE, func(m []int) (Entity, bool) {
		if b := before(text, m[0]); b == '-' || b == '.' || b == '@' {
			return Entity{}, false
		}
		name := strings.ToLower(text[m[0]:m[1]])
		tld := strings.ToLower(text[m[2]:m[3]])
		switch {
		case internalSuffixes[tld]:
			return Entity{Host, normHost(name)}, true
		case tlds[tld]:
			return Entity{Domain, name}, true
		}
		return Entity{}, false
	})
	scan(samUserRE, func(m []int) (Entity, bool) {
		if b := before(text, m[0]); b == '\\' || b == ':' || b == '/' || after(text, m[1]) == '\\' {
			return Entity{}, false // a path, not DOMAIN\user
		}
		u := strings.ToLower(strings.TrimRight(text[m[4]:m[5]], "."))
		return Entity{User, u}, !builtinUsers[u]
	})
	scan(kvUserRE, func(m []int) (Entity, bool) {
		u := strings.ToLower(strings.TrimRight(text[m[2]:m[3]], ".-"))
		if !strings.ContainsFunc(u, unicode.IsLetter) || builtinUsers[u] {
			return Entity{}, false
		}
		return Entity{User, u}, true
	})
	scan(hostRE, func(m []int) (Entity, bool) {
		s := text[m[0]:m[1]]
		b, a := before(text, m[0]), after(text, m[1])
		if b == '.' || b == '@' || b == '/' || b == '-' || a == '@' || a == '-' || (a == '.' && isAlnum(after(text, m[1]+1))) {
			return Entity{}, false
		}
		segs := strings.Split(s, "-")
		if notHostPrefixes[strings.ToLower(segs[0])] || !strings.ContainsAny(segs[len(segs)-1], "0123456789") {
			return Entity{}, false
		}
		return Entity{Host, strings.ToUpper(s)}, true
	})
	scan(dotUserRE, func(m []int) (Entity, bool) {
		s := text[m[0]:m[1]]
		b, a := before(text, m[0]), after(text, m[1])
		if strings.ContainsRune("./\\@-", b) || a == '@' || (a == '.' && isAlnum(after(text, m[1]+1))) {
			return Entity{}, false
		}
		if fileExts[strings.ToLower(s[2:])] {
			return Entity{}, false
		}
		return Entity{User, strings.ToLower(s)}, true
	})
	for _, m := range findCountries(text) {
		if free(m[0], m[1]) {
			claim(m[0], m[1], Entity{Country, text[m[0]:m[1]]})
		}
	}

	// Report in order of position so "first seen" means first in the text.
	slices.SortStableFunc(out, func(x, y found) int { return x.at - y.at })
	var ents []Entity
	for _, f := range out {
		ents = append(ents, f.ent)
	}
	return ents
}

// maybe is a cheap test that text could hold a match, to skip the regexp.
var maybe = map[*regexp.Regexp]func(string) bool{
	emailRE:   func(s string) bool { return strings.IndexByte(s, '@') >= 0 },
	ipv4RE:    func(s string) bool { return strings.Count(s, ".") >= 3 },
	ipv6RE:    func(s string) bool { return strings.Count(s, ":") >= 2 },
	hashRE:    func(s string) bool { return len(s) >= 32 },
	domainRE:  func(s string) bool { return strings.IndexByte(s, '.') >= 0 },
	samUserRE: func(s string) bool { return strings.IndexByte(s, '\\') >= 0 },
	kvUserRE:  func(s string) bool { return strings.ContainsAny(s, ":=") },
	hostRE:    func(s string) bool { return strings.IndexByte(s, '-') >= 0 },
	dotUserRE: func(s string) bool { return strings.IndexByte(s, '.') >= 0 },
}

// findCountries returns the byte spans of country names that start at a
// capitalized word.
func findCountries(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < 'A' || c > 'Z' || isAlnum(before(text, i)) {
			continue
		}
		j := i + 1
		for j < len(text) && ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z')) {
			j++
		}
		for _, name := range countries[text[i:j]] {
			if strings.HasPrefix(text[i:], name) && !isAlnum(after(text, i+len(name))) {
				out = append(out, [2]int{i, i + len(name)})
				j = i + len(name)
				break
			}
		}
		i = j - 1
	}
	return out
}

// before is the rune ending at byte i, or 0 at the start.
func before(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// after is the rune starting at byte i, or 0 at the end.
func after(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func digitOrDot(r rune) bool { return r == '.' || (r >= '0' && r <= '9') }

// digitAfterDot reports "1.2.3.4.5": the match continues as a longer number.
func digitAfterDot(s string, i int) bool {
	if r := after(s, i); r >= '0' && r <= '9' {
		return true
	}
	return after(s, i) == '.' && after(s, i+1) >= '0' && after(s, i+1) <= '9'
}

func isHexOrColon(r rune) bool {
	return r == ':' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
