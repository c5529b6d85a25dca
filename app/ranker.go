package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/ltr"
)

// RankerFolds is how many rolling-origin folds choose the learned ranker's
// loss and regularisation: the later half of the training window's queries,
// in time order, cut into this many periods, each validated on by a ranker
// trained on every query before it.
const RankerFolds = 4

// minFoldTrain is the fewest labelled queries a fold trains on.
const minFoldTrain = 20

// FoldResult is one rolling-origin fold of the learned ranker.
type FoldResult struct {
	Name       string  `json:"name"` // the period validated on
	Train      int     `json:"train_queries"`
	Valid      int     `json:"valid_queries"`
	FirstStage float64 `json:"first_stage_mrr@10"`
	Ranker     float64 `json:"ranker_mrr@10"`
}

// RankerFit is the learned ranker of a project, how it was chosen and how it
// did on the folds it was chosen on.
type RankerFit struct {
	// Model scores the test window: trained on the training and validation
	// windows (refit); TrainQueries is how many labelled queries the
	// training window alone gave the ranker that scored validation.
	Model        *ltr.Model   `json:"model"`
	TrainQueries int          `json:"train_queries"`
	Trials       []ltr.Trial  `json:"trials"`
	Folds        []FoldResult `json:"folds"`
	// Pooled over every fold's validation queries (the chosen setting).
	FoldQueries    int     `json:"fold_queries"`
	FoldFirstStage float64 `json:"fold_first_stage_mrr@10"`
	FoldRanker     float64 `json:"fold_ranker_mrr@10"`
}

// rankerQuery is one query's list as the ranker sees it.
type rankerQuery struct {
	qc  QueryCandidates
	t   data.Ticket
	ltr ltr.Query
}

// rankerQueries computes the evidence rows of each list (its first depth
// candidates), keeping the input order; done, when not nil, counts each
// query.
func (p *Project) rankerQueries(a *archive, ev *evidence, m *mining.Matcher, qcs []QueryCandidates, depth int, done func(int64)) []rankerQuery {
	out := make([]rankerQuery, 0, len(qcs))
	for _, qc := range qcs {
		if done != nil {
			done(1)
		}
		t, ok := a.get(qc.Query)
		if !ok {
			continue
		}
		list := qc.Candidates[:min(depth, len(qc.Candidates))]
		rel := toSet(qc.Relevant)
		labels := make([]bool, len(list))
		for i, c := range list {
			labels[i] = rel[c.ID]
		}
		rows := ev.rows(ev.query(t, p.queryText(t, m)), list)
		out = append(out, rankerQuery{qc: qc, t: t, ltr: ltr.Query{Rows: rows, Relevant: labels}})
	}
	return out
}

// rankerFolds cuts the later half of queries (any order) into up to n
// periods of consecutive queries in time; each fold trains on every query
// opened before its period.
func rankerFolds(qs []rankerQuery, n int) []ltr.Fold {
	s := slices.Clone(qs)
	slices.SortStableFunc(s, func(x, y rankerQuery) int {
		switch {
		case data.Earlier(x.t, y.t):
			return -1
		case data.Earlier(y.t, x.t):
			return 1
		}
		return 0
	})
	start := len(s) / 2
	for start < len(s) && countLabelled(s[:start]) < minFoldTrain {
		start++
	}
	var folds []ltr.Fold
	rest := len(s) - start
	if rest <= 0 || n <= 0 {
		return nil
	}
	n = min(n, rest)
	for f := range n {
		lo, hi := start+f*rest/n, start+(f+1)*rest/n
		if lo >= hi {
			continue
		}
		fold := ltr.Fold{Name: fmt.Sprintf("%s – %s", s[lo].t.Opened.Format("2006-01-02"), s[hi-1].t.Opened.Format("2006-01-02"))}
		for _, q := range s[:lo] {
			fold.Train = append(fold.Train, q.ltr)
		}
		for _, q := range s[lo:hi] {
			fold.Valid = append(fold.Valid, q.ltr)
		}
		folds = append(folds, fold)
	}
	return folds
}

func countLabelled(qs []rankerQuery) int {
	n := 0
	for _, q := range qs {
		if slices.Contains(q.ltr.Relevant, true) {
			n++
		}
	}
	return n
}

