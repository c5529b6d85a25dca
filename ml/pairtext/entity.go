package pairtext

import (
	"net/netip"
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
	Asset // an asset ID from an asset-named column (Splunk's asset IDs look like hashes)
	numKinds
)

var kindNames = [numKinds]string{"user", "host", "ip", "domain", "email", "hash", "country", "asset"}
var kindPlurals = [numKinds]string{"users", "hosts", "ips", "domains", "emails", "hashes", "countries", "assets"}

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
//
// Placeholders ("?", "-", "N/A", "none", data.Placeholder) are never
// entities; a Host field that does not look like a host name or address (an
// assignment group such as "SOC L2") is no host; columns that name a group,
// queue or team are not read; hashes and bare IDs in a column that names an
// asset are of kind Asset.
func Entities(t data.Ticket) EntitySet {
	var s EntitySet
	add := func(e Entity) {
		if e.Value != "" && !data.Placeholder(e.Value) && !s.Has(e) {
			s = append(s, e)
		}
	}
	if !data.Placeholder(t.User) {
		add(userField(t.User))
	}
	if e, ok := hostField(t.Host); ok {
		add(e)
	}
	for _, text := range []string{t.Title, t.Description} {
		for _, e := range extract(text) {
			add(e)
		}
	}
	for _, k := range sortedKeys(t.Extra) {
		v := t.Extra[k]
		if groupColumn(k) || data.Placeholder(v) {
			continue
		}
		ents := extract(v)
		if assetColumn(k) {
			for i, e := range ents {
				if e.Kind == Hash {
					ents[i].Kind = Asset
				}
			}
			if bare := strings.TrimSpace(v); len(ents) == 0 && bare != "" && !strings.ContainsAny(bare, " \t\n") {
				ents = append(ents, Entity{Asset, strings.ToLower(bare)})
			}
		}
		for _, e := range ents {
			add(e)
		}
	}
	return byKind(s)
}

// groupColumn reports a column that names who works a ticket (assignment
// group, queue, team): its values are never entities.
func groupColumn(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"group", "queue", "team"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// assetColumn reports a column that names an asset ("asset", "asset_id",
// "dest_asset_id").
func assetColumn(name string) bool { return strings.Contains(strings.ToLower(name), "asset") }

// hostField reads a Host column: a host name (short or fully qualified) or
// an IP address. A value with spaces or other characters no host name has
// ("SOC L2", "Service Desk") is no host.
func hostField(v string) (Entity, bool) {
	v = strings.TrimSpace(v)
	if data.Placeholder(v) || len(v) > 253 {
		return Entity{}, false
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return Entity{IP, a.String()}, true
	}
	for _, label := range strings.Split(strings.TrimSuffix(v, "."), ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return Entity{}, false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return Entity{}, false
			}
		}
	}
	return Entity{Host, normHost(v)}, true
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
