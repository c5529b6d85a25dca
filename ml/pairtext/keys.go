package pairtext

import (
	"strings"
	"unicode"
)

// MatchKeys turns entities into canonical match keys, so that the same user
// or host written differently by different products matches: ACME\enielsen,
// e.nielsen and e.nielsen@acme.com all give "user:enielsen", and
// john.smith also gives "user:jsmith" (first initial + last name), the form
// directory accounts often take. Keys are lower case letters and digits after
// the kind prefix; the same key never comes twice.
func MatchKeys(s EntitySet) []string {
	seen := map[string]bool{}
	var out []string
	add := func(kind, v string) {
		v = alnum(v)
		if len(v) < 3 {
			return
		}
		k := kind + ":" + v
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, e := range s {
		switch e.Kind {
		case User:
			userKeys(e.Value, func(v string) { add("user", v) })
		case Email:
			local, domain, _ := strings.Cut(e.Value, "@")
			userKeys(local, func(v string) { add("user", v) })
			add("domain", domain)
		case Host:
			short, _, _ := strings.Cut(e.Value, ".")
			add("host", short)
		case IP:
			add("ip", strings.ReplaceAll(strings.ReplaceAll(e.Value, ".", "x"), ":", "y"))
		default:
			add(e.Kind.String(), e.Value)
		}
	}
	return out
}

// userKeys emits the collapsed account name and, for "first.last" forms,
// the first initial + last name.
func userKeys(v string, emit func(string)) {
	v = strings.ToLower(v)
	if i := strings.LastIndexAny(v, `\/`); i >= 0 { // DOMAIN\user, arn:...:user/name
		v = v[i+1:]
	}
	v, _, _ = strings.Cut(v, "@")
	emit(v)
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(parts) >= 2 && len(parts[0]) > 0 {
		emit(parts[0][:1] + parts[len(parts)-1])
	}
}

func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
