package app

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/store"
)

// ReviewItem is one mined negative of a query, with its ticket and verdict.
type ReviewItem struct {
	negatives.HardNegative
	Ticket data.Ticket           `json:"ticket"`
	State  negatives.ReviewState `json:"state"`
}

// QueryReview is what the analyst sees for one query.
type QueryReview struct {
	Query     data.Ticket   `json:"query"`
	Positives []data.Ticket `json:"positives"`
	Negatives []ReviewItem  `json:"negatives"`
}

// ReviewFilter selects queries to review.
type ReviewFilter struct {
	State    string  // "" or "all"; "unreviewed" (some negative without a verdict); "held" (has held negatives)
	Rule     string  // only queries of this rule
	MinScore float32 // only queries with a negative scoring at least this (0 = any)
	MaxScore float32 // ... and at most this (0 = any)
}

// ReviewProgress counts verdicts over all mined negatives.
type ReviewProgress struct {
	Negatives int `json:"negatives"`
	Reviewed  int `json:"reviewed"`
	Held      int `json:"held"`
	Promoted  int `json:"promoted"`
	Excluded  int `json:"excluded"`
	Confirmed int `json:"confirmed"`
}

func reviewKey(query, cand string) string { return query + "\x00" + cand }

// reviews loads every verdict.
func (p *Project) reviews() (map[negatives.ReviewKey]negatives.ReviewState, error) {
	out := map[negatives.ReviewKey]negatives.ReviewState{}
	err := forEachJSON(p.Store, collReviews, func(k string, r Review) error {
		for i := range len(k) {
			if k[i] == 0 {
				out[negatives.ReviewKey{k[:i], k[i+1:]}] = r.State
				break
			}
		}
		return nil
	})
	return out, err
}

// storedNegatives returns the mined negatives (usable and held) of one query.
func (p *Project) storedNegatives(query string) ([]negatives.HardNegative, bool, error) {
	var negs []negatives.HardNegative
	ok, err := p.Store.GetRecord(collNegatives, query, &negs)
	return negs, ok, err
}

// NegativesFor returns one query's positives and mined negatives with verdicts.
func (p *Project) NegativesFor(query string) (QueryReview, error) {
	q, ok, err := p.Store.Ticket(query)
	if err != nil {
		return QueryReview{}, err
	}
	if !ok {
		return QueryReview{}, fmt.Errorf("no ticket %q in the archive", query)
	}
	negs, ok, err := p.storedNegatives(query)
	if err != nil {
		return QueryReview{}, err
	}
	if !ok {
		return QueryReview{}, fmt.Errorf("no negatives mined for %s: run `precedent negatives mine` first (only train and validation queries get negatives)", query)
	}
	rv, err := p.reviews()
	if err != nil {
		return QueryReview{}, err
	}
	out := QueryReview{Query: q}
	var qc QueryCandidates
	if _, err := p.Store.GetRecord(collCandidates, query, &qc); err != nil {
		return QueryReview{}, err
	}
	for _, id := range qc.Relevant {
		if t, ok, _ := p.Store.Ticket(id); ok {
			out.Positives = append(out.Positives, t)
		}
	}
	for _, n := range negs {
		t, _, _ := p.Store.Ticket(n.Candidate)
		out.Negatives = append(out.Negatives, ReviewItem{HardNegative: n, Ticket: t, State: rv[negatives.ReviewKey{query, n.Candidate}]})
	}
	return out, nil
}