// firstStageRR10 is MRR@10 of the lists' given order.
func firstStageRR10(qs []ltr.Query) float64 {
	if len(qs) == 0 {
		return 0
	}
	sum := 0.0
	for _, q := range qs {
		s := make([]float64, len(q.Rows))
		sum += ltr.RR10(s, q.Relevant)
	}
	return sum / float64(len(qs))
}

// fitRanker chooses the ranker's loss and L2 on rolling-origin folds of the
// training queries, then trains it on all of them. progress, when not nil,
// gets a counter of the queries trained on, over every fit (the work each
// fit takes grows with them): it returns the function that adds to it.
func fitRanker(train []rankerQuery, progress func(total int64) func(int64)) (RankerFit, error) {
	feats := evidenceFeatures()
	folds := rankerFolds(train, RankerFolds)
	grid := ltr.Grid()
	add := func(int64) {}
	if progress != nil {
		total := int64(len(train))
		for _, f := range folds {
			total += int64(len(f.Train) * len(grid))
		}
		add = progress(total)
	}
	fit := RankerFit{}
	best := ltr.Options{}
	if len(folds) > 0 {
		trials, b, err := ltr.Select(feats, folds, grid, func(n int) { add(int64(n)) })
		if err != nil {
			return RankerFit{}, err
		}
		fit.Trials, best = trials, trials[b].Options
		for i, f := range folds {
			fr := FoldResult{Name: f.Name, Train: len(f.Train), Valid: len(f.Valid), FirstStage: firstStageRR10(f.Valid), Ranker: trials[b].PerFold[i]}
			fit.Folds = append(fit.Folds, fr)
			fit.FoldQueries += fr.Valid
			fit.FoldFirstStage += fr.FirstStage * float64(fr.Valid)
			fit.FoldRanker += fr.Ranker * float64(fr.Valid)
		}
		if fit.FoldQueries > 0 {
			fit.FoldFirstStage /= float64(fit.FoldQueries)
			fit.FoldRanker /= float64(fit.FoldQueries)
		}
	}
	all := make([]ltr.Query, len(train))
	for i, q := range train {
		all[i] = q.ltr
	}
	m, err := ltr.Train(feats, all, best)
	if err != nil {
		return RankerFit{}, fmt.Errorf("learned ranker: %w", err)
	}
	add(int64(len(all)))
	fit.Model = m
	return fit, nil
}

// rankerScored scores each list with the ranker, as eval lists.
func rankerScored(m *ltr.Model, qs []rankerQuery) [][]eval.Scored {
	out := make([][]eval.Scored, len(qs))
	for i, q := range qs {
		list := q.qc.Candidates[:len(q.ltr.Rows)]
		out[i] = make([]eval.Scored, len(list))
		for j, c := range list {
			out[i][j] = eval.Scored{ID: c.ID, Score: m.Score(q.ltr.Rows[j]), Rank0: c.Rank}
		}
	}
	return out
}

// evalRanker fits the learned ranker on the training window's lists and
// scores the validation and test lists with it (biEncoder: with the
// off-the-shelf bi-encoder's cosine among its evidence). With no usable training
// query the fit has no model and the lists are nil. Its two long phases,
// the evidence of every list and the fits, report progress with an ETA
// under step.
func (p *Project) evalRanker(ctx context.Context, a *archive, val []QueryCandidates, valDepth int, test []QueryCandidates, depth int, biEncoder bool, progress Progress, step string) (RankerFit, [][]eval.Scored, []rankerQuery, error) {
	train, err := p.evalLists(a, "train", 0)
	if err != nil {
		return RankerFit{}, nil, nil, fmt.Errorf("learned ranker: %w", err)
	}
	m, err := p.matcher()
	if err != nil {
		return RankerFit{}, nil, nil, err
	}
	stops, err := p.StopEntities()
	if err != nil {
		return RankerFit{}, nil, nil, err
	}
	ev := newEvidence(a, stops)
	if biEncoder {
		if err := p.embedEvidence(ctx, ev, m, progress, rankedLists{train, depth}, rankedLists{val, valDepth}, rankedLists{test, depth}); err != nil {
			return RankerFit{}, nil, nil, err
		}
	}
	feats := progress.counter(step, "learned ranker: evidence", int64(len(train)+len(val)+len(test)))
	tq := p.rankerQueries(a, ev, m, train, depth, feats)
	vq := p.rankerQueries(a, ev, m, val, valDepth, feats)
	testQueries := p.rankerQueries(a, ev, m, test, depth, feats)
	if err := ctx.Err(); err != nil {
		return RankerFit{}, nil, nil, err
	}
	if countLabelled(tq) < minFoldTrain {
		return RankerFit{}, nil, nil, nil
	}
	refitWork := int64(len(tq) + len(vq)) // the last fit, on training and validation
	var fitted func(int64)
	fit, err := fitRanker(tq, func(total int64) func(int64) {
		fitted = progress.counter(step, "learned ranker: fits", total+refitWork)
		return fitted
	})
	if err != nil {
		return RankerFit{}, nil, nil, err
	}
	rv := rankerScored(fit.Model, vq)
	if err := fit.refit(tq, vq); err != nil {
		return RankerFit{}, nil, nil, err
	}
	fitted(refitWork)
	return fit, rv, testQueries, nil
}

