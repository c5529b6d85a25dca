package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/ltr"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform/fsutil"
)

const metaEval = "evaluation"

// TieBreak states how equal scores are ordered, for reports.
const TieBreak = "equal scores keep the first-stage order (better first-stage rank first), then ticket ID"

// EvalOptions configure the test-window evaluation.
type EvalOptions struct {
	Run          string `json:"run"`          // run to evaluate: ID, "last" or "best" (default best)
	Depth        int    `json:"depth"`        // candidates reranked per query (default 50)
	MaxQueries   int    `json:"max_queries"`  // cap on test queries, evenly spread in time (0 = all)
	Permutations int    `json:"permutations"` // paired randomization test (default 10000)
	Resamples    int    `json:"resamples"`    // bootstrap resamples (default 2000)
	Backend      string `json:"backend,omitempty"`
	Precision    string `json:"precision,omitempty"`   // scoring products: "" = project setting, then auto; "f32", "bf16"
	NoBaseline   bool   `json:"no_baseline,omitempty"` // never score the starting checkpoint
	// Baseline scores the starting checkpoint even when it has no trained
	// reranking head (see baselineWorth): by default such a checkpoint is
	// not a baseline, since its head is random.
	Baseline    bool `json:"baseline,omitempty"`
	NoLeakProbe bool `json:"no_leak_probe,omitempty"` // skip re-scoring with candidates' future text
	NoRanker    bool `json:"no_ranker,omitempty"`     // no learned ranker: the final system is the single-weight fusion
	// BiEncoderEvidence adds the off-the-shelf bi-encoder's cosine to the
	// learned ranker's evidence (embedding every listed ticket once, cached).
	BiEncoderEvidence bool `json:"bi_encoder_evidence,omitempty"`
}

// SystemEval is one system's metrics on the test window.
type SystemEval struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	eval.Metrics
}

// The systems an evaluation compares, by name.
const (
	SysFirstStage     = "first_stage"     // the stored first-stage order
	SysBaseline       = "baseline"        // the starting checkpoint as a reranker, off the shelf
	SysBaselineFusion = "baseline_fusion" // first stage fused with the starting checkpoint (chosen on validation)
	SysFinetuned      = "finetuned"       // the fine-tuned reranker alone
	SysRanker         = "ranker"          // the learned ranker over evidence, without the fine-tuned score
	SysFusion         = "fusion"          // first stage fused with the fine-tuned reranker, one weight chosen on validation
	SysFinal          = "final"           // what Precedent ships: the learned ranker with the fine-tuned score, or the fusion (chosen without the test window)
	SysLeakProbe      = "leak_probe"      // the fine-tuned reranker shown candidates' future text: NOT an honest figure
)

