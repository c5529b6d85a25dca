package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/ltr"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/rerank"
)

// evalInputs are what an evaluation reads before it scores anything: the
// run, the archive, the lists of both windows, and how to score them.
type evalInputs struct {
	run     RunRecord
	archive *archive
	// test holds the test window's lists with a relevant ticket, oldest
	// query first (spread to EvalOptions.MaxQueries); val the validation
	// lists training validated on, on which every choice is made.
	test, val []QueryCandidates
	// depth is how many candidates of each list are ranked, in both
	// windows: choices see the candidates the first stage adds at the tail
	// (pivots).
	depth         int
	backend       compute.Backend
	backendInfo   backend.Info
	format        pairtext.Format
	precision     model.Precision
	precisionNote string // the precision, and why
}

// evalInputs loads what o asks to evaluate (o after withDefaults).
func (p *Project) evalInputs(o EvalOptions) (evalInputs, error) {
	run, err := p.findRun(o.Run)
	if err != nil {
		return evalInputs{}, err
	}
	if run.ModelDir == "" {
		return evalInputs{}, fmt.Errorf("run %s has no saved model (status %s): finish or resume it first", run.ID, run.Status)
	}
	in := evalInputs{run: run, depth: o.Depth}
	if in.archive, err = p.loadArchive(); err != nil {
		return evalInputs{}, err
	}
	if in.test, err = p.evalLists(in.archive, "test", o.MaxQueries); err != nil {
		return evalInputs{}, err
	}
	if len(in.test) == 0 {
		return evalInputs{}, fmt.Errorf("no test queries with mined positives: widen the test window or import more tickets")
	}
	// The validation scores training cached are reused (its queries).
	if in.val, err = p.validationQueries(run.Options.withDefaults()); err != nil {
		return evalInputs{}, err
	}
	settings := p.SettingsSnapshot()
	if in.backend, in.backendInfo, err = p.backend(pick(o.Backend, settings.Backend, p.rt.DefaultBackend())); err != nil {
		return evalInputs{}, err
	}
	if in.format, err = p.pairFormatIn(settings, run.Options.PairFormat); err != nil {
		return evalInputs{}, err
	}
	in.precision, in.precisionNote, err = inferencePrecision(pick(o.Precision, settings.Precision, defaultPrecision), in.backendInfo)
	if err != nil {
		return evalInputs{}, err
	}
	return in, nil
}

// evalLists are the candidate lists of one window with relevant tickets,
// oldest query first.
func (p *Project) evalLists(a *archive, window string, maxQueries int) ([]QueryCandidates, error) {
	lists, err := p.Candidates(window)
	if err != nil {
		return nil, err
	}
	lists = slices.DeleteFunc(lists, func(qc QueryCandidates) bool { return len(qc.Relevant) == 0 })
	slices.SortFunc(lists, func(x, y QueryCandidates) int {
		qx, _ := a.get(x.Query)
		qy, _ := a.get(y.Query)
		switch {
		case data.Earlier(qx, qy):
			return -1
		case data.Earlier(qy, qx):
			return 1
		}
		return 0
	})
	if maxQueries > 0 {
		lists = spread(lists, maxQueries)
	}
	return lists, nil
}

// scoredSystems are the systems scoring produces, before any choice: per
// system, one list per test query (in evalInputs.test's order), and the
// validation lists the choices are made on.
type scoredSystems struct {
	// test holds SysFirstStage, SysFinetuned, and where scored SysBaseline,
	// SysRanker and SysLeakProbe.
	test map[string][][]eval.Scored
	// The validation lists of the first stage, the starting reranker (nil
	// when it was not scored), the fine-tuned reranker and the learned
	// ranker (nil without one), and each validation query's relevant set.
	valFirst, valBaseline, valFinetuned, valRanker [][]eval.Scored
	valRelevant                                    []map[string]bool
	baselineSkipped                                string // why the starting reranker was not scored ("" when it was)
	// ranker is the learned ranker (nil: none, rankerSkipped says why) and
	// why its score of each test query's precedent, split by feature.
	ranker        *RankerFit
	rankerSkipped string
	why           map[string][]ltr.Contribution
	leakPairs     int // test pairs whose text differs when shown the future
}

