package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/platform/fsutil"
)

// writeEvaluation writes the evaluation's artifacts into the run's eval
// folder: TREC qrels and one run file per system, and the Markdown and
// HTML report. It fills in res's per-query details and the paths written.
func (p *Project) writeEvaluation(in evalInputs, res *EvalResult, cmp comparisons) error {
	report := p.evalReport(in, *res, cmp)
	res.Details = report.Queries
	dir := filepath.Join(in.run.Dir, "eval")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeTREC(dir, in.test, cmp.ranked); err != nil {
		return err
	}
	res.TRECDir = dir
	var err error
	res.ReportMD, res.ReportHTML, err = eval.WriteReport(dir, report)
	return err
}

// evalReport is the report of res: the systems, the tests, each query's
// details and the settings the figures rest on.
func (p *Project) evalReport(in evalInputs, res EvalResult, cmp comparisons) eval.Report {
	report := eval.Report{
		Title: "Precedent evaluation: " + in.run.ID, Created: res.Created, TieBreak: TieBreak,
		Systems: cmp.systems, Comparisons: cmp.named, Verdict: res.Verdict, PerRule: res.PerRule,
		Queries: p.queryDetails(in.archive, in.test, cmp.ranked),
	}
	for i := range report.Queries {
		if cs := res.Why[report.Queries[i].Query]; len(cs) > 0 {
			report.Queries[i].Why = "learned ranker, largest contributions for " + report.Queries[i].Positive + ": " + whyLine(cs)
		}
	}
	run := in.run
	report.Settings = map[string]string{
		"run": run.ID, "start model": run.StartModel, "backend": in.backendInfo.Description, "precision": in.precisionNote,
		"test queries": fmt.Sprint(len(in.test)), "validation queries (fusion chosen on)": fmt.Sprint(len(in.val)),
		"candidates per query": fmt.Sprint(in.depth),
		"training examples":    fmt.Sprintf("%d (%d positives, %d negatives)", run.Examples, run.Positives, run.Negatives),
		"steps":                fmt.Sprintf("%d (best at %d, validation MRR@10 %.3f → %.3f)", run.Steps, run.BestStep, run.StartMRR, run.BestMRR),
		"max length":           fmt.Sprint(run.Options.MaxLen), "layers kept": fmt.Sprint(run.Options.KeepLayers),
		"fusion":       fusionLine(res),
		"final system": res.FinalFrom + ": " + res.FinalWhy,
		"ceiling":      fmt.Sprintf("hit@%d %.3f on test, %.3f on validation: the share of queries whose list holds a relevant ticket, the most any reranker of these lists can find", in.depth, res.Ceiling, res.ValCeiling),
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
			res.LeakPairs, len(in.test)*in.depth, res.Finetuned.MRR10, res.LeakProbe.MRR10)
	}
	return report
}

// queryDetails describes each query for the report: ranks of its first
// relevant ticket per system and the close-note that made the label.
func (p *Project) queryDetails(a *archive, test []QueryCandidates, ranked map[string][][]string) []eval.QueryDetail {
	pairs, _ := p.Pairs()
	cue := map[[2]string]StoredPair{}
	for _, sp := range pairs {
		cue[[2]string{sp.Query, sp.Positive}] = sp
	}
	out := make([]eval.QueryDetail, len(test))
	for i, qc := range test {
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
func writeTREC(dir string, test []QueryCandidates, ranked map[string][][]string) error {
	qrels := map[string]map[string]bool{}
	for _, qc := range test {
		qrels[qc.Query] = toSet(qc.Relevant)
	}
	if err := writeFile(filepath.Join(dir, "qrels.txt"), func(w io.Writer) error { return eval.WriteQrels(w, qrels) }); err != nil {
		return err
	}
	for n, lists := range ranked {
		runs := map[string][]string{}
		for i, qc := range test {
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