// EvalResult compares the first stage, the starting reranker, the
// fine-tuned reranker and the final system (their fusion, chosen on the
// validation window) on the identical stored candidate lists of the test
// window. The headline compares the final system with the BEST baseline.
type EvalResult struct {
	Run        string      `json:"run"`
	Queries    int         `json:"queries"`
	ValQueries int         `json:"validation_queries"`
	Depth      int         `json:"depth"`
	Precision  string      `json:"precision"` // the products' number format, and why
	FirstStage SystemEval  `json:"first_stage"`
	Baseline   *SystemEval `json:"baseline,omitempty"`
	// BaselineSkipped says why the starting reranker was not scored ("" when it was).
	BaselineSkipped string `json:"baseline_skipped,omitempty"`
	// BaselineFusion is the first stage fused with the starting reranker.
	BaselineFusion *SystemEval `json:"baseline_fusion,omitempty"`
	Finetuned      SystemEval  `json:"finetuned"`
	// Ranker is the learned ranker over evidence alone; FusionSystem the
	// first stage fused with the fine-tuned reranker by one weight.
	Ranker       *SystemEval `json:"ranker,omitempty"`
	FusionSystem SystemEval  `json:"fusion_system"`
	Final        SystemEval  `json:"final"`
	// FinalFrom says which candidate the final system is (FinalFromRanker
	// or FinalFromFusion) and FinalWhy why, in words.
	FinalFrom string `json:"final_from"`
	FinalWhy  string `json:"final_why"`
	// RankerFit is the learned ranker: weights, folds, trials.
	// RankerFusion is the fine-tuned score's share in it, chosen on validation.
	RankerFit    *RankerFit   `json:"ranker_fit,omitempty"`
	RankerFusion *eval.Fusion `json:"ranker_fusion,omitempty"`
	RankerVal    float64      `json:"ranker_fusion_validation_mrr@10,omitempty"`
	// Ceiling is the share of test queries with a relevant ticket in their
	// list (hit@depth): no reranker of these lists can find more.
	// Why holds, per test query, the learned ranker's score of its
	// precedent split into the largest feature contributions.
	Why        map[string][]ltr.Contribution `json:"why,omitempty"`
	Ceiling    float64                       `json:"ceiling_hit@depth"`
	ValCeiling float64                       `json:"validation_ceiling_hit@depth"`
	// Fusion is the final system's setting and FusionTrials every setting's
	// validation MRR@10; BaselineFusionSetting likewise for the baseline.
	Fusion                eval.Fusion        `json:"fusion"`
	FusionTrials          []eval.FusionTrial `json:"fusion_trials"`
	BaselineFusionSetting *eval.Fusion       `json:"baseline_fusion_setting,omitempty"`
	// LeakProbe is the fine-tuned reranker re-scored with candidates' full
	// text, notes written after the query included: how much a leaky
	// yardstick would flatter it. LeakPairs counts the pairs whose text differs.
	LeakProbe *SystemEval `json:"leak_probe,omitempty"`
	LeakPairs int         `json:"leak_pairs"`
	// BestBaseline names the baseline with the highest test MRR@10; VsBest
	// is the final system against it (the headline), and UpliftPct, PValue
	// and CI95 repeat it.
	BestBaseline  string             `json:"best_baseline"`
	VsBest        eval.Comparison    `json:"vs_best_baseline"`
	UpliftPct     float64            `json:"uplift_pct"`
	PValue        float64            `json:"p_value"`
	CI95          [2]float64         `json:"ci95_delta_mrr@10"`
	VsFirst       eval.Comparison    `json:"vs_first_stage"`        // final vs first stage
	PureVsFirst   eval.Comparison    `json:"pure_vs_first_stage"`   // the fine-tuned reranker alone vs first stage
	VsBaseline    *eval.Comparison   `json:"vs_baseline,omitempty"` // final vs starting reranker
	VsFusion      *eval.Comparison   `json:"vs_fusion,omitempty"`   // final (learned ranker) vs the single-weight fusion
	RankerVsFirst *eval.Comparison   `json:"ranker_vs_first_stage,omitempty"`
	Verdict       string             `json:"verdict"`
	PerRule       []eval.RuleRow     `json:"per_rule"`
	TieBreak      string             `json:"tie_break"`
	Relevance     string             `json:"relevance"`
	ReportMD      string             `json:"report_md"`
	ReportHTML    string             `json:"report_html"`
	TRECDir       string             `json:"trec_dir"`
	Seconds       float64            `json:"seconds"`
	Created       time.Time          `json:"created"`
	Details       []eval.QueryDetail `json:"details"` // per query: first relevant rank per system, the label's cue and note
}

// Relevance states what counts as relevant in evaluation, for reports.
const Relevance = "relevant: every earlier ticket a non-trivial, positive-class link ties to the query (training caps do not matter); " +
	"trivial duplicates of the query (the same alert again) are removed from its list; candidates are shown as of the query's opened time"

