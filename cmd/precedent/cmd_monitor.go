package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"monitor", "how the deployed model ages: MRR@10 per month of the final system, model and first stage since training, drift signals, advice", cmdMonitor})
}

func cmdMonitor(ctx context.Context, args []string) error {
	f := newFlags("monitor", "[flags]", "Run after re-importing the archive with newer tickets. Re-mines (split dates kept) and re-runs the\n"+
		"first stage when the labels changed, then evaluates the deployed model, the first stage and the final\n"+
		"system on the queries opened after the model's training data ended, one row per period, with\n"+
		"label-free drift signals and advice in words. Writes monitor/report.md and report.html.", 0, 0)
	def := app.DefaultMonitorOptions()
	o, th := def, def.Thresholds
	f.StringVar(&o.Model, "model", def.Model, "the deployed model: a run ID, best, last, or an export folder")
	f.StringVar(&o.Compare, "compare", def.Compare, "a second model (e.g. retrained with `train --from`) to compare on the same periods")
	f.StringVar(&o.Period, "period", def.Period, "rows by week, month or quarter")
	since := f.String("since", "", "monitor queries opened from this date (YYYY-MM-DD; default: the end of the model's validation window)")
	f.IntVar(&o.Depth, "depth", def.Depth, "candidates reranked per query")
	f.IntVar(&o.Resamples, "bootstrap", def.Resamples, "bootstrap resamples for each period's 95% CI")
	f.IntVar(&o.Permutations, "permutations", def.Permutations, "permutations of each period's paired randomization test")
	f.BoolVar(&o.NoRefresh, "no-refresh", def.NoRefresh, "do not re-mine and re-run the first stage first")
	f.BoolVar(&o.BiEncoderEvidence, "bi-encoder-evidence", def.BiEncoderEvidence, biEncoderEvidenceHelp)
	f.StringVar(&o.Backend, "backend", def.Backend, "compute backend (default: the fastest available)")
	f.StringVar(&o.Precision, "precision", def.Precision, "products of scoring: auto, f32 or bf16")
	f.IntVar(&o.Thresholds.MinQueries, "min-queries", th.MinQueries, "periods with fewer labelled queries are not judged on MRR@10")
	f.IntVar(&o.Thresholds.Periods, "periods", th.Periods, "consecutive periods a drop must last to advise retraining")
	f.Float64Var(&o.Thresholds.BelowFirst, "below-first", th.BelowFirst, "Δ MRR@10 (final − first stage) at or below minus this counts as below the first stage")
	f.Float64Var(&o.Thresholds.Drop, "drop", th.Drop, "the final system's lead over the first stage shrunk this much from its first monitored queries (and beyond chance) counts as a drop")
	f.Float64Var(&o.Thresholds.UnseenRules, "unseen-rules", th.UnseenRules, "share of tickets from rules unseen in training that advises retraining")
	f.Float64Var(&o.Thresholds.Shift, "shift", th.Shift, "Kolmogorov-Smirnov distance of lengths or top scores worth watching")
	if err := f.parse(args); err != nil {
		return err
	}
	if *since != "" {
		var err error
		if o.Since, err = time.Parse(time.DateOnly, *since); err != nil {
			return fmt.Errorf("monitor --since %q: want YYYY-MM-DD: %w", *since, err)
		}
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, monitorFlagOf)
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.Monitor(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	printMonitor(res)
	return nil
}

// monitorFlagOf names the monitor flag that sets each option (by its JSON
// name), for optionError.
var monitorFlagOf = map[string]string{"model": "model", "compare": "compare", "period": "period", "depth": "depth",
	"permutations": "permutations", "resamples": "bootstrap", "backend": "backend", "precision": "precision",
	"thresholds.min_queries": "min-queries", "thresholds.periods": "periods", "thresholds.below_first": "below-first",
	"thresholds.drop": "drop", "thresholds.unseen_rules": "unseen-rules", "thresholds.shift": "shift"}

func printMonitor(r app.MonitorResult) {
	for _, s := range r.Refreshed {
		fmt.Println("refreshed: " + s)
	}
	fmt.Printf("model %s, queries opened since %s, by %s; final = %s, chosen on %d validation queries: MRR@10 %.3f, first stage %.3f\n\n",
		r.Model, r.Since.Format(time.DateOnly), r.Period, r.FinalSystem(), r.Reference.ValQueries, r.Reference.Final, r.Reference.FirstStage)
	head := []string{"period", "tickets", "queries", "labels", "first", "model", "final", "Δ final−first [95% CI]", "unseen rules", "new ent.", "len KS", "model top KS", "first top KS"}
	if r.Compare != "" {
		head = append(head, "retrained final", "Δ vs deployed [95% CI]")
	}
	rows := [][]string{head}
	for _, x := range r.Rows {
		s := x.Signals
		row := []string{x.Period, fmt.Sprint(x.Tickets), fmt.Sprint(x.Queries), fmt.Sprint(x.Labels)}
		if x.Queries > 0 {
			row = append(row, fmt.Sprintf("%.3f", x.FirstStage), fmt.Sprintf("%.3f", x.Model), fmt.Sprintf("%.3f", x.Final),
				fmt.Sprintf("%+.3f [%+.3f, %+.3f]", x.VsFirst.Delta, x.VsFirst.CILow, x.VsFirst.CIHigh))
		} else {
			row = append(row, "–", "–", "–", "–")
		}
		row = append(row, fmt.Sprintf("%.0f%%", 100*s.UnseenRules), fmt.Sprintf("%.0f%%", 100*s.NewEntities), fmt.Sprintf("%.2f", s.Length.KS),
			fmt.Sprintf("%.2f", s.ModelTop.KS), fmt.Sprintf("%.2f", s.FirstStageTop.KS))
		if r.Compare != "" {
			if c := x.Compare; c != nil {
				row = append(row, fmt.Sprintf("%.3f", c.Final), fmt.Sprintf("%+.3f [%+.3f, %+.3f]", c.VsCurrent.Delta, c.VsCurrent.CILow, c.VsCurrent.CIHigh))
			} else {
				row = append(row, "–", "–")
			}
		}
		rows = append(rows, row)
	}
	table(os.Stdout, rows)
	fmt.Printf("\n%s\n\nreport: %s\n", r.Advice.Text, r.ReportMD)
}
