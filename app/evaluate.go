package app

import (
	"context"
	"fmt"
	"time"

	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/ltr"
)

const metaEval = "evaluation"

// TieBreak states how equal scores are ordered, for reports.
const TieBreak = "equal scores keep the first-stage order (better first-stage rank first), then ticket ID"

// EvalOptions configure the test-window evaluation; zero values take
// DefaultEvalOptions' (Validate says which values are out of range).
type EvalOptions struct {
	Run          string `json:"run"`          // run to evaluate: ID, "last" or "best"
	Depth        int    `json:"depth"`        // candidates reranked per query
	MaxQueries   int    `json:"max_queries"`  // cap on test queries, evenly spread in time (0 = all)
	Permutations int    `json:"permutations"` // paired randomization test
	Resamples    int    `json:"resamples"`    // bootstrap resamples
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

// DefaultEvalOptions are the values an evaluation takes where its
// EvalOptions are zero: the best run, 50 candidates per test query, every
// test query, 10000 permutations and 2000 bootstrap resamples. The CLI's
// eval flags default to them.
func DefaultEvalOptions() EvalOptions {
	return EvalOptions{Run: "best", Depth: 50, Permutations: 10000, Resamples: 2000}
}

func (o EvalOptions) withDefaults() EvalOptions {
	d := DefaultEvalOptions()
	o.Run = firstNonEmpty(o.Run, d.Run)
	fillInt(&o.Depth, d.Depth)
	fillInt(&o.Permutations, d.Permutations)
	fillInt(&o.Resamples, d.Resamples)
	return o
}

// Validate says which option is out of range (an *OptionError naming its
// JSON field), or returns nil. Zero values are valid: they take
// DefaultEvalOptions'.
func (o EvalOptions) Validate() error {
	d := DefaultEvalOptions()
	if err := firstBadField(
		fieldCheck{o.Depth >= 0, "depth", o.Depth, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", d.Depth)},
		fieldCheck{o.MaxQueries >= 0, "max_queries", o.MaxQueries, "test queries, 1 or more (0 = all)"},
		fieldCheck{o.Permutations >= 0, "permutations", o.Permutations, fmt.Sprintf("permutations, 1 or more (0 = %d)", d.Permutations)},
		fieldCheck{o.Resamples >= 0, "resamples", o.Resamples, fmt.Sprintf("bootstrap resamples, 1 or more (0 = %d)", d.Resamples)},
		fieldCheck{validPrecision(o.Precision), "precision", o.Precision, precisionWant},
	); err != nil {
		return err
	}
	if o.Baseline && o.NoBaseline {
		return &OptionError{Field: "baseline", Value: true, With: "no_baseline"}
	}
	return nil
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

// Evaluate reranks each test query's stored candidates with the starting
// checkpoint and the fine-tuned model, fuses each with the first stage with
// the setting that is best on the validation window, and reports MRR@10,
// nDCG@10, Recall@k and MAP with a paired randomization test and a bootstrap
// CI, a leak probe, TREC run/qrels files and a Markdown/HTML report. Scores
// are cached per model, so evaluating again scores nothing twice.
//
// It runs four steps: score the systems (scoreSystems), choose the fusions
// and the final system on the validation window (chooseSystems), compare
// them on the test window (compareSystems), and write the report, the TREC
// files and the evaluation record (writeEvaluation).
func (p *Project) Evaluate(ctx context.Context, o EvalOptions, progress Progress) (EvalResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return EvalResult{}, fmt.Errorf("evaluate: %w", err)
	}
	o = o.withDefaults()
	in, err := p.evalInputs(o)
	if err != nil {
		return EvalResult{}, err
	}
	scored, err := p.scoreSystems(ctx, in, o, progress)
	if err != nil {
		return EvalResult{}, err
	}
	chosen := chooseSystems(scored)
	labels := systemLabels(p.firstStageName(), in.run, chosen)
	progress.emit(Event{Step: "evaluate", Phase: "statistics", Message: fmt.Sprintf("%d permutations, %d bootstrap resamples", o.Permutations, o.Resamples)})
	compared := compareSystems(in.test, chosen.lists, labels, chosen.from == FinalFromRanker, o.Permutations, o.Resamples)
	res := evalResult(in, scored, chosen, compared, labels)
	res.Created = start.UTC()
	if err := p.writeEvaluation(in, &res, compared); err != nil {
		return EvalResult{}, err
	}
	res.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaEval, res); err != nil {
		return EvalResult{}, err
	}
	progress.emit(Event{Step: "evaluate", Done: int64(len(in.test)), Total: int64(len(in.test)), Final: true})
	return res, nil
}

// LastEval returns the last evaluation, if any.
func (p *Project) LastEval() (EvalResult, bool, error) {
	var r EvalResult
	ok, err := p.Store.GetMeta(metaEval, &r)
	return r, ok, err
}

// firstStageName is the first stage's source, for labels.
func (p *Project) firstStageName() string {
	var r FirstStageResult
	if ok, _ := p.Store.GetMeta(metaFirstStage, &r); ok {
		return r.Options.Source
	}
	return "first stage"
}