// refit trains the ranker again, with the setting the folds chose, on the
// training and validation windows' queries: the test window is then
// scored, as each fold's period was, by a ranker trained on every labelled
// query before it. Validation itself was scored by the ranker trained
// before it (the honest figure the final choice rests on).
func (f *RankerFit) refit(train, val []rankerQuery) error {
	var all []ltr.Query
	for _, q := range slices.Concat(train, val) {
		all = append(all, q.ltr)
	}
	m, err := ltr.Train(evidenceFeatures(), all, ltr.Options{Loss: f.Model.Loss, L2: f.Model.L2})
	if err != nil {
		return fmt.Errorf("learned ranker: refit: %w", err)
	}
	f.TrainQueries, f.Model = f.Model.Queries, m
	return nil
}

// maxWhy is how many feature contributions "why this match" keeps.
const maxWhy = 6

// explainPrecedents splits the ranker's score of each query's first
// relevant candidate (best by the ranker) into feature contributions.
func explainPrecedents(m *ltr.Model, qs []rankerQuery) map[string][]ltr.Contribution {
	out := map[string][]ltr.Contribution{}
	for _, q := range qs {
		best := -1
		for i, r := range q.ltr.Relevant {
			if r && (best < 0 || m.Score(q.ltr.Rows[i]) > m.Score(q.ltr.Rows[best])) {
				best = i
			}
		}
		if best >= 0 {
			cs := m.Explain(q.ltr.Rows[best])
			out[q.qc.Query] = cs[:min(maxWhy, len(cs))]
		}
	}
	return out
}

// whyLine writes contributions as "same_rule_rarity +1.20 (=2.3), …".
func whyLine(cs []ltr.Contribution) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s %+.2f (value %.3g)", c.Feature, c.Score, c.Value)
	}
	return strings.Join(parts, ", ")
}

// Summary describes the learned ranker in one paragraph: loss, its
// strongest weights and the folds it was chosen on.
func (f RankerFit) Summary() string {
	if f.Model == nil {
		return "no learned ranker"
	}
	return rankerLine(f)
}

// rankerLine describes the learned ranker for reports: its strongest
// weights and the folds it was chosen on.
func rankerLine(f RankerFit) string {
	var ws []string
	for i, w := range f.Model.Ranked() {
		if i == 6 {
			break
		}
		ws = append(ws, fmt.Sprintf("%s %+.2f", w.Feature, w.Weight))
	}
	s := fmt.Sprintf("linear, %s loss, L2 %g, trained on %d labelled queries", f.Model.Loss, f.Model.L2, f.Model.Queries)
	if f.TrainQueries > 0 {
		s += fmt.Sprintf(" (%d of the training window, the rest of validation)", f.TrainQueries)
	}
	s += "; strongest weights (per standard deviation): " + strings.Join(ws, ", ")
	if f.FoldQueries > 0 {
		lo, hi := 1.0, 0.0
		for _, fr := range f.Folds {
			d := fr.Ranker - fr.FirstStage
			lo, hi = min(lo, d), max(hi, d)
		}
		s += fmt.Sprintf("; rolling-origin folds: %d, %d queries, MRR@10 %.3f vs first stage %.3f (per-fold Δ %+.3f to %+.3f)",
			len(f.Folds), f.FoldQueries, f.FoldRanker, f.FoldFirstStage, lo, hi)
	}
	return s
}