// ReviewQueue lists the queries that match the filter, oldest first.
func (p *Project) ReviewQueue(f ReviewFilter) ([]string, error) {
	rv, err := p.reviews()
	if err != nil {
		return nil, err
	}
	var out []string
	err = forEachJSON(p.Store, collNegatives, func(q string, negs []negatives.HardNegative) error {
		match := false
		for _, n := range negs {
			if f.MinScore != 0 && n.Score < f.MinScore || f.MaxScore != 0 && n.Score > f.MaxScore {
				continue
			}
			st := rv[negatives.ReviewKey{q, n.Candidate}]
			switch f.State {
			case "unreviewed":
				match = match || st == negatives.Unreviewed
			case "held":
				match = match || n.Held && st == negatives.Unreviewed
			default:
				match = true
			}
		}
		if match && f.Rule != "" {
			t, ok, err := p.Store.Ticket(q)
			if err != nil {
				return err
			}
			match = ok && t.Rule == f.Rule
		}
		if match {
			out = append(out, q)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// MarkReview records the analyst's verdict on one mined negative; training
// respects it (confirmed: used even if held; promoted: becomes a positive;
// excluded: dropped). Unreviewed clears the verdict.
func (p *Project) MarkReview(query, candidate string, state negatives.ReviewState) error {
	switch state {
	case negatives.Unreviewed, negatives.ConfirmedNegative, negatives.PromotedPositive, negatives.Excluded:
	default:
		return fmt.Errorf("unknown review state %q (negative, positive, excluded, or empty to clear)", state)
	}
	negs, ok, err := p.storedNegatives(query)
	if err != nil {
		return err
	}
	if !ok || !slices.ContainsFunc(negs, func(n negatives.HardNegative) bool { return n.Candidate == candidate }) {
		return fmt.Errorf("%s is not a mined negative of %s", candidate, query)
	}
	if state == negatives.Unreviewed {
		return p.Store.DeleteRecord(collReviews, reviewKey(query, candidate))
	}
	return p.Store.PutRecords(collReviews, []store.Record{{Key: reviewKey(query, candidate), Value: Review{State: state, At: time.Now().UTC()}}})
}

// ReviewStatus counts the verdicts given so far.
func (p *Project) ReviewStatus() (ReviewProgress, error) {
	rv, err := p.reviews()
	if err != nil {
		return ReviewProgress{}, err
	}
	var rp ReviewProgress
	err = forEachJSON(p.Store, collNegatives, func(q string, negs []negatives.HardNegative) error {
		for _, n := range negs {
			rp.Negatives++
			if n.Held {
				rp.Held++
			}
			switch rv[negatives.ReviewKey{q, n.Candidate}] {
			case negatives.ConfirmedNegative:
				rp.Confirmed++
				rp.Reviewed++
			case negatives.PromotedPositive:
				rp.Promoted++
				rp.Reviewed++
			case negatives.Excluded:
				rp.Excluded++
				rp.Reviewed++
			}
		}
		return nil
	})
	return rp, err
}

// Sources of a training label, by precedence (see labelPrecedence).
const (
	sourcePromoted = "promoted"  // review: a mined negative is actually related
	sourceConfirm  = "confirmed" // review: a (held) mined negative is a negative
	sourceMined    = "mined"     // a mined positive; an explicit link field outranks a text cue inside mining
	sourceNegated  = "negated"   // an analyst's note said the two are NOT related
	sourceNegative = "negative"  // a hard negative from the first stage
)

// labelPrecedence ranks label sources: analyst review > mined positive
// (explicit link field > text cue, decided in mining) > negated mention >
// mined negative. The highest-ranked label of a (query, document) wins.
func labelPrecedence(source string) int {
	switch source {
	case sourcePromoted, sourceConfirm:
		return 4
	case sourceMined:
		return 3
	case sourceNegated:
		return 2
	case sourceNegative:
		return 1
	}
	return 0
}

// resolveLabels gives every (query, document) exactly one label, the same
// whatever order the examples came in. An analyst's review of the pair
// decides first (promoted: positive; confirmed: negative; excluded: no
// example); otherwise the source of highest precedence wins, and between
// equal sources a positive label beats a negative one. The result is sorted
// by query, then document.
func resolveLabels(exs []example, reviews map[negatives.ReviewKey]negatives.ReviewState) []example {
	out := make([]example, 0, len(exs))
	for _, e := range exs {
		switch reviews[negatives.ReviewKey{e.Query, e.Doc}] {
		case negatives.PromotedPositive:
			e.Label, e.Source = 1, sourcePromoted
		case negatives.ConfirmedNegative:
			e.Label, e.Source = 0, sourceConfirm
		case negatives.Excluded:
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y example) int {
		if c := strings.Compare(x.Query, y.Query); c != 0 {
			return c
		}
		if c := strings.Compare(x.Doc, y.Doc); c != 0 {
			return c
		}
		if c := cmp.Compare(labelPrecedence(y.Source), labelPrecedence(x.Source)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Label, x.Label); c != 0 {
			return c
		}
		return strings.Compare(x.Source, y.Source)
	})
	return slices.CompactFunc(out, func(x, y example) bool { return x.Query == y.Query && x.Doc == y.Doc })
}
