package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/ml/pairtext"
)

const (
	collNegatives = "negatives" // query → []HardNegative (usable and held)
	collReviews   = "reviews"   // query\x00candidate → Review
	metaNegatives = "negatives"
)

// NegativesOptions configure hard-negative mining; zero values take
// DefaultNegativesOptions' (Validate says which values are out of range).
type NegativesOptions struct {
	negatives.Options
	Windows []string `json:"windows"` // query windows to mine for: train, validation, test
	// LinkWindow, when positive, drops candidates sharing a user, host or IP
	// with the query within this time. Off by default: the entity pivot puts
	// such tickets in every test list, so the model must learn to reject the
	// unrelated ones, and measured on the 20k demo's validation window
	// keeping them as negatives scores better (README "Results"); the
	// false-negative guard still holds the doubtful ones back for review.
	LinkWindow time.Duration `json:"link_window"`
}

// DefaultNegativesOptions are the values hard-negative mining takes where
// its NegativesOptions are zero: the selection's (negatives.DefaultOptions:
// 7 negatives among the first 50 candidates, same-rule near-duplicates
// within 72h or Jaccard 0.6 dropped, candidates scoring 0.95 of the best
// positive held), for the queries of the train and validation windows,
// keeping tickets that share an entity with the query. The CLI's flags and
// the desktop's Negatives panel start from them.
func DefaultNegativesOptions() NegativesOptions {
	return NegativesOptions{Options: negatives.DefaultOptions(), Windows: []string{"train", "validation"}}
}

// withDefaults fills the windows; the selection fills its own zero values
// (negatives.DefaultOptions, which DefaultNegativesOptions holds).
func (o NegativesOptions) withDefaults() NegativesOptions {
	if len(o.Windows) == 0 {
		o.Windows = DefaultNegativesOptions().Windows
	}
	return o
}

// maxNegativesPerQuery bounds NegativesOptions.PerQuery: beyond it a value
// is a slip, and training would see mostly negatives.
const maxNegativesPerQuery = 100

// Validate says which option is out of range (an *OptionError naming its
// JSON field; the near-duplicate rule's are "near_dup.NAME"), or returns
// nil. Zero values are valid: they take DefaultNegativesOptions'.
func (o NegativesOptions) Validate() error {
	d := DefaultNegativesOptions()
	for _, w := range o.Windows {
		if !slices.Contains([]string{"train", "validation", "test"}, w) {
			return &OptionError{Field: "windows", Value: w, Want: "windows among train, validation, test"}
		}
	}
	sim := o.NearDup.SameRuleMinSimilarity
	return firstBadField(
		fieldCheck{o.TopK >= 0, "top_k", o.TopK, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", d.TopK)},
		fieldCheck{o.PerQuery >= 0 && o.PerQuery <= maxNegativesPerQuery, "per_query", o.PerQuery,
			fmt.Sprintf("negatives per query, 1 to %d (0 = %d)", maxNegativesPerQuery, d.PerQuery)},
		fieldCheck{o.Random >= 0, "random", o.Random, "random negatives per query, 0 or more"},
		fieldCheck{finite(o.GuardFraction) && o.GuardFraction >= 0 && o.GuardFraction <= 1, "guard_fraction", o.GuardFraction,
			fmt.Sprintf("a fraction of the best positive's score, 0 to 1 (0 = %g)", d.GuardFraction)},
		fieldCheck{o.NearDup.SameRuleWithin >= 0, "near_dup.same_rule_within", o.NearDup.SameRuleWithin,
			fmt.Sprintf("a duration, 0 or more (both near-duplicate rules 0 = %s and %g)", d.NearDup.SameRuleWithin, d.NearDup.SameRuleMinSimilarity)},
		fieldCheck{finite(sim) && sim >= 0 && sim <= 1, "near_dup.same_rule_min_similarity", sim,
			fmt.Sprintf("a Jaccard similarity, 0 to 1 (both near-duplicate rules 0 = %s and %g)", d.NearDup.SameRuleWithin, d.NearDup.SameRuleMinSimilarity)},
		fieldCheck{o.LinkWindow >= 0, "link_window", o.LinkWindow, "a duration, 0 (off) or more"},
	)
}

// NegativesResult reports what was mined and, on a synthetic archive, how
// many negatives the ground truth says are actually related.
type NegativesResult struct {
	Options            NegativesOptions        `json:"options"`
	Queries            int                     `json:"queries"`
	Negatives          int                     `json:"negatives"`
	Held               int                     `json:"held"`
	Stats              negatives.Stats         `json:"stats"`
	FalseNegativeShare *float64                `json:"false_negative_share,omitempty"`
	Ablation           []negatives.AblationRow `json:"ablation,omitempty"`
	Seconds            float64                 `json:"seconds"`
}

// Review is an analyst's verdict on one (query, candidate), as stored.
type Review struct {
	State negatives.ReviewState `json:"state"`
	At    time.Time             `json:"at"`
}

// MineNegatives selects hard negatives for every query of the chosen windows
// from its stored first-stage list, minus its whole group of positives,
// minus same-rule near-duplicates, holding likely false negatives for review.
// Existing reviews are kept.
func (p *Project) MineNegatives(ctx context.Context, o NegativesOptions, progress Progress) (NegativesResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return NegativesResult{}, fmt.Errorf("negatives: %w", err)
	}
	o = o.withDefaults()
	a, err := p.loadArchive()
	if err != nil {
		return NegativesResult{}, err
	}
	ins, err := p.negativeInputs(a, o.Windows)
	if err != nil {
		return NegativesResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return NegativesResult{}, err
	}
	pool := make([]string, 0, len(a.Tickets))
	for _, t := range a.Tickets {
		pool = append(pool, t.ID)
	}
	if o.LinkWindow > 0 {
		stops, err := p.StopEntities()
		if err != nil {
			return NegativesResult{}, fmt.Errorf("negatives: %w", err)
		}
		o.Linked = entityLinked(o.LinkWindow, stops)
	}
	sel, err := negatives.NewSelector(o.Options, a.get, pool)
	if err != nil {
		return NegativesResult{}, fmt.Errorf("negatives: %w", err)
	}
	o.Options = sel.Options()
	res := NegativesResult{Options: o, Queries: len(ins)}
	var all []negatives.HardNegative
	recs := make([]store.Record, 0, len(ins))
	for i, in := range ins {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return NegativesResult{}, err
			}
			progress.emit(Event{Step: "negatives", Done: int64(i), Total: int64(len(ins))})
		}
		r := sel.Select(in)
		res.Stats.Add(r.Stats)
		res.Negatives += len(r.Negatives)
		res.Held += len(r.Held)
		negs := append(r.Negatives, r.Held...)
		all = append(all, r.Negatives...)
		recs = append(recs, store.Record{Key: in.Query.ID, Value: negs})
	}
	if err := p.Store.ReplaceCollection(collNegatives, recs); err != nil {
		return NegativesResult{}, fmt.Errorf("negatives: save: %w", err)
	}
	if truth, err := p.truthByID(); err != nil {
		return NegativesResult{}, err
	} else if truth != nil {
		share := negatives.FalseNegativeShare(all, truth)
		res.FalseNegativeShare = &share
		progress.emit(Event{Step: "negatives", Phase: "ablation", Message: "false-negative share per filter"})
		if res.Ablation, err = negatives.Ablate(o.Options, a.get, pool, ins, truth); err != nil {
			return NegativesResult{}, fmt.Errorf("negatives: ablation: %w", err)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaNegatives, res); err != nil {
		return NegativesResult{}, err
	}
	progress.emit(Event{Step: "negatives", Done: int64(len(ins)), Total: int64(len(ins)), Final: true})
	return res, nil
}