// scoreSystems scores the test and validation lists with every system o
// asks for: the first stage, the starting reranker, the fine-tuned
// reranker, the learned ranker and the leak probe.
func (p *Project) scoreSystems(ctx context.Context, in evalInputs, o EvalOptions, progress Progress) (scoredSystems, error) {
	s := scoredSystems{
		test:        map[string][][]eval.Scored{SysFirstStage: firstStageLists(in.test, in.depth)},
		valFirst:    firstStageLists(in.val, in.depth),
		valRelevant: relevantSets(in.val),
	}
	var err error
	if s.baselineSkipped = p.baselineSkip(o, in.run); s.baselineSkipped == "" {
		var test [][]eval.Scored
		if s.valBaseline, test, err = p.scoreBaseline(ctx, in, progress); err != nil {
			return scoredSystems{}, err
		}
		s.test[SysBaseline] = test
	}
	finetuned, err := p.openFinetuned(in)
	if err != nil {
		return scoredSystems{}, err
	}
	defer finetuned.Close()
	finetunedKey := runScoreModel(in.run)
	var test [][]eval.Scored
	if s.valFinetuned, test, err = p.rankWindows(ctx, in, SysFinetuned, finetunedKey, finetuned, progress); err != nil {
		return scoredSystems{}, err
	}
	s.test[SysFinetuned] = test
	if o.NoRanker {
		s.rankerSkipped = "no learned ranker (--no-ranker)"
	} else if err := p.scoreRanker(ctx, in, o.BiEncoderEvidence, &s, progress); err != nil {
		return scoredSystems{}, err
	}
	if !o.NoLeakProbe {
		probe, n, err := p.leakProbe(ctx, finetuned, finetunedKey, in.archive, in.test, test, in.depth, progress)
		if err != nil {
			return scoredSystems{}, err
		}
		s.test[SysLeakProbe], s.leakPairs = probe, n
	}
	return s, nil
}

// baselineSkip says why the starting checkpoint is not scored as a
// baseline, or "" when it is.
func (p *Project) baselineSkip(o EvalOptions, run RunRecord) string {
	switch {
	case o.NoBaseline:
		return "not scored (--no-baseline)"
	case o.Baseline:
		return ""
	}
	// Reads the checkpoint only when the options leave the question open.
	if worth, why := p.baselineWorth(run.Options); !worth {
		return why
	}
	return ""
}

// scoreBaseline ranks both windows with the run's starting checkpoint.
func (p *Project) scoreBaseline(ctx context.Context, in evalInputs, progress Progress) (val, test [][]eval.Scored, err error) {
	m, tokPath, startDir, err := p.startModel(in.run.Options)
	if err != nil {
		return nil, nil, fmt.Errorf("baseline: %w", err)
	}
	starting, err := in.reranker(m, tokPath)
	if err != nil {
		return nil, nil, err
	}
	defer starting.Close()
	return p.rankWindows(ctx, in, SysBaseline, startScoreModel(in.run.Options, startDir), starting, progress)
}

// openFinetuned loads the run's fine-tuned model as a reranker.
func (p *Project) openFinetuned(in evalInputs) (*rerank.Engine, error) {
	checkpoint, err := hf.Load(in.run.ModelDir)
	if err != nil {
		return nil, fmt.Errorf("fine-tuned model: %w", err)
	}
	m, err := model.FromCheckpoint(checkpoint, model.Options{Head: model.CrossEncoder})
	if err != nil {
		return nil, fmt.Errorf("fine-tuned model: %w", err)
	}
	return in.reranker(m, checkpoint.TokenizerPath)
}

// reranker scores with m on the evaluation's backend, in the run's pair
// format and length, at its precision.
func (in evalInputs) reranker(m *model.Model, tokPath string) (*rerank.Engine, error) {
	return rerank.NewEngine(m, tokPath, in.backend, in.format, in.run.Options.MaxLen, in.precision)
}

