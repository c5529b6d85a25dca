package mining

import (
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// Score is the precision and recall of one set of mined pairs against the
// synthetic ground truth.
type Score struct {
	Name      string  // which set: "final", "without trivial", "direct only", ...
	Pairs     int     // pairs in the set
	Correct   int     // pairs whose query and positive share a hidden cause
	Found     int     // revealable pairs in the set
	Precision float64 // Correct / Pairs
	Recall    float64 // Found / TruthReport.Revealable

	QueriesFound int     // revealable queries with at least one revealable positive in the set
	QueryRecall  float64 // QueriesFound / TruthReport.Queries
}

// TruthReport measures mining against what the synthetic generator knows.
type TruthReport struct {
	Revealable int          // (later, earlier) same-cause pairs connected by correct citations, trivial duplicates excluded
	Queries    int          // tickets that are the later side of at least one revealable pair
	Final      Score        // the training positives
	Variants   []Score      // the same with one filter disabled, direct pairs only, or whole groups
	Stages     []Score      // training positives by stage: direct, expanded; and every relevant pair (Pair.Relevant, caps ignored)
	Classes    []ClassScore // direct pairs by class, trivial duplicates excluded; negated pairs too
}

// ClassScore is the precision of the direct pairs of one class.
type ClassScore struct {
	Class     string  `json:"class"`
	Pairs     int     `json:"pairs"`
	Related   int     `json:"related"`   // pairs whose tickets share a hidden cause
	Precision float64 `json:"precision"` // Related / Pairs: as positives; for the negated class this should be near 0
	Positive  bool    `json:"positive"`  // whether the class makes positives (all but negated)
}

// unionFind groups ticket indexes (the correct citations of the ground
// truth); the zero value is ready to use.
type unionFind struct{ parent map[int]int }

func (u *unionFind) find(x int) int {
	if u.parent == nil {
		u.parent = map[int]int{}
	}
	p, ok := u.parent[x]
	if !ok {
		u.parent[x] = x
		return x
	}
	if p == x {
		return x
	}
	r := u.find(p)
	u.parent[x] = r
	return r
}

func (u *unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[ra] = rb
	}
}

// EvaluateAgainstTruth scores res. A pair is revealable when its tickets share
// a cause, were opened at different instants, are connected in the undirected
// graph of correct citations (TruthRecord.Cites), and neither is a trivial
// duplicate of the other. Each variant shows what one filter contributes.
func EvaluateAgainstTruth(res Result, tickets []data.Ticket, truth []data.TruthRecord) TruthReport {
	idx := make(map[string]int, len(tickets))
	for i := range tickets {
		idx[tickets[i].ID] = i
	}
	rec := make([]data.TruthRecord, len(tickets))
	for _, r := range truth {
		if i, ok := idx[r.ID]; ok {
			rec[i] = r
		}
	}
	var cites unionFind
	for i, r := range rec {
		cites.find(i)
		for _, c := range r.Cites {
			if j, ok := idx[c]; ok {
				cites.union(i, j)
			}
		}
	}
	trivialPair := func(a, b int) bool {
		return (rec[a].TrivialDupOf != "" && rec[a].TrivialDupOf == tickets[b].ID) ||
			(rec[b].TrivialDupOf != "" && rec[b].TrivialDupOf == tickets[a].ID)
	}
	dropSame := res.Ties == TiesDrop
	revealable := func(a, b int) bool {
		return data.Related(rec[a], rec[b]) && cites.find(a) == cites.find(b) &&
			(!dropSame || !tickets[a].Opened.Equal(tickets[b].Opened)) && !trivialPair(a, b)
	}
	// Count revealable pairs per (citation component, cause) without listing them.
	type bucket struct {
		root  int
		cause string
	}
	rep := TruthReport{Revealable: countPairs(tickets, rec, true, dropSame, func(i int) (bucket, bool) {
		return bucket{cites.find(i), rec[i].Cause}, rec[i].Cause != ""
	})}

	rep.Queries = countQueries(tickets, rec, revealable, func(i int) (bucket, bool) {
		return bucket{cites.find(i), rec[i].Cause}, rec[i].Cause != ""
	})

	score := func(name string, keep func(Pair) bool) Score {
		s := Score{Name: name}
		queries := map[int]bool{}
		for _, p := range res.Pairs {
			if !keep(p) {
				continue
			}
			q, okq := idx[p.Query]
			pos, okp := idx[p.Positive]
			if !okq || !okp {
				continue
			}
			s.Pairs++
			if data.Related(rec[q], rec[pos]) {
				s.Correct++
			}
			if revealable(q, pos) {
				s.Found++
				queries[q] = true
			}
		}
		s.QueriesFound = len(queries)
		s.finish(rep.Revealable, rep.Queries)
		return s
	}
	without := func(filters ...string) func(Pair) bool {
		return func(p Pair) bool {
			for _, f := range p.Filters {
				if !slices.Contains(filters, f) {
					return false
				}
			}
			return true
		}
	}
	rep.Final = score("final", Pair.Training)
	rep.Variants = []Score{
		score("without trivial filter", without(FilterTrivial)),
		score("without per-ticket cap", without(FilterTicketCap)),
		score("without per-group cap", without(FilterGroupCap)),
		score("without sampling", without(FilterRuleCap, FilterRulePairCap)),
		score("without any filter", func(Pair) bool { return true }),
		score("direct only", func(p Pair) bool { return p.Training() && p.Direct }),
		groupScore(res, tickets, rec, idx, revealable, rep.Revealable),
	}
	if g := &rep.Variants[len(rep.Variants)-1]; rep.Queries > 0 {
		g.QueryRecall = float64(g.QueriesFound) / float64(rep.Queries)
	}
	rep.Stages = []Score{
		score("direct", func(p Pair) bool { return p.Training() && p.Direct }),
		score("expanded", func(p Pair) bool { return p.Training() && !p.Direct }),
		score("relevant (caps ignored)", Pair.Relevant),
	}
	for _, c := range Classes() {
		cs := ClassScore{Class: c.String(), Positive: c.Positive()}
		for _, p := range res.Pairs {
			if p.Class != c || !p.Direct || p.Trivial {
				continue
			}
			q, okq := idx[p.Query]
			pos, okp := idx[p.Positive]
			if !okq || !okp {
				continue
			}
			cs.Pairs++
			if data.Related(rec[q], rec[pos]) {
				cs.Related++
			}
		}
		if cs.Pairs > 0 {
			cs.Precision = float64(cs.Related) / float64(cs.Pairs)
		}
		rep.Classes = append(rep.Classes, cs)
	}
	return rep
}

