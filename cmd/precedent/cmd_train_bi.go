package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"eval-bi", "MRR@10 of the first stage vs bi-encoders re-sorting the stored candidate lists", cmdEvalBi})
}

// biFlags are the train flags only a bi-encoder run reads.
type biFlags struct {
	scale     float64
	negatives int
	oneWay    bool
}

// biEncoderFlags registers the bi-encoder's own flags, defaulting to
// app.DefaultBiEncoderOptions.
func biEncoderFlags(f *flags) *biFlags {
	def, b := app.DefaultBiEncoderOptions(), &biFlags{}
	f.Float64Var(&b.scale, "scale", def.Scale, "bi-encoder: cosine scale in the softmax (sentence-transformers' 20)")
	f.IntVar(&b.negatives, "negatives", def.Negatives, "bi-encoder: stored hard negatives per pair and step (-1 = in-batch negatives only)")
	f.BoolVar(&b.oneWay, "one-way", def.OneWay, "bi-encoder: query→ticket loss only (default symmetric)")
	return b
}

// trainBiEncoder runs `train --kind bi-encoder`.
func trainBiEncoder(ctx context.Context, f *flags, p *app.Project, t app.TrainOptions, b *biFlags) error {
	o, err := biEncoderOptions(f, t, b)
	if err != nil {
		return err
	}
	if !f.json() {
		printBackend(p)
	}
	res, err := p.TrainBiEncoder(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res.Run)
	}
	r := res.Run
	fmt.Printf("bi-encoder run %s: %s after %d of %d steps in %.0fs\n", r.ID, r.Status, r.Steps, r.TotalSteps, r.Seconds)
	fmt.Printf("  start: %s\n  backend: %s\n  pairs: %d (%d queries, %d hard negatives)\n", r.StartModel, r.Backend, r.Examples, r.Queries, r.Negatives)
	fmt.Printf("  validation MRR@10: %.3f at the start → %.3f best (step %d)\n", r.StartMRR, r.BestMRR, r.BestStep)
	if r.KeptStart {
		fmt.Printf("  no step beat the starting model: the saved model is the start\n")
	}
	if r.ModelDir != "" {
		fmt.Printf("  model: %s\n  use it: precedent firststage --source bi-encoder --model %s\n", r.ModelDir, r.ModelDir)
	}
	return nil
}

// biEncoderOptions maps the parsed train flags onto BiEncoderOptions,
// validated: the run flags as given, but --max-len and --lr keep the
// bi-encoder's own defaults (app.DefaultBiEncoderOptions: 128 tokens per
// ticket, 2e-5) unless given.
func biEncoderOptions(f *flags, t app.TrainOptions, b *biFlags) (app.BiEncoderOptions, error) {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range []string{"scratch", "scratch-layers", "scratch-hidden", "pair-format", "micro-batch"} {
		if set[name] {
			return app.BiEncoderOptions{}, fmt.Errorf("train --kind bi-encoder: --%s applies to the cross-encoder only", name)
		}
	}
	o := app.DefaultBiEncoderOptions()
	def := o.RunOptions
	o.RunOptions = t.RunOptions
	if !set["max-len"] {
		o.MaxLen = def.MaxLen
	}
	if !set["lr"] {
		o.LR = def.LR
	}
	o.Scale, o.Negatives, o.OneWay = b.scale, b.negatives, b.oneWay
	if err := o.Validate(); err != nil {
		return o, fmt.Errorf("train --kind bi-encoder: %w", err)
	}
	return o, nil
}

func cmdEvalBi(ctx context.Context, args []string) error {
	f := newFlags("eval-bi", "[flags]",
		"Re-sorts each query's stored candidates by the cosine of bi-encoder embeddings and prints MRR@10\n"+
			"per window next to the first stage's own order (same lists, same tie break as eval).", 0, 0)
	def := app.DefaultBiEncoderEvalOptions()
	var o app.BiEncoderEvalOptions // the lists stay empty unless given: a flag adds to them
	models, windows := (*stringList)(&o.Models), (*stringList)(&o.Windows)
	f.Var(models, "model", "bi-encoder folder or name (repeatable; default "+strings.Join(def.Models, ", ")+")")
	f.Var(windows, "window", "train, validation or test (repeatable; default "+strings.Join(def.Windows, " and ")+")")
	f.IntVar(&o.Depth, "depth", def.Depth, "candidates re-sorted per query")
	f.IntVar(&o.MaxQueries, "max-queries", def.MaxQueries, "cap on queries per window, evenly spread in time (0 = all)")
	f.IntVar(&o.MaxLen, "max-len", def.MaxLen, fmt.Sprintf("tokens per ticket (0 = as each model was trained, else %d)", app.DefaultFirstStageOptions().MaxLen))
	f.IntVar(&o.Layers, "layers", def.Layers, "keep only the first N encoder layers of every model (0 = all): quick runs")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, map[string]string{"windows": "window", "models": "model", "depth": "depth", "max_queries": "max-queries",
			"max_len": "max-len", "layers": "layers"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.BiEncoderEval(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	ws := res.Options.Windows
	rows := [][]string{{"SYSTEM"}}
	for _, w := range ws {
		rows[0] = append(rows[0], fmt.Sprintf("%s MRR@10 (%d q)", w, res.Queries[w]))
	}
	for _, s := range res.Systems {
		row := []string{s.Name}
		for _, w := range ws {
			row = append(row, f3(s.MRR10[w]))
		}
		rows = append(rows, row)
	}
	table(os.Stdout, rows)
	fmt.Printf("top %d candidates per query, %.0fs\n", res.Options.Depth, res.Seconds)
	return nil
}