// rankWindows ranks the validation, then the test lists with one reranker
// through the score cache (scoreModel names its model there); progress
// phases are named after the system.
func (p *Project) rankWindows(ctx context.Context, in evalInputs, system, scoreModel string, r *rerank.Engine, progress Progress) (val, test [][]eval.Scored, err error) {
	key := p.scoreKey(scoreModel, r)
	phase := func(window string) rankProgress {
		clock := newETAClock()
		return func(done, total int, work float64) {
			progress.emit(Event{Step: "evaluate", Phase: system + " " + window, Done: int64(done), Total: int64(total),
				ETA: clock.left(workUnits(work), workUnits(1))})
		}
	}
	if val, err = p.cachedRank(ctx, key, r, in.archive, in.val, in.depth, phase("validation")); err != nil {
		return nil, nil, err
	}
	if test, err = p.cachedRank(ctx, key, r, in.archive, in.test, in.depth, phase("test")); err != nil {
		return nil, nil, err
	}
	return val, test, nil
}

// scoreRanker fits the learned ranker and adds its lists to s, or says in
// s.rankerSkipped why there is none.
func (p *Project) scoreRanker(ctx context.Context, in evalInputs, biEncoder bool, s *scoredSystems, progress Progress) error {
	progress.emit(Event{Step: "evaluate", Phase: "learned ranker", Message: "features, rolling-origin folds, training"})
	fit, val, testQueries, err := p.evalRanker(ctx, in.archive, in.val, in.depth, in.test, in.depth, biEncoder, progress, "evaluate")
	if err != nil {
		return err
	}
	if fit.Model == nil {
		s.rankerSkipped = "no learned ranker: too few labelled training queries"
		return nil
	}
	s.ranker, s.valRanker = &fit, val
	s.test[SysRanker] = rankerScored(fit.Model, testQueries)
	s.why = explainPrecedents(fit.Model, testQueries)
	return nil
}

// leakProbe re-scores the test lists with candidates' full text: only the
// pairs whose text differs are scored again, the rest keep their honest
// score.
func (p *Project) leakProbe(ctx context.Context, honest *rerank.Engine, key string, a *archive, test []QueryCandidates, scores [][]eval.Scored, depth int, progress Progress) ([][]eval.Scored, int, error) {
	future := honest.Format()
	future.FutureText = true
	leaky := honest.WithFormat(future)
	sub := futureOnly(a, test, depth)
	n := 0
	for _, qc := range sub {
		n += len(qc.Candidates)
	}
	out := make([][]eval.Scored, len(test))
	for i := range scores {
		out[i] = slices.Clone(scores[i])
	}
	if n == 0 {
		return out, 0, nil
	}
	clock := newETAClock()
	lists, err := p.cachedRank(ctx, p.scoreKey(key, leaky), leaky, a, sub, depth, func(done, total int, work float64) {
		progress.emit(Event{Step: "evaluate", Phase: "leak probe", Done: int64(done), Total: int64(total), ETA: clock.left(workUnits(work), workUnits(1))})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("leak probe: %w", err)
	}
	for i, l := range lists {
		future := map[string]float64{}
		for _, s := range l {
			future[s.ID] = s.Score
		}
		for j, s := range out[i] {
			if f, ok := future[s.ID]; ok {
				out[i][j].Score = f
			}
		}
	}
	return out, n, nil
}

// firstStageLists are the lists in first-stage order, cut at depth.
func firstStageLists(lists []QueryCandidates, depth int) [][]eval.Scored {
	out := make([][]eval.Scored, len(lists))
	for i, qc := range lists {
		out[i] = firstStageScored(qc, depth)
	}
	return out
}

// relevantSets are each list's relevant tickets, as sets.
func relevantSets(lists []QueryCandidates) []map[string]bool {
	out := make([]map[string]bool, len(lists))
	for i, qc := range lists {
		out[i] = toSet(qc.Relevant)
	}
	return out
}