// evalLists are the candidate lists of one window with relevant tickets,
// oldest query first.
func (p *Project) evalLists(a *archive, window string, maxQueries int) ([]QueryCandidates, error) {
	qcs, err := p.Candidates(window)
	if err != nil {
		return nil, err
	}
	qcs = slices.DeleteFunc(qcs, func(qc QueryCandidates) bool { return len(qc.Relevant) == 0 })
	slices.SortFunc(qcs, func(x, y QueryCandidates) int {
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
		qcs = spread(qcs, maxQueries)
	}
	return qcs, nil
}

// Evaluate reranks each test query's stored candidates with the starting
// checkpoint and the fine-tuned model, fuses each with the first stage with
// the setting that is best on the validation window, and reports MRR@10,
// nDCG@10, Recall@k and MAP with a paired randomization test and a bootstrap
// CI, a leak probe, TREC run/qrels files and a Markdown/HTML report. Scores
// are cached per model, so evaluating again scores nothing twice.
func (p *Project) Evaluate(ctx context.Context, o EvalOptions, progress Progress) (EvalResult, error) {
	start := time.Now()
	if o.Depth <= 0 {
		o.Depth = 50
	}
	if o.Permutations <= 0 {
		o.Permutations = 10000
	}
	if o.Resamples <= 0 {
		o.Resamples = 2000
	}
	run, err := p.findRun(firstNonEmpty(o.Run, "best"))
	if err != nil {
		return EvalResult{}, err
	}
	if run.ModelDir == "" {
		return EvalResult{}, fmt.Errorf("run %s has no saved model (status %s): finish or resume it first", run.ID, run.Status)
	}
	a, err := p.loadArchive()
	if err != nil {
		return EvalResult{}, err
	}
	qcs, err := p.evalLists(a, "test", o.MaxQueries)
	if err != nil {
		return EvalResult{}, err
	}
	if len(qcs) == 0 {
		return EvalResult{}, fmt.Errorf("no test queries with mined positives: widen the test window or import more tickets")
	}
	// The fusion is chosen on the validation lists training validated on
	// (its queries and depth), whose scores training already cached.
	val, err := p.validationQueries(run.Options.withDefaults())
	if err != nil {
		return EvalResult{}, err
	}
	// Validation lists are scored as deep as the test lists, so choices
	// see the candidates the first stage adds at the tail (pivots).
	valDepth := o.Depth
	settings := p.SettingsSnapshot()
	b, info, err := p.backend(pick(o.Backend, settings.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return EvalResult{}, err
	}
	format, err := p.pairFormatIn(settings, run.Options.PairFormat)
	if err != nil {
		return EvalResult{}, err
	}
	prec, precNote, err := inferencePrecision(pick(o.Precision, settings.Precision, defaultPrecision), info)
	if err != nil {
		return EvalResult{}, err
	}
	// score ranks val then test lists with one model, through the cache.
	score := func(name, key string, m *model.Model, tokPath string) (valLists, testLists [][]eval.Scored, rr *reranker, err error) {
		rr, err = newReranker(m, tokPath, b, format, run.Options.MaxLen, prec)
		if err != nil {
			return nil, nil, nil, err
		}
		ck := p.scoreKey(key, rr)
		phase := func(what string) rankProgress {
			clock := newETAClock()
			return func(done, total int, work float64) {
				progress.emit(Event{Step: "evaluate", Phase: name + " " + what, Done: int64(done), Total: int64(total),
					ETA: clock.left(workUnits(work), workUnits(1))})
			}
		}
		if valLists, err = p.cachedRank(ctx, ck, rr, a, val, valDepth, phase("validation")); err == nil {
			testLists, err = p.cachedRank(ctx, ck, rr, a, qcs, o.Depth, phase("test"))
		}
		if err != nil {
			rr.Close()
			return nil, nil, nil, err
		}
		return valLists, testLists, rr, nil
	}
	firstOf := func(lists []QueryCandidates) [][]eval.Scored {
		out := make([][]eval.Scored, len(lists))
		for i, qc := range lists {
			out[i] = firstStageScored(qc, o.Depth)
		}
		return out
	}
	valFirst := make([][]eval.Scored, len(val))
	valRel := make([]map[string]bool, len(val))
	for i, qc := range val {
		valRel[i] = toSet(qc.Relevant)
		valFirst[i] = firstStageScored(qc, valDepth)
	}
	fuse := func(f eval.Fusion, first, model [][]eval.Scored) [][]eval.Scored {
		out := make([][]eval.Scored, len(first))
		for i := range first {
			out[i] = f.Apply(first[i], model[i])
		}
		return out
	}
	res := EvalResult{Run: run.ID, Queries: len(qcs), ValQueries: len(val), Depth: o.Depth, Precision: precNote, TieBreak: TieBreak, Relevance: Relevance, Created: time.Now().UTC()}
	systems := map[string][][]eval.Scored{SysFirstStage: firstOf(qcs)}
	switch {
	case o.NoBaseline:
		res.BaselineSkipped = "not scored (--no-baseline)"
	case !o.Baseline:
		// Reads the checkpoint only when the options leave the question open.
		if worth, why := p.baselineWorth(run.Options); !worth {
			res.BaselineSkipped = why
		}
	}
	if res.BaselineSkipped == "" {
		m, tokPath, startDir, err := p.startModel(run.Options)
		if err != nil {
			return EvalResult{}, fmt.Errorf("baseline: %w", err)
		}
		bv, bt, rr, err := score(SysBaseline, startScoreModel(run.Options, startDir), m, tokPath)
		if err != nil {
			return EvalResult{}, err
		}
		rr.Close()
		systems[SysBaseline] = bt
		f, _ := eval.ChooseFusion(valFirst, bv, valRel, eval.FusionGrid())
		res.BaselineFusionSetting = &f
		systems[SysBaselineFusion] = fuse(f, systems[SysFirstStage], bt)
	}
	ck, err := hf.Load(run.ModelDir)
	if err != nil {
		return EvalResult{}, fmt.Errorf("fine-tuned model: %w", err)
	}
	ft, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	if err != nil {
		return EvalResult{}, fmt.Errorf("fine-tuned model: %w", err)
	}
	ftKey := runScoreModel(run)
	fv, fte, rr, err := score(SysFinetuned, ftKey, ft, ck.TokenizerPath)
	if err != nil {
		return EvalResult{}, err
	}
	defer rr.Close()
	systems[SysFinetuned] = fte
	res.Fusion, res.FusionTrials = eval.ChooseFusion(valFirst, fv, valRel, eval.FusionGrid())
	systems[SysFusion] = fuse(res.Fusion, systems[SysFirstStage], fte)
	systems[SysFinal] = systems[SysFusion]
	res.FinalFrom = FinalFromFusion
	res.Ceiling, res.ValCeiling = hitRate(qcs, o.Depth), hitRate(val, valDepth)
	if o.NoRanker {
		res.FinalWhy = "no learned ranker (--no-ranker)"
	} else {
		progress.emit(Event{Step: "evaluate", Phase: "learned ranker", Message: "features, rolling-origin folds, training"})
		fit, rv, tq, err := p.evalRanker(ctx, a, val, valDepth, qcs, o.Depth, o.BiEncoderEvidence, progress)
		if err != nil {
			return EvalResult{}, err
		}
		if fit.Model != nil {
			res.RankerFit = &fit
			rt := rankerScored(fit.Model, tq)
			systems[SysRanker] = rt
			res.Why = explainPrecedents(fit.Model, tq)
			f, trials, share := modelShare(rv, fv, valRel)
			ch := chooseFinal(fit, fusedRR(f, byRankAll(rv), fv, valRel), fusedRR(res.Fusion, valFirst, fv, valRel), f, trials)
			res.FinalFrom, res.FinalWhy = ch.From, ch.Why
			if ch.From == FinalFromRanker {
				res.FinalWhy += "; " + share
			}
			if ch.From == FinalFromRanker {
				res.RankerFusion, res.RankerVal = &f, bestTrial(f, trials)
				systems[SysFinal] = fuse(f, byRankAll(rt), fte)
			}
		} else {
			res.FinalWhy = "no learned ranker: too few labelled training queries"
		}
	}
	if !o.NoLeakProbe {
		probe, n, err := p.leakProbe(ctx, rr, ftKey, a, qcs, fte, o.Depth, progress)
		if err != nil {
			return EvalResult{}, err
		}
		systems[SysLeakProbe], res.LeakPairs = probe, n
	}

	progress.emit(Event{Step: "evaluate", Phase: "statistics", Message: fmt.Sprintf("%d permutations, %d bootstrap resamples", o.Permutations, o.Resamples)})
	names := []string{SysFirstStage, SysBaseline, SysBaselineFusion, SysFinetuned, SysRanker, SysFusion, SysFinal, SysLeakProbe}
	labels := map[string]string{
		SysFirstStage:     "first stage (" + p.firstStageName() + ")",
		SysBaseline:       "starting reranker (" + filepath.Base(run.StartModel) + ")",
		SysBaselineFusion: "first stage + starting reranker",
		SysFinetuned:      "fine-tuned reranker alone (" + run.ID + ")",
		SysRanker:         "learned ranker over evidence (no fine-tuned score)",
		SysFusion:         "first stage + fine-tuned (" + res.Fusion.String() + ")",
		SysFinal:          "final: first stage + fine-tuned (" + res.Fusion.String() + ")",
		SysLeakProbe:      "leak probe: fine-tuned, shown future text (not honest)",
	}
	if res.RankerFusion != nil {
		labels[SysFinal] = "final: learned ranker + fine-tuned (" + res.RankerFusion.String() + ")"
		if res.RankerFusion.Weight == 0 {
			labels[SysFinal] = "final: learned ranker (the fine-tuned share did not help on validation)"
		}
	}
	if res.BaselineFusionSetting != nil {
		labels[SysBaselineFusion] += " (" + res.BaselineFusionSetting.String() + ")"
	}
	ranked := map[string][][]string{}
	per := map[string][]eval.Metrics{}
	var report eval.Report
	for _, n := range names {
		lists, ok := systems[n]
		if !ok {
			continue
		}
		for i, qc := range qcs {
			ids := eval.Order(lists[i])
			ranked[n] = append(ranked[n], ids)
			m, _ := eval.Score(ids, toSet(qc.Relevant))
			per[n] = append(per[n], m)
		}
		se := SystemEval{Name: n, Label: labels[n], Metrics: eval.Mean(per[n])}
		switch n {
		case SysFirstStage:
			res.FirstStage = se
		case SysBaseline:
			res.Baseline = &se
		case SysBaselineFusion:
			res.BaselineFusion = &se
		case SysFinetuned:
			res.Finetuned = se
		case SysRanker:
			res.Ranker = &se
		case SysFusion:
			res.FusionSystem = se
		case SysFinal:
			res.Final = se
		case SysLeakProbe:
			res.LeakProbe = &se
		}
		report.Systems = append(report.Systems, eval.SystemResult{Name: n, Label: labels[n], Mean: se.Metrics, PerQuery: per[n]})
	}
	mrr := func(n string) []float64 {
		out := make([]float64, len(per[n]))
		for i, m := range per[n] {
			out[i] = m.MRR10
		}
		return out
	}
	compare := func(a, b string, seed uint64) eval.Comparison {
		c := eval.Compare(mrr(a), mrr(b), o.Permutations, o.Resamples, seed)
		report.Comparisons = append(report.Comparisons, eval.NamedComparison{Name: labels[b] + " vs " + labels[a], A: a, B: b, Metric: "mrr@10", Comparison: c})
		return c
	}
	res.BestBaseline = SysFirstStage
	for _, n := range []string{SysBaseline, SysBaselineFusion} {
		if _, ok := per[n]; ok && eval.Mean(per[n]).MRR10 > eval.Mean(per[res.BestBaseline]).MRR10 {
			res.BestBaseline = n
		}
	}
	res.VsBest = compare(res.BestBaseline, SysFinal, 1)
	res.UpliftPct, res.PValue, res.CI95 = res.VsBest.UpliftPct, res.VsBest.PValue, [2]float64{res.VsBest.CILow, res.VsBest.CIHigh}
	if res.BestBaseline == SysFirstStage {
		res.VsFirst = res.VsBest
	} else {
		res.VsFirst = compare(SysFirstStage, SysFinal, 2)
	}
	res.PureVsFirst = compare(SysFirstStage, SysFinetuned, 3)
	if _, ok := per[SysBaseline]; ok {
		c := compare(SysBaseline, SysFinal, 4)
		res.VsBaseline = &c
	}
	if res.FinalFrom == FinalFromRanker {
		c := compare(SysFusion, SysFinal, 5)
		res.VsFusion = &c
	}
	if _, ok := per[SysRanker]; ok {
		c := compare(SysFirstStage, SysRanker, 6)
		res.RankerVsFirst = &c
	}
	res.Verdict = verdict(res, labels, run)
	report.Verdict = res.Verdict
	res.PerRule = perRule(qcs, per)
	report.PerRule = res.PerRule
	report.Queries = p.queryDetails(a, qcs, ranked)
	for i := range report.Queries {
		if cs := res.Why[report.Queries[i].Query]; len(cs) > 0 {
			report.Queries[i].Why = "learned ranker, largest contributions for " + report.Queries[i].Positive + ": " + whyLine(cs)
		}
	}
	res.Details = report.Queries
	report.Title = "Precedent evaluation: " + run.ID
	report.Created = res.Created
	report.TieBreak = TieBreak
	report.Settings = map[string]string{
		"run": run.ID, "start model": run.StartModel, "backend": info.Description, "precision": precNote,
		"test queries": fmt.Sprint(len(qcs)), "validation queries (fusion chosen on)": fmt.Sprint(len(val)),
		"candidates per query": fmt.Sprint(o.Depth),
		"training examples":    fmt.Sprintf("%d (%d positives, %d negatives)", run.Examples, run.Positives, run.Negatives),
		"steps":                fmt.Sprintf("%d (best at %d, validation MRR@10 %.3f → %.3f)", run.Steps, run.BestStep, run.StartMRR, run.BestMRR),
		"max length":           fmt.Sprint(run.Options.MaxLen), "layers kept": fmt.Sprint(run.Options.KeepLayers),
		"fusion":       fusionLine(res),
		"final system": res.FinalFrom + ": " + res.FinalWhy,
		"ceiling":      fmt.Sprintf("hit@%d %.3f on test, %.3f on validation: the share of queries whose list holds a relevant ticket, the most any reranker of these lists can find", o.Depth, res.Ceiling, res.ValCeiling),
		"relevance":    Relevance,
	}
	if res.BaselineSkipped != "" {
		report.Settings["starting reranker"] = res.BaselineSkipped
	}
	if res.RankerFit != nil {
		report.Settings["learned ranker"] = rankerLine(*res.RankerFit)
	}
	if res.LeakProbe != nil {
		report.Settings["leak probe"] = fmt.Sprintf("%d of %d pairs show text written after the query opened; fine-tuned MRR@10 %.3f honest vs %.3f shown that text",
			res.LeakPairs, len(qcs)*o.Depth, res.Finetuned.MRR10, res.LeakProbe.MRR10)
	}
	dir := filepath.Join(run.Dir, "eval")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return EvalResult{}, err
	}
	if err := writeTREC(dir, qcs, ranked); err != nil {
		return EvalResult{}, err
	}
	res.TRECDir = dir
	if res.ReportMD, res.ReportHTML, err = eval.WriteReport(dir, report); err != nil {
		return EvalResult{}, err
	}
	res.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaEval, res); err != nil {
		return EvalResult{}, err
	}
	progress.emit(Event{Step: "evaluate", Done: int64(len(qcs)), Total: int64(len(qcs)), Final: true})
	return res, nil
}

