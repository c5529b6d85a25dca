package app

import (
	"slices"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/pairtext"
)

// driftReference is the training window as label-free signals see it.
type driftReference struct {
	tickets        int
	rules          map[string]bool // rules of tickets opened before Since
	entities       map[string]bool // entity match keys of those tickets
	lengths        []float64       // their title + description words
	modelTop       []float64       // the model's top score per validation query
	firstTop       []float64       // the first stage's top score per validation query
	valUnseenRules float64
}

// newDriftReference gathers the signals of the tickets opened before since
// and of the validation queries (scores).
func newDriftReference(a *archive, since, trainEnd time.Time, val []QueryCandidates, valModel [][]eval.Scored, valDepth int) driftReference {
	ref := driftReference{rules: map[string]bool{}, entities: map[string]bool{}}
	trainRules := map[string]bool{}
	var valRules []string
	for _, t := range a.Tickets {
		if !t.Opened.Before(since) {
			break
		}
		ref.tickets++
		ref.rules[t.Rule] = true
		if t.Opened.Before(trainEnd) {
			trainRules[t.Rule] = true
		} else {
			valRules = append(valRules, t.Rule)
		}
		for _, k := range ticketEntities(t) {
			ref.entities[k] = true
		}
		ref.lengths = append(ref.lengths, ticketWords(t))
	}
	ref.valUnseenRules = eval.UnseenShare(valRules, trainRules)
	for i, qc := range val {
		ref.firstTop = append(ref.firstTop, topFirstStage(firstStageScored(qc, valDepth)))
		ref.modelTop = append(ref.modelTop, topScore(valModel[i]))
	}
	return ref
}

// ticketEntities are a ticket's entity match keys (user, host, IP, ...), as
// the first stage and pair text canonicalise them.
func ticketEntities(t data.Ticket) []string {
	return pairtext.MatchKeys(pairtext.Entities(t))
}

// topScore is the highest score of a list (0 for an empty one).
func topScore(list []eval.Scored) float64 {
	if len(list) == 0 {
		return 0
	}
	best := list[0].Score
	for _, s := range list[1:] {
		best = max(best, s.Score)
	}
	return best
}

// topFirstStage is the first stage's own top score.
func topFirstStage(list []eval.Scored) float64 { return topScore(list) }

// monitorRows buckets the tickets opened from since on into periods and
// computes each period's label-free signals; MRR figures are filled by the
// caller. qcs, first and model are the monitored queries and their lists.
// The model's top score is taken over the first refDepth candidates, as
// on the validation queries, so list depth does not shift it.
func monitorRows(a *archive, since time.Time, period eval.Period, qcs []QueryCandidates, first, model [][]eval.Scored, ref driftReference, refDepth int) []PeriodRow {
	type acc struct {
		row                PeriodRow
		rules, ents        []string
		lengths            []float64
		modelTop, firstTop []float64
	}
	byLabel := map[string]*acc{}
	var order []string
	get := func(t time.Time) *acc {
		s, e, l := period.Bucket(t)
		if b, ok := byLabel[l]; ok {
			return b
		}
		b := &acc{row: PeriodRow{Period: l, Start: s, End: e}}
		byLabel[l] = b
		order = append(order, l)
		return b
	}
	for _, t := range a.Tickets {
		if t.Opened.Before(since) {
			continue
		}
		b := get(t.Opened)
		b.row.Tickets++
		b.rules = append(b.rules, t.Rule)
		b.ents = append(b.ents, ticketEntities(t)...)
		b.lengths = append(b.lengths, ticketWords(t))
	}
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		b := get(q.Opened)
		b.row.Queries++
		b.row.Labels += len(qc.Relevant)
		if !ref.rules[q.Rule] {
			b.row.Signals.NewRuleQueries++
		}
		b.firstTop = append(b.firstTop, topFirstStage(first[i]))
		b.modelTop = append(b.modelTop, topScore(model[i][:min(refDepth, len(model[i]))]))
	}
	rows := make([]PeriodRow, 0, len(order))
	for _, l := range order {
		b := byLabel[l]
		b.row.Signals.UnseenRules = eval.UnseenShare(b.rules, ref.rules)
		b.row.Signals.NewEntities = eval.UnseenShare(b.ents, ref.entities)
		b.row.Signals.Length = eval.Describe(b.lengths, ref.lengths)
		b.row.Signals.ModelTop = eval.Describe(b.modelTop, ref.modelTop)
		b.row.Signals.FirstStageTop = eval.Describe(b.firstTop, ref.firstTop)
		rows = append(rows, b.row)
	}
	slices.SortFunc(rows, func(x, y PeriodRow) int { return x.Start.Compare(y.Start) })
	return rows
}

// rulesBefore lists, sorted, the rules of the tickets opened before at.
func (p *Project) rulesBefore(at time.Time) []string {
	a, err := p.loadArchive()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, t := range a.Tickets {
		if !t.Opened.Before(at) {
			break
		}
		if t.Rule != "" {
			seen[t.Rule] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// firstNonZero is the first time that is set.
func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
