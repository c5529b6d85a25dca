package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
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
	NoBaseline   bool   `json:"no_baseline,omitempty"` // skip scoring the starting checkpoint
}

// SystemEval is one system's metrics on the test window.
type SystemEval struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	eval.Metrics
}

// EvalResult compares first stage, starting reranker and fine-tuned reranker
// on the identical stored candidate lists of the test window.
type EvalResult struct {
	Run        string             `json:"run"`
	Queries    int                `json:"queries"`
	Depth      int                `json:"depth"`
	FirstStage SystemEval         `json:"first_stage"`
	Baseline   *SystemEval        `json:"baseline,omitempty"`
	Finetuned  SystemEval         `json:"finetuned"`
	UpliftPct  float64            `json:"uplift_pct"` // fine-tuned vs first stage, MRR@10
	PValue     float64            `json:"p_value"`
	CI95       [2]float64         `json:"ci95_delta_mrr@10"`
	VsBaseline *eval.Comparison   `json:"vs_baseline,omitempty"`
	VsFirst    eval.Comparison    `json:"vs_first_stage"`
	PerRule    []eval.RuleRow     `json:"per_rule"`
	TieBreak   string             `json:"tie_break"`
	ReportMD   string             `json:"report_md"`
	ReportHTML string             `json:"report_html"`
	TRECDir    string             `json:"trec_dir"`
	Seconds    float64            `json:"seconds"`
	Created    time.Time          `json:"created"`
	Details    []eval.QueryDetail `json:"details"` // per query: first relevant rank per system, the label's cue and note
}

// Evaluate reranks each test query's stored candidates with the first
// stage, the starting checkpoint and the fine-tuned model, and reports
// MRR@10, nDCG@10, Recall@k and MAP with a paired randomization test and a
// bootstrap CI, TREC run/qrels files and a Markdown/HTML report.
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
	qcs, err := p.Candidates("test")
	if err != nil {
		return EvalResult{}, err
	}
	qcs = slices.DeleteFunc(qcs, func(qc QueryCandidates) bool { return len(qc.Relevant) == 0 })
	slices.SortFunc(qcs, func(x, y QueryCandidates) int {
		qx, _ := a.get(x.Query)
		qy, _ := a.get(y.Query)
		return qx.Opened.Compare(qy.Opened)
	})
	if o.MaxQueries > 0 {
		qcs = spread(qcs, o.MaxQueries)
	}
	if len(qcs) == 0 {
		return EvalResult{}, fmt.Errorf("no test queries with mined positives: widen the test window or import more tickets")
	}
	b, info, err := Backend(firstNonEmpty(o.Backend, p.Settings.Backend))
	if err != nil {
		return EvalResult{}, err
	}
	format, err := p.pairFormat(run.Options.PairFormat)
	if err != nil {
		return EvalResult{}, err
	}
	score := func(name string, m *model.Model, tokPath string) ([][]eval.Scored, error) {
		rr, err := newReranker(m, tokPath, b, format, run.Options.MaxLen)
		if err != nil {
			return nil, err
		}
		defer rr.Close()
		return rr.rank(ctx, a, qcs, o.Depth, func(done, total int) {
			progress.emit(Event{Step: "evaluate", Phase: name, Done: int64(done), Total: int64(total)})
		})
	}
	systems := map[string][][]eval.Scored{}
	first := make([][]eval.Scored, len(qcs))
	for i, qc := range qcs {
		first[i] = firstStageScored(qc, o.Depth)
	}
	systems["first_stage"] = first
	if !o.NoBaseline {
		m, tokPath, _, err := p.startModel(run.Options)
		if err != nil {
			return EvalResult{}, fmt.Errorf("baseline: %w", err)
		}
		if systems["baseline"], err = score("baseline", m, tokPath); err != nil {
			return EvalResult{}, err
		}
	}
	ck, err := hf.Load(run.ModelDir)
	if err != nil {
		return EvalResult{}, fmt.Errorf("fine-tuned model: %w", err)
	}
	ft, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	if err != nil {
		return EvalResult{}, fmt.Errorf("fine-tuned model: %w", err)
	}
	if systems["finetuned"], err = score("finetuned", ft, ck.TokenizerPath); err != nil {
		return EvalResult{}, err
	}

	progress.emit(Event{Step: "evaluate", Phase: "statistics", Message: fmt.Sprintf("%d permutations, %d bootstrap resamples", o.Permutations, o.Resamples)})
	res := EvalResult{Run: run.ID, Queries: len(qcs), Depth: o.Depth, TieBreak: TieBreak, Created: time.Now().UTC()}
	names := []string{"first_stage", "baseline", "finetuned"}
	labels := map[string]string{
		"first_stage": "first stage (" + p.firstStageName() + ")",
		"baseline":    "starting reranker (" + filepath.Base(run.StartModel) + ")",
		"finetuned":   "fine-tuned (" + run.ID + ")",
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
		case "first_stage":
			res.FirstStage = se
		case "baseline":
			res.Baseline = &se
		case "finetuned":
			res.Finetuned = se
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
	res.VsFirst = eval.Compare(mrr("first_stage"), mrr("finetuned"), o.Permutations, o.Resamples, 1)
	res.UpliftPct, res.PValue, res.CI95 = res.VsFirst.UpliftPct, res.VsFirst.PValue, [2]float64{res.VsFirst.CILow, res.VsFirst.CIHigh}
	report.Comparisons = append(report.Comparisons, eval.NamedComparison{Name: "fine-tuned vs first stage", A: "first_stage", B: "finetuned", Metric: "mrr@10", Comparison: res.VsFirst})
	if _, ok := per["baseline"]; ok {
		c := eval.Compare(mrr("baseline"), mrr("finetuned"), o.Permutations, o.Resamples, 2)
		res.VsBaseline = &c
		report.Comparisons = append(report.Comparisons, eval.NamedComparison{Name: "fine-tuned vs starting reranker", A: "baseline", B: "finetuned", Metric: "mrr@10", Comparison: c})
	}
	res.PerRule = perRule(qcs, per)
	report.PerRule = res.PerRule
	report.Queries = p.queryDetails(a, qcs, ranked)
	res.Details = report.Queries
	report.Title = "Precedent evaluation: " + run.ID
	report.Created = res.Created
	report.TieBreak = TieBreak
	report.Settings = map[string]string{
		"run": run.ID, "start model": run.StartModel, "backend": info.Description,
		"test queries": fmt.Sprint(len(qcs)), "candidates per query": fmt.Sprint(o.Depth),
		"training examples": fmt.Sprintf("%d (%d positives, %d negatives)", run.Examples, run.Positives, run.Negatives),
		"steps":             fmt.Sprintf("%d (best at %d, validation MRR@10 %.3f → %.3f)", run.Steps, run.BestStep, run.StartMRR, run.BestMRR),
		"max length":        fmt.Sprint(run.Options.MaxLen), "layers kept": fmt.Sprint(run.Options.KeepLayers),
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
	if err := writeFile(filepath.Join(dir, "qrels.txt"), func(f *os.File) error { return eval.WriteQrels(f, qrels) }); err != nil {
		return err
	}
	for n, lists := range ranked {
		runs := map[string][]string{}
		for i, qc := range qcs {
			runs[qc.Query] = lists[i]
		}
		if err := writeFile(filepath.Join(dir, "run."+n+".txt"), func(f *os.File) error { return eval.WriteRun(f, n, runs) }); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, fn func(*os.File) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
