package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"ranker", "fit the learned ranker over evidence and compare it with the first stage (folds, validation, test; --drop for ablations)", cmdRanker})
}

func cmdRanker(ctx context.Context, args []string) error {
	f := newFlags("ranker", "[flags]",
		"Fits the learned ranker over evidence (field-wise BM25, same rule, time gap, entities, first-stage rank…)\n"+
			"on the training window's stored lists, as `eval` does, and compares it — alone, without the fine-tuned\n"+
			"score — with the first stage on the rolling-origin folds, the validation and the test window.\n"+
			"Needs mining and the first stage, no trained model. --drop leaves features out, to measure what each adds.", 0, 0)
	def := app.DefaultRankerOptions()
	o := def
	f.IntVar(&o.Depth, "depth", def.Depth, "candidates per query")
	drop := f.String("drop", "", "comma-separated features to leave out (an ablation); see the feature list in the output")
	f.BoolVar(&o.BiEncoderEvidence, "bi-encoder-evidence", def.BiEncoderEvidence, biEncoderEvidenceHelp)
	if err := f.parse(args); err != nil {
		return err
	}
	for _, d := range strings.Split(*drop, ",") {
		if d = strings.TrimSpace(d); d != "" {
			o.Drop = append(o.Drop, d)
		}
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, map[string]string{"depth": "depth", "drop": "drop", "bi_encoder_evidence": "bi-encoder-evidence"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	rep, err := p.RankerReport(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(rep)
	}
	fmt.Println(rep.Fit.Summary())
	if len(o.Drop) > 0 {
		fmt.Println("left out:", strings.Join(o.Drop, ", "))
	}
	fmt.Println()
	fmt.Printf("%-24s %8s %8s %12s %8s\n", "window", "queries", "ceiling", "first stage", "ranker")
	for _, fr := range rep.Fit.Folds {
		fmt.Printf("%-24s %8d %8s %12.3f %8.3f\n", "fold "+fr.Name, fr.Valid, "", fr.FirstStage, fr.Ranker)
	}
	for _, w := range rep.Windows {
		c := w.Compare
		fmt.Printf("%-24s %8d %8.3f %12.3f %8.3f   %+.1f%%, 95%% CI [%+.3f, %+.3f], p = %.3g\n", w.Window, w.Queries, w.Ceiling, w.FirstStage, w.Ranker, c.UpliftPct, c.CILow, c.CIHigh, c.PValue)
	}
	return nil
}

// biEncoderEvidenceHelp is the --bi-encoder-evidence flag's help, shared by
// eval, ranker and monitor.
const biEncoderEvidenceHelp = "add the off-the-shelf bi-encoder's cosine to the learned ranker's evidence (embeds every listed ticket once, cached; the README measures what it adds and costs)"
