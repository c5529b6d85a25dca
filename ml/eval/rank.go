package eval

import (
	"cmp"
	"slices"
)

// Scored is one candidate of a query with the score a system gave it.
type Scored struct {
	ID    string
	Score float64
	Rank0 int // first-stage rank (1-based); breaks ties
}

// Order sorts candidates by score descending, ties by first-stage rank then
// ID, and returns their IDs in that order. The input is not modified.
func Order(cands []Scored) []string {
	s := slices.Clone(cands)
	slices.SortStableFunc(s, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Rank0, b.Rank0); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	ids := make([]string, len(s))
	for i, c := range s {
		ids[i] = c.ID
	}
	return ids
}
