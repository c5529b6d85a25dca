package negatives

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/precedent/precedent/data"
)

// Sources of a hard negative.
const (
	SourceFirstStage = "first-stage"
	SourceRandom     = "random"
)

// Lookup finds a ticket of the archive by ID.
type Lookup func(id string) (data.Ticket, bool)

// Input is one query's material for selection.
type Input struct {
	Query      data.Ticket
	Positives  []string           // known positives, the whole transitive group
	Candidates []Candidate        // first-stage list, best first
	Scores     map[string]float32 // optional first-stage scores of positives not in Candidates
}

// HardNegative is one (query, candidate) pair chosen as a negative, with the
// reason it was chosen.
type HardNegative struct {
	Query     string  `json:"query"`
	Candidate string  `json:"candidate"`
	Rank      int     `json:"rank"`  // first-stage rank; 0 for random negatives outside the list
	Score     float32 `json:"score"` // first-stage score; 0 when unknown
	Rule      string  `json:"rule"`  // the candidate's detection rule
	Why       string  `json:"why"`   // e.g. "rank 7, different rule, score 61% of best positive"
	Source    string  `json:"source"`
	Held      bool    `json:"held,omitempty"` // held back by the guard: usable only once confirmed
}

// Stats counts what each step of the selection did.
type Stats struct {
	Queries         int `json:"queries"`
	Considered      int `json:"considered"`        // candidates within the top-K window
	Self            int `json:"self"`              // the query itself in its list
	Unknown         int `json:"unknown"`           // candidates the lookup did not find
	Later           int `json:"later"`             // candidates opened at or after the query
	Positives       int `json:"positives"`         // dropped by FilterPositives
	NearDup         int `json:"near_dup"`          // dropped by FilterNearDup
	Linked          int `json:"linked"`            // dropped by FilterLinked
	Held            int `json:"held"`              // held back by FilterGuard
	Surplus         int `json:"surplus"`           // usable but beyond PerQuery
	Used            int `json:"used"`              // first-stage negatives kept
	Random          int `json:"random"`            // random negatives kept
	RandomRejected  int `json:"random_rejected"`   // random draws rejected by a filter
	NoPositiveScore int `json:"no_positive_score"` // queries where the guard had no positive score
	Short           int `json:"short"`             // queries that got fewer than PerQuery first-stage negatives
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	s.Queries += o.Queries
	s.Considered += o.Considered
	s.Self += o.Self
	s.Unknown += o.Unknown
	s.Later += o.Later
	s.Positives += o.Positives
	s.NearDup += o.NearDup
	s.Linked += o.Linked
	s.Held += o.Held
	s.Surplus += o.Surplus
	s.Used += o.Used
	s.Random += o.Random
	s.RandomRejected += o.RandomRejected
	s.NoPositiveScore += o.NoPositiveScore
	s.Short += o.Short
}

// Result is the selection for one or many queries.
type Result struct {
	Negatives []HardNegative `json:"negatives"` // usable now
	Held      []HardNegative `json:"held"`      // waiting for review (Held set)
	Stats     Stats          `json:"stats"`
}

// Selector picks hard negatives; it is safe for concurrent use.
type Selector struct {
	opts   Options
	lookup Lookup
	pool   []poolEntry // random-negative pool, by opened time
}

type poolEntry struct {
	id     string
	opened time.Time
}

// NewSelector builds a selector. pool lists the IDs random negatives are
// drawn from (usually the training archive); IDs the lookup misses are skipped.
func NewSelector(opts Options, lookup Lookup, pool []string) (*Selector, error) {
	if lookup == nil {
		return nil, fmt.Errorf("negatives: nil ticket lookup")
	}
	s := &Selector{opts: opts.withDefaults(), lookup: lookup}
	if s.opts.Random > 0 {
		for _, id := range pool {
			if t, ok := lookup(id); ok {
				s.pool = append(s.pool, poolEntry{id: id, opened: t.Opened})
			}
		}
		sort.Slice(s.pool, func(i, j int) bool {
			if !s.pool[i].opened.Equal(s.pool[j].opened) {
				return s.pool[i].opened.Before(s.pool[j].opened)
			}
			return s.pool[i].id < s.pool[j].id
		})
	}
	return s, nil
}

// Options returns the effective options, defaults filled in.
func (s *Selector) Options() Options { return s.opts }

// SelectAll runs Select over many queries and merges the results in order.
func (s *Selector) SelectAll(ins []Input) Result {
	var all Result
	for _, in := range ins {
		r := s.Select(in)
		all.Negatives = append(all.Negatives, r.Negatives...)
		all.Held = append(all.Held, r.Held...)
		all.Stats.Add(r.Stats)
	}
	return all
}