// negativeInputs gathers, per query of the windows, its stored candidates
// and its whole group of known positives.
func (p *Project) negativeInputs(a *archive, windows []string) ([]negatives.Input, error) {
	groups, err := p.Groups()
	if err != nil {
		return nil, err
	}
	groupOf := map[string]int{}
	for i, g := range groups {
		for _, id := range g {
			groupOf[id] = i
		}
	}
	var ins []negatives.Input
	for _, w := range windows {
		qcs, err := p.Candidates(w)
		if err != nil {
			return nil, err
		}
		for _, qc := range qcs {
			q, ok := a.get(qc.Query)
			if !ok {
				continue
			}
			pos := slices.Clone(qc.Relevant)
			if gi, ok := groupOf[q.ID]; ok {
				pos = append(pos, groups[gi]...)
			}
			ins = append(ins, negatives.Input{Query: q, Positives: pos, Candidates: qc.Candidates})
		}
	}
	slices.SortFunc(ins, func(x, y negatives.Input) int { return x.Query.Opened.Compare(y.Query.Opened) })
	return ins, nil
}

// truthByID returns the synthetic ground truth by ticket ID, or nil.
func (p *Project) truthByID() (map[string]data.TruthRecord, error) {
	tr, _, err := p.loadTruth()
	if err != nil || tr == nil {
		return nil, err
	}
	m := make(map[string]data.TruthRecord, len(tr))
	for _, r := range tr {
		m[r.ID] = r
	}
	return m, nil
}

// LastNegatives returns the last negatives result, if any.
func (p *Project) LastNegatives() (NegativesResult, bool, error) {
	var r NegativesResult
	ok, err := p.Store.GetMeta(metaNegatives, &r)
	return r, ok, err
}

// entityLinked says two tickets opened within window share a user, host or
// IP (by canonical match key) that is no stop-entity: an uncited but
// probably related pair, which must not be taught as a negative.
func entityLinked(window time.Duration, stops pairtext.Stops) func(q, c data.Ticket) bool {
	cache := map[string]map[string]bool{}
	keys := func(t data.Ticket) map[string]bool {
		if k, ok := cache[t.ID]; ok {
			return k
		}
		k := map[string]bool{}
		for _, key := range pivotKeys(t, stops) {
			k[key] = true
		}
		cache[t.ID] = k
		return k
	}
	return func(q, c data.Ticket) bool {
		gap := q.Opened.Sub(c.Opened)
		if gap < 0 {
			gap = -gap
		}
		if gap > window {
			return false
		}
		ck := keys(c)
		for k := range keys(q) {
			if ck[k] {
				return true
			}
		}
		return false
	}
}