// leakProbe re-scores the test lists with candidates' full text: only the
// pairs whose text differs are scored again, the rest keep their honest
// score.
func (p *Project) leakProbe(ctx context.Context, honest *reranker, key string, a *archive, qcs []QueryCandidates, scores [][]eval.Scored, depth int, progress Progress) ([][]eval.Scored, int, error) {
	leaky := *honest
	leaky.format.FutureText = true
	sub := futureOnly(a, qcs, depth)
	n := 0
	for _, qc := range sub {
		n += len(qc.Candidates)
	}
	out := make([][]eval.Scored, len(qcs))
	for i := range scores {
		out[i] = slices.Clone(scores[i])
	}
	if n == 0 {
		return out, 0, nil
	}
	clock := newETAClock()
	lists, err := p.cachedRank(ctx, p.scoreKey(key, &leaky), &leaky, a, sub, depth, func(done, total int, work float64) {
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

// fusionLine says how the final system was chosen.
func fusionLine(r EvalResult) string {
	best := 0.0
	for _, t := range r.FusionTrials {
		if t.Fusion == r.Fusion {
			best = t.MRR10
		}
	}
	s := fmt.Sprintf("%s, chosen on %d validation queries (validation MRR@10 %.3f; %d settings tried)", r.Fusion, r.ValQueries, best, len(r.FusionTrials))
	if r.Fusion.Weight == 0 {
		s += "; weight 0: the fine-tuned model did not help on validation, so this fusion is the first stage itself"
	}
	if r.FinalFrom == FinalFromRanker && r.RankerFusion != nil {
		s += fmt.Sprintf("; the final system is the learned ranker with the fine-tuned score fused in (%s, validation MRR@10 %.3f) instead", r.RankerFusion, r.rankerFusionVal())
	}
	return s
}

// verdict says in words how the final system compares with the best
// baseline, and when it does not win, the likely reason and what to try.
func verdict(r EvalResult, labels map[string]string, run RunRecord) string {
	c := r.VsBest
	head := fmt.Sprintf("Final system vs the best baseline, %s: MRR@10 %.3f → %.3f (%+.1f%%, Δ %+.3f, 95%% CI [%+.3f, %+.3f], p = %.3g, %d test queries).",
		labels[r.BestBaseline], c.MeanA, c.MeanB, c.UpliftPct, c.Delta, c.CILow, c.CIHigh, c.PValue, r.Queries)
	significant := c.PValue < 0.05
	var why []string
	if run.Positives < 1000 {
		why = append(why, fmt.Sprintf("only %d labelled training pairs", run.Positives))
	}
	if r.ValQueries < 100 {
		why = append(why, fmt.Sprintf("only %d validation queries to choose the fusion on", r.ValQueries))
	}
	if r.FinalFrom != FinalFromRanker && r.RankerFit != nil {
		why = append(why, "the learned ranker was not chosen: "+r.FinalWhy)
	}
	if r.Finetuned.MRR10 < r.FirstStage.MRR10 {
		why = append(why, fmt.Sprintf("the fine-tuned reranker alone is below the first stage (%.3f vs %.3f)", r.Finetuned.MRR10, r.FirstStage.MRR10))
	}
	reason := ""
	if len(why) > 0 {
		reason = " Likely reason: " + strings.Join(why, "; ") + "."
	}
	try := " What to try: mine more labels (comments, explicit link fields, more ID patterns), review hard negatives, or start from a stronger checkpoint (a downloaded cross-encoder, or a fine-tuned bi-encoder)."
	switch {
	case significant && c.Delta > 0:
		return "Better than the best baseline. " + head
	case significant && c.Delta < 0:
		return "WORSE than the best baseline: do not ship this model. " + head + reason + try
	case r.FinalFrom != FinalFromRanker && r.Fusion.Weight == 0:
		return "Not better than the first stage: the fine-tuned model did not help on the validation window, so the final ranking is the first stage's own. " + head + reason + try
	default:
		return "Not significantly different from the best baseline. " + head + reason + try
	}
}

// LastEval returns the last evaluation, if any.
func (p *Project) LastEval() (EvalResult, bool, error) {
	var r EvalResult
	ok, err := p.Store.GetMeta(metaEval, &r)
	return r, ok, err
}

func (p *Project) firstStageName() string {
	var r FirstStageResult
	if ok, _ := p.Store.GetMeta(metaFirstStage, &r); ok {
		return r.Options.Source
	}
	return "first stage"
}

// perRule is each query rule's MRR@10 per system (rules with ≥ 3 queries).
func perRule(qcs []QueryCandidates, per map[string][]eval.Metrics) []eval.RuleRow {
	idx := map[string]int{}
	var rows []eval.RuleRow
	for i, qc := range qcs {
		j, ok := idx[qc.Rule]
		if !ok {
			j = len(rows)
			idx[qc.Rule] = j
			rows = append(rows, eval.RuleRow{Rule: qc.Rule, MRR: map[string]float64{}})
		}
		rows[j].Queries++
		for n, ms := range per {
			rows[j].MRR[n] += ms[i].MRR10
		}
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Queries < 3 {
			continue
		}
		for n := range r.MRR {
			r.MRR[n] /= float64(r.Queries)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b eval.RuleRow) int { return strings.Compare(a.Rule, b.Rule) })
	return out
}

// queryDetails describes each query for the report: ranks of its first
// relevant ticket per system and the close-note that made the label.
func (p *Project) queryDetails(a *archive, qcs []QueryCandidates, ranked map[string][][]string) []eval.QueryDetail {
	pairs, _ := p.Pairs()
	cue := map[[2]string]StoredPair{}
	for _, sp := range pairs {
		cue[[2]string{sp.Query, sp.Positive}] = sp
	}
	out := make([]eval.QueryDetail, len(qcs))
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		d := eval.QueryDetail{Query: qc.Query, Rule: qc.Rule, Text: q.Title, Relevant: qc.Relevant, Ranks: map[string]int{}}
		rel := toSet(qc.Relevant)
		for n, lists := range ranked {
			for r, id := range lists[i] {
				if rel[id] {
					d.Ranks[n] = r + 1
					if n == "finetuned" {
						d.Positive = id
					}
					break
				}
			}
		}
		if d.Positive == "" && len(qc.Relevant) > 0 {
			d.Positive = qc.Relevant[0]
		}
		if pt, ok := a.get(d.Positive); ok {
			d.PositiveTitle = pt.Title
		}
		if sp, ok := cue[[2]string{qc.Query, d.Positive}]; ok {
			d.Cue = sp.Cue
			if src, ok := a.get(sp.Source); ok {
				d.Note = src.CloseNotes
			}
		}
		out[i] = d
	}
	return out
}

// writeTREC writes qrels and one run file per system so trec_eval / ranx
// reproduce the figures.
func writeTREC(dir string, qcs []QueryCandidates, ranked map[string][][]string) error {
	qrels := map[string]map[string]bool{}
	for _, qc := range qcs {
		qrels[qc.Query] = toSet(qc.Relevant)
	}
	if err := writeFile(filepath.Join(dir, "qrels.txt"), func(w io.Writer) error { return eval.WriteQrels(w, qrels) }); err != nil {
		return err
	}
	for n, lists := range ranked {
		runs := map[string][]string{}
		for i, qc := range qcs {
			runs[qc.Query] = lists[i]
		}
		if err := writeFile(filepath.Join(dir, "run."+n+".txt"), func(w io.Writer) error { return eval.WriteRun(w, n, runs) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes path atomically with the content fn writes.
func writeFile(path string, fn func(io.Writer) error) error {
	if err := fsutil.WriteFileAtomicFunc(path, 0o644, fn); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
