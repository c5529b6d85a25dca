package pairtext

import (
	"strings"

	"github.com/precedent/precedent/data"
)

// Kind is the type of an extracted entity.
type Kind uint8

// Entity kinds, in the order pair text lists them.
const (
	User Kind = iota
	Host
	IP
	Domain
	Email
	Hash
	Country
	numKinds
)

var kindNames = [numKinds]string{"user", "host", "ip", "domain", "email", "hash", "country"}
var kindPlurals = [numKinds]string{"users", "hosts", "ips", "domains", "emails", "hashes", "countries"}

// String is the kind's singular name, e.g. "ip".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind?"
}

// Entity is one normalized entity: users, emails, domains and hashes lower
// case, hosts upper case short names, IPs in canonical form.
type Entity struct {
	Kind  Kind
	Value string
}

// EntitySet lists distinct entities grouped by kind, in order of first
// appearance within a kind.
type EntitySet []Entity

// Has reports whether s holds e.
func (s EntitySet) Has(e Entity) bool {
	for _, x := range s {
		if x == e {
			return true
		}
	}
	return false
}

// Shared is the entities of s also in other, in s's order.
func (s EntitySet) Shared(other EntitySet) EntitySet {
	var out EntitySet
	for _, e := range s {
		if other.Has(e) {
			out = append(out, e)
		}
	}
	return out
}

// Without is the entities of s not in other, in s's order.
func (s EntitySet) Without(other EntitySet) EntitySet {
	var out EntitySet
	for _, e := range s {
		if !other.Has(e) {
			out = append(out, e)
		}
	}
	return out
}

// Entities extracts what a ticket knew when it opened: its User and Host
// fields, then entities found in the title, description and extra columns.
// Close notes are left out, so the result is safe for the query side.
func Entities(t data.Ticket) EntitySet {
	var s EntitySet
	add := func(e Entity) {
		if e.Value != "" && !s.Has(e) {
			s = append(s, e)
		}
	}
	if t.User != "" {
		add(userField(t.User))
	}
	if t.Host != "" {
		add(Entity{Host, normHost(t.Host)})
	}
	for _, text := range ticketTexts(t) {
		for _, e := range extract(text) {
			add(e)
		}
	}
	return byKind(s)
}

// ticketTexts is the query-visible free text, extra columns in key order.
func ticketTexts(t data.Ticket) []string {
	texts := []string{t.Title, t.Description}
	for _, k := range sortedKeys(t.Extra) {
		texts = append(texts, t.Extra[k])
	}
	return texts
}

// userField normalizes a User column: an address is an email, DOMAIN\user
// keeps the user.
func userField(v string) Entity {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "@") && emailRE.MatchString(v) {
		return Entity{Email, strings.ToLower(v)}
	}
	if i := strings.LastIndexByte(v, '\\'); i >= 0 {
		v = v[i+1:]
	}
	return Entity{User, strings.ToLower(v)}
}

// normHost reduces FQDNs to the upper-case short name, so WS-FIN-0231 and
// ws-fin-0231.corp.local are one host.
func normHost(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '.'); i > 0 && !isIPv4Like(v) {
		v = v[:i]
	}
	return strings.ToUpper(v)
}

func isIPv4Like(v string) bool {
	return strings.Trim(v, "0123456789.") == ""
}

// byKind orders s by kind, keeping appearance order within a kind.
func byKind(s EntitySet) EntitySet {
	out := make(EntitySet, 0, len(s))
	for k := range numKinds {
		for _, e := range s {
			if e.Kind == k {
				out = append(out, e)
			}
		}
	}
	return out
}