// groupScore scores every (later, earlier) pair inside the mined groups: what
// expansion would give with no caps and no sampling.
func groupScore(res Result, tickets []data.Ticket, rec []data.TruthRecord, idx map[string]int,
	revealable func(a, b int) bool, total int) Score {
	s := Score{Name: "whole groups (no caps, no sampling)"}
	group := make(map[int]int)
	for g, ids := range res.Groups {
		for _, id := range ids {
			if i, ok := idx[id]; ok {
				group[i] = g
			}
		}
	}
	type gkey struct{ g int }
	dropSame := res.Ties == TiesDrop
	s.Pairs = countPairs(tickets, rec, false, dropSame, func(i int) (gkey, bool) { g, ok := group[i]; return gkey{g}, ok })
	type ckey struct {
		g     int
		cause string
	}
	s.Correct = countPairs(tickets, rec, false, dropSame, func(i int) (ckey, bool) {
		g, ok := group[i]
		return ckey{g, rec[i].Cause}, ok && rec[i].Cause != ""
	})
	// Found: revealable pairs in one group; count per (group, component, cause) bucket.
	var byBucket = map[ckey][]int{}
	for i := range tickets {
		if g, ok := group[i]; ok && rec[i].Cause != "" {
			byBucket[ckey{g, rec[i].Cause}] = append(byBucket[ckey{g, rec[i].Cause}], i)
		}
	}
	queries := map[int]bool{}
	for _, ms := range byBucket {
		for a := range ms {
			for b := a + 1; b < len(ms); b++ {
				if revealable(ms[a], ms[b]) {
					s.Found++
					if data.Earlier(tickets[ms[b]], tickets[ms[a]]) {
						queries[ms[a]] = true
					} else {
						queries[ms[b]] = true
					}
				}
			}
		}
	}
	s.QueriesFound = len(queries)
	s.finish(total, 0)
	return s
}

// countPairs counts, within each bucket, the pairs of tickets (opened at
// different instants when dropSame), less the pairs where one is a trivial
// duplicate of the other.
func countPairs[K comparable](tickets []data.Ticket, rec []data.TruthRecord, dropTrivial, dropSame bool, key func(int) (K, bool)) int {
	type tally struct {
		n     int
		times map[time.Time]int
	}
	buckets := map[K]*tally{}
	where := map[string]int{}
	for i := range tickets {
		k, ok := key(i)
		if !ok {
			continue
		}
		t := buckets[k]
		if t == nil {
			t = &tally{times: map[time.Time]int{}}
			buckets[k] = t
		}
		t.n++
		t.times[tickets[i].Opened.UTC()]++
		where[tickets[i].ID] = i
	}
	total := 0
	for _, t := range buckets {
		total += t.n * (t.n - 1) / 2
		if !dropSame {
			continue
		}
		for _, c := range t.times {
			total -= c * (c - 1) / 2
		}
	}
	for i := range tickets {
		if !dropTrivial || rec[i].TrivialDupOf == "" {
			continue
		}
		_, oki := where[tickets[i].ID]
		j, okj := where[rec[i].TrivialDupOf]
		if !oki || !okj || dropSame && tickets[i].Opened.Equal(tickets[j].Opened) {
			continue
		}
		if ki, _ := key(i); ki == mustKey(key, j) {
			total--
		}
	}
	return total
}

// countQueries counts tickets with at least one revealable earlier partner
// in their bucket.
func countQueries[K comparable](tickets []data.Ticket, rec []data.TruthRecord, revealable func(a, b int) bool, key func(int) (K, bool)) int {
	buckets := map[K][]int{}
	for i := range tickets {
		if k, ok := key(i); ok {
			buckets[k] = append(buckets[k], i)
		}
	}
	n := 0
	for _, ms := range buckets {
		slices.SortFunc(ms, func(a, b int) int {
			if c := tickets[a].Opened.Compare(tickets[b].Opened); c != 0 {
				return c
			}
			return strings.Compare(tickets[a].ID, tickets[b].ID)
		})
		for x := 1; x < len(ms); x++ {
			// The nearest earlier members decide fast; a trivial original is the only exception.
			for y := x - 1; y >= 0; y-- {
				if data.Earlier(tickets[ms[y]], tickets[ms[x]]) && revealable(ms[x], ms[y]) {
					n++
					break
				}
			}
		}
	}
	return n
}

func mustKey[K comparable](key func(int) (K, bool), i int) K { k, _ := key(i); return k }

func (s *Score) finish(revealable, queries int) {
	if queries > 0 {
		s.QueryRecall = float64(s.QueriesFound) / float64(queries)
	}
	if s.Pairs > 0 {
		s.Precision = float64(s.Correct) / float64(s.Pairs)
	}
	if revealable > 0 {
		s.Recall = float64(s.Found) / float64(revealable)
	}
}
