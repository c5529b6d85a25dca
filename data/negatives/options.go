package negatives

import (
	"fmt"

	"github.com/precedent/precedent/data"
)

// Filter names one switchable filter of the selection.
type Filter uint8

// The filters, in the order they are applied to each candidate.
const (
	FilterPositives Filter = 1 << iota // drop known positives and their group
	FilterNearDup                      // drop same-rule near-duplicates of the query or a positive
	FilterGuard                        // hold back candidates scoring close to the best positive
	FilterLinked                       // drop candidates Options.Linked ties to the query (e.g. same user or host within days)
)

// AllFilters lists every filter, for ablations and reports.
var AllFilters = []Filter{FilterPositives, FilterNearDup, FilterGuard, FilterLinked}

// String is the filter's name in reports.
func (f Filter) String() string {
	switch f {
	case FilterPositives:
		return "positives"
	case FilterNearDup:
		return "near-duplicates"
	case FilterGuard:
		return "false-negative guard"
	case FilterLinked:
		return "entity-linked"
	}
	return fmt.Sprintf("filter(%d)", uint8(f))
}

// Options configures Select. The zero value means the defaults below, with
// every filter on and no random negatives.
type Options struct {
	TopK          int     `json:"top_k"`          // candidates considered per query, by rank; default 50
	PerQuery      int     `json:"per_query"`      // first-stage negatives kept per query; default 7
	Random        int     `json:"random"`         // random negatives added per query; default 0
	Seed          int64   `json:"seed"`           // seeds random negatives (mixed with the query ID)
	NearDup       NearDup `json:"near_dup"`       // zero means DefaultNearDup
	GuardFraction float64 `json:"guard_fraction"` // hold candidates scoring ≥ this × best positive; default 0.95
	Disabled      Filter  `json:"disabled"`       // bitwise OR of filters switched off
	// Linked, when set, says a candidate is probably related to the query
	// although nothing cites it (e.g. it shares a user or host with the
	// query within a few days); such candidates are dropped. The caller
	// supplies it so that this package stays free of entity extraction.
	Linked func(query, candidate data.Ticket) bool `json:"-"`
}

// DefaultOptions returns the options Select uses for a zero Options.
func DefaultOptions() Options { return Options{}.withDefaults() }

func (o Options) withDefaults() Options {
	if o.TopK <= 0 {
		o.TopK = 50
	}
	if o.PerQuery <= 0 {
		o.PerQuery = 7
	}
	if o.Random < 0 {
		o.Random = 0
	}
	if o.NearDup == (NearDup{}) {
		o.NearDup = DefaultNearDup
	}
	if o.GuardFraction <= 0 {
		o.GuardFraction = 0.95
	}
	return o
}

func (o Options) on(f Filter) bool { return o.Disabled&f == 0 }