// Select picks the negatives of one query. Candidates are walked by rank
// within the top-K window; each passes, in order, the self/unknown/time
// checks (always on), then the positives, near-duplicate and guard filters.
func (s *Selector) Select(in Input) Result {
	o := s.opts
	res := Result{Stats: Stats{Queries: 1}}
	q := in.Query
	pos := make(map[string]bool, len(in.Positives))
	for _, id := range in.Positives {
		pos[id] = true
	}
	refs := []reference{newReference(q)}
	for _, id := range in.Positives {
		if t, ok := s.lookup(id); ok {
			refs = append(refs, newReference(t))
		}
	}
	best, haveBest := bestPositiveScore(in, pos)
	guard := o.on(FilterGuard) && haveBest && best > 0
	if o.on(FilterGuard) && !guard {
		res.Stats.NoPositiveScore++
	}

	cands := append([]Candidate(nil), in.Candidates...)
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Rank < cands[j].Rank })
	chosen := map[string]bool{}
	for _, c := range cands {
		if c.Rank > o.TopK {
			break
		}
		res.Stats.Considered++
		t, reason := s.check(q, c.ID, pos, refs)
		switch reason {
		case rejectSelf:
			res.Stats.Self++
			continue
		case rejectUnknown:
			res.Stats.Unknown++
			continue
		case rejectLater:
			res.Stats.Later++
			continue
		case rejectPositive:
			res.Stats.Positives++
			continue
		case rejectNearDup:
			res.Stats.NearDup++
			continue
		case rejectLinked:
			res.Stats.Linked++
			continue
		}
		if chosen[c.ID] {
			continue // duplicate entry in the candidate list
		}
		chosen[c.ID] = true
		hn := HardNegative{Query: q.ID, Candidate: c.ID, Rank: c.Rank, Score: c.Score,
			Rule: t.Rule, Source: SourceFirstStage, Why: why(c.Rank, q, t, c.Score, best, haveBest)}
		if guard && float64(c.Score) >= o.GuardFraction*float64(best) {
			hn.Held = true
			res.Held = append(res.Held, hn)
			res.Stats.Held++
			continue
		}
		if len(res.Negatives) >= o.PerQuery {
			res.Stats.Surplus++
			continue
		}
		res.Negatives = append(res.Negatives, hn)
		res.Stats.Used++
	}
	if len(res.Negatives) < o.PerQuery {
		res.Stats.Short++
	}
	if o.Random > 0 {
		s.addRandom(&res, in, pos, refs, chosen, best, haveBest && guard)
	}
	return res
}

type reject int

const (
	accept reject = iota
	rejectSelf
	rejectUnknown
	rejectLater
	rejectPositive
	rejectNearDup
	rejectLinked
)

// check applies the always-on checks and the positives and near-duplicate
// filters to one candidate.
func (s *Selector) check(q data.Ticket, id string, pos map[string]bool, refs []reference) (data.Ticket, reject) {
	if id == q.ID {
		return data.Ticket{}, rejectSelf
	}
	if s.opts.on(FilterPositives) && pos[id] {
		return data.Ticket{}, rejectPositive
	}
	t, ok := s.lookup(id)
	if !ok {
		return data.Ticket{}, rejectUnknown
	}
	// A candidate opened after the query could not have been a precedent.
	if !q.Opened.IsZero() && !t.Opened.Before(q.Opened) {
		return t, rejectLater
	}
	if s.opts.on(FilterNearDup) {
		toks := data.Tokens(t.QueryText())
		for _, r := range refs {
			if s.opts.NearDup.isNearDup(t, toks, r) {
				return t, rejectNearDup
			}
		}
	}
	if s.opts.on(FilterLinked) && s.opts.Linked != nil && s.opts.Linked(q, t) {
		return t, rejectLinked
	}
	return t, accept
}

// bestPositiveScore is the highest first-stage score of any known positive,
// from the candidate list or the extra Scores.
func bestPositiveScore(in Input, pos map[string]bool) (float32, bool) {
	var best float32
	found := false
	take := func(v float32) {
		if !found || v > best {
			best, found = v, true
		}
	}
	for _, c := range in.Candidates {
		if pos[c.ID] {
			take(c.Score)
		}
	}
	for id, v := range in.Scores {
		if pos[id] {
			take(v)
		}
	}
	return best, found
}

func why(rank int, q, t data.Ticket, score, best float32, haveBest bool) string {
	s := "random draw"
	if rank > 0 {
		s = fmt.Sprintf("rank %d", rank)
	}
	switch {
	case t.Rule == "" || q.Rule == "":
		s += ", rule unknown"
	case t.Rule == q.Rule:
		s += ", same rule"
	default:
		s += ", different rule"
	}
	if haveBest && best > 0 && rank > 0 {
		s += fmt.Sprintf(", score %.0f%% of best positive", 100*float64(score)/float64(best))
	} else if rank > 0 {
		s += ", no positive score"
	}
	return s
}

// addRandom draws up to Random negatives uniformly from pool tickets opened
// strictly before the query, applying the same filters. The draw is seeded
// by Seed and the query ID, so it does not depend on query order.
func (s *Selector) addRandom(res *Result, in Input, pos map[string]bool, refs []reference, chosen map[string]bool, best float32, guard bool) {
	q := in.Query
	n := len(s.pool)
	if !q.Opened.IsZero() {
		n = sort.Search(len(s.pool), func(i int) bool { return !s.pool[i].opened.Before(q.Opened) })
	}
	if n == 0 {
		return
	}
	h := fnv.New64a()
	h.Write([]byte(q.ID))
	rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), h.Sum64()))
	score := map[string]Candidate{}
	for _, c := range in.Candidates {
		score[c.ID] = c
	}
	added := 0
	for tries := 0; added < s.opts.Random && tries < 20*s.opts.Random+20; tries++ {
		id := s.pool[rng.IntN(n)].id
		if chosen[id] {
			continue
		}
		t, reason := s.check(q, id, pos, refs)
		if reason != accept {
			res.Stats.RandomRejected++
			chosen[id] = true // do not count the same rejection twice
			continue
		}
		chosen[id] = true
		c := score[id]
		hn := HardNegative{Query: q.ID, Candidate: id, Rank: c.Rank, Score: c.Score, Rule: t.Rule,
			Source: SourceRandom, Why: why(0, q, t, c.Score, best, guard)}
		if guard && c.Rank > 0 && float64(c.Score) >= s.opts.GuardFraction*float64(best) {
			hn.Held = true
			res.Held = append(res.Held, hn)
			res.Stats.Held++
			continue
		}
		res.Negatives = append(res.Negatives, hn)
		res.Stats.Random++
		added++
	}
}
