package mining

import (
	"sort"
	"strings"

	"github.com/precedent/precedent/data"
)

// minBridges is how many different tickets must cite into two groups before
// the groups merge. One citation can be a wrong key (about 4% of citations
// in real notes are), and merging through it would make every pair between
// the two groups a false positive.
const minBridges = 2

// commonShare is the share of the archive's tickets above which a host or
// user value is too common to show that two tickets belong together (a
// shared server, the SOAR account).
const commonShare = 0.01

// grouping is a union-find over ticket indexes that also keeps, per group,
// its size, the host and user values of its members, and the queries that
// cited into it and into another group.
type grouping struct {
	parent  []int
	size    []int
	keys    []map[string]bool      // by root: agreement keys of the members (agreeKeys)
	bridges []map[int]map[int]bool // by root: other root → queries that cited into both
	common  map[string]bool        // agreement keys too common to count
	tickets []data.Ticket
}

func newGrouping(tickets []data.Ticket) *grouping {
	g := &grouping{parent: make([]int, len(tickets)), size: make([]int, len(tickets)),
		keys: make([]map[string]bool, len(tickets)), bridges: make([]map[int]map[int]bool, len(tickets)),
		common: commonKeys(tickets), tickets: tickets}
	for i := range g.parent {
		g.parent[i], g.size[i] = i, 1
	}
	return g
}

func (g *grouping) find(x int) int {
	for g.parent[x] != x {
		g.parent[x] = g.parent[g.parent[x]]
		x = g.parent[x]
	}
	return x
}

// union joins the groups of a and b, the smaller into the larger, and
// returns the new root.
func (g *grouping) union(a, b int) int {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return ra
	}
	if g.size[ra] > g.size[rb] {
		ra, rb = rb, ra
	}
	g.parent[ra] = rb
	g.size[rb] += g.size[ra]
	if g.keys[ra] == nil {
		g.keys[ra] = agreeKeys(&g.tickets[ra])
	}
	if g.keys[rb] == nil {
		g.keys[rb] = agreeKeys(&g.tickets[rb])
	}
	for k := range g.keys[ra] {
		g.keys[rb][k] = true
	}
	g.keys[ra] = nil
	for other, qs := range g.bridges[ra] {
		delete(g.bridges[other], ra)
		if other == rb {
			delete(g.bridges[rb], ra)
			continue
		}
		g.bridge(rb, other, qs)
	}
	g.bridges[ra] = nil
	return rb
}

// bridge records that the queries qs cited into both groups a and b, and
// returns how many different queries did so far.
func (g *grouping) bridge(a, b int, qs map[int]bool) int {
	for _, p := range [][2]int{{a, b}, {b, a}} {
		if g.bridges[p[0]] == nil {
			g.bridges[p[0]] = map[int]map[int]bool{}
		}
		m := g.bridges[p[0]][p[1]]
		if m == nil {
			m = map[int]bool{}
			g.bridges[p[0]][p[1]] = m
		}
		for q := range qs {
			m[q] = true
		}
	}
	return len(g.bridges[a][b])
}

// agrees reports whether ticket t shares a host or user with the group of
// root r, other than a placeholder or a value too common to count.
func (g *grouping) agrees(t, r int) bool {
	keys := g.keys[r]
	if keys == nil {
		keys = agreeKeys(&g.tickets[r])
	}
	for k := range agreeKeys(&g.tickets[t]) {
		if keys[k] && !g.common[k] {
			return true
		}
	}
	return false
}

// agreeKeys is a ticket's host and user as agreement keys ("h:ws-fin-0231",
// "u:jdoe"); placeholders are left out.
func agreeKeys(t *data.Ticket) map[string]bool {
	m := map[string]bool{}
	if !data.Placeholder(t.Host) {
		m["h:"+strings.ToLower(strings.TrimSpace(t.Host))] = true
	}
	if !data.Placeholder(t.User) {
		m["u:"+strings.ToLower(strings.TrimSpace(t.User))] = true
	}
	return m
}

// commonKeys is the agreement keys held by more than commonShare of the
// tickets (and by more than two).
func commonKeys(tickets []data.Ticket) map[string]bool {
	n := map[string]int{}
	for i := range tickets {
		for k := range agreeKeys(&tickets[i]) {
			n[k]++
		}
	}
	limit := max(2, int(commonShare*float64(len(tickets))))
	out := map[string]bool{}
	for k, c := range n {
		if c > limit {
			out[k] = true
		}
	}
	return out
}

// groupLinks groups the tickets tied by direct links so that one ticket's
// citations never join two groups on their own, and returns the groups of
// two or more, each as ticket indexes.
//
// Queries are taken in the archive's order (data.Earlier), each with all its
// direct links to earlier tickets; a ticket in no group counts as a group of
// one. A query joins the group of its strongest link (label precedence, then
// the nearest target). Another group it cites joins too only with a second,
// independent piece of evidence: minBridges different queries have cited
// into both groups, or — for a lone ticket — it shares a host or user with
// the query's group. Otherwise the query keeps its direct pair with that
// ticket and the groups stay apart (counted in f.Unjoined).
func groupLinks(tickets []data.Ticket, byQuery map[int][]*link, f *Funnel) [][]int {
	g := newGrouping(tickets)
	queries := make([]int, 0, len(byQuery))
	for q := range byQuery {
		queries = append(queries, q)
	}
	sort.Slice(queries, func(a, b int) bool { return data.Earlier(tickets[queries[a]], tickets[queries[b]]) })
	linked := map[int]bool{}
	for _, q := range queries {
		ls := append([]*link(nil), byQuery[q]...)
		sort.SliceStable(ls, func(a, b int) bool { // strongest first, then nearest
			if ra, rb := rank(ls[a].class), rank(ls[b].class); ra != rb {
				return ra > rb
			}
			return data.Earlier(tickets[ls[b].p], tickets[ls[a].p])
		})
		linked[q] = true
		var roots []int // distinct groups cited, strongest link first
		for _, l := range ls {
			linked[l.p] = true
			if r := g.find(l.p); !containsInt(roots, r) {
				roots = append(roots, r)
			}
		}
		self := map[int]bool{q: true}
		for i := range roots {
			for j := i + 1; j < len(roots); j++ {
				g.bridge(roots[i], roots[j], self)
			}
		}
		// Merge the cited groups that enough queries tie together, then
		// join the query to its strongest group, and lone tickets that agree.
		for merged := true; merged; {
			merged = false
			for i := 0; i < len(roots) && !merged; i++ {
				for j := i + 1; j < len(roots) && !merged; j++ {
					a, b := g.find(roots[i]), g.find(roots[j])
					if a != b && len(g.bridges[a][b]) >= minBridges {
						g.union(a, b)
						merged = true
					}
				}
			}
		}
		home := g.union(q, roots[0])
		apart := false
		for _, r := range roots[1:] {
			switch r = g.find(r); {
			case r == home:
			case g.size[r] == 1 && g.agrees(r, home):
				home = g.union(r, home)
			default:
				apart = true
			}
		}
		if apart {
			f.Unjoined++
		}
	}
	members := map[int][]int{}
	for x := range linked {
		if r := g.find(x); g.size[r] > 1 {
			members[r] = append(members[r], x)
		}
	}
	out := make([][]int, 0, len(members))
	for _, ms := range members {
		out = append(out, ms)
	}
	return out
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
