package mining

import (
	"sort"

	"github.com/precedent/precedent/data"
)

// candidate is one (query, positive) pair inside a group, before the caps.
type candidate struct {
	q, p   int
	l      *link // the direct link, nil for expanded pairs
	rank   int   // position among the query's partners (0 = first choice)
	capped bool  // direct pair beyond the per-ticket cap
}

// expand turns non-trivial links into groups (see groupLinks) and pairs
// every later member with earlier members: direct citations first, then the
// nearest in time, at most MaxPartners per query and MaxGroupPairs per group
// so campaigns do not grow quadratically. Direct pairs beyond a cap are kept
// with a filter; expanded ones are dropped. Only positive links form groups,
// and a blocked (query, positive) pair — a trivial duplicate, or two tickets
// an analyst said are not related — is never made by expansion.
func expand(tickets []data.Ticket, direct []*link, blocked map[[2]int]bool, opts Options, ties Ties, f *Funnel) ([]Pair, [][]string) {
	byQuery := map[int][]*link{}
	for _, l := range direct {
		byQuery[l.q] = append(byQuery[l.q], l)
	}
	groups := groupLinks(tickets, byQuery, f)
	before := func(i, j int) bool { return data.Earlier(tickets[i], tickets[j]) }
	for _, ms := range groups {
		sort.Slice(ms, func(a, b int) bool { return before(ms[a], ms[b]) })
	}
	sort.Slice(groups, func(a, b int) bool { return before(groups[a][0], groups[b][0]) })

	var pairs []Pair
	names := make([][]string, 0, len(groups))
	for _, g := range groups {
		ids := make([]string, len(g))
		for i, x := range g {
			ids[i] = tickets[x].ID
		}
		names = append(names, ids)
		pairs = append(pairs, expandGroup(tickets, g, byQuery, blocked, opts, ties, f)...)
	}
	return pairs, names
}

// expandGroup pairs the members of one group, ordered by data.Earlier.
// Under TiesDrop, members opened at the same instant are not paired.
func expandGroup(tickets []data.Ticket, g []int, byQuery map[int][]*link, blocked map[[2]int]bool, opts Options, ties Ties, f *Funnel) []Pair {
	var cands []candidate
	firstSame := 0 // members g[:firstSame] may be positives of g[i]
	for i, q := range g {
		if ties != TiesDrop || !tickets[g[firstSame]].Opened.Equal(tickets[q].Opened) {
			firstSame = i
		}
		f.GroupPairs += firstSame
		ds := append([]*link(nil), byQuery[q]...)
		sort.Slice(ds, func(a, b int) bool { // nearest earlier positive first
			return data.Earlier(tickets[ds[b].p], tickets[ds[a].p])
		})
		isDirect := make(map[int]bool, len(ds))
		rank := 0
		for _, l := range ds {
			isDirect[l.p] = true
			cands = append(cands, candidate{q: q, p: l.p, l: l, rank: rank,
				capped: opts.MaxPartners >= 0 && rank >= opts.MaxPartners})
			rank++
		}
		for j := firstSame - 1; j >= 0 && (opts.MaxPartners < 0 || rank < opts.MaxPartners); j-- {
			if isDirect[g[j]] {
				continue
			}
			if negated, ok := blocked[[2]int{q, g[j]}]; ok {
				if negated {
					f.Blocked++
				}
				continue
			}
			cands = append(cands, candidate{q: q, p: g[j], rank: rank})
			rank++
		}
	}
	// The group cap keeps direct pairs first, then every query's first
	// partner, then every query's second, and so on.
	sort.SliceStable(cands, func(a, b int) bool {
		ca, cb := cands[a], cands[b]
		if ca.capped != cb.capped {
			return !ca.capped
		}
		if (ca.l != nil) != (cb.l != nil) {
			return ca.l != nil
		}
		return ca.rank < cb.rank
	})
	out := make([]Pair, 0, len(cands))
	kept := 0
	for _, c := range cands {
		p := Pair{Query: tickets[c.q].ID, Positive: tickets[c.p].ID, Class: ClassMention}
		if c.l != nil {
			p.Class, p.Cue, p.Source, p.Direct = c.l.class, c.l.cue, tickets[c.l.source].ID, true
		}
		switch {
		case c.capped:
			p.Filters = []string{FilterTicketCap}
		case opts.MaxGroupPairs >= 0 && kept >= opts.MaxGroupPairs:
			if !p.Direct {
				continue
			}
			p.Filters = []string{FilterGroupCap}
		default:
			kept++
		}
		if p.Direct && len(p.Filters) > 0 {
			f.CappedDirect++
		}
		out = append(out, p)
	}
	f.Expanded += kept
	return out
}
