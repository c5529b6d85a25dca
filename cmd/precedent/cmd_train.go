package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"train", "fine-tune the cross-encoder reranker (resumable: --resume last)", cmdTrain})
	register(command{"runs", "list training runs (the model registry)", cmdRuns})
	register(command{"eval", "evaluate first stage vs starting reranker vs fine-tuned on the test window", cmdEval})
}

// trainFlags registers the training flags on o, each defaulting to def's
// value (app.DefaultTrainOptions or app.DemoTrainOptions: app is the one
// source of the numbers). Call scratchLR and wholeBatch after parsing.
func trainFlags(f *flags, o *app.TrainOptions, def app.TrainOptions) {
	*o = def // fields without a flag (checkpoint interval, …) keep def's value too
	f.StringVar(&o.Model, "model", def.Model, "starting checkpoint: a Hugging Face folder (encoder or cross-encoder) or a name under models/ (default "+app.DefaultModel+")")
	f.BoolVar(&o.FromScratch, "scratch", def.FromScratch, "train a small model from scratch instead (uses the model's tokenizer)")
	f.IntVar(&o.ScratchLayers, "scratch-layers", def.ScratchLayers, "layers of the from-scratch model")
	f.IntVar(&o.ScratchHidden, "scratch-hidden", def.ScratchHidden, "hidden size of the from-scratch model")
	f.IntVar(&o.KeepLayers, "layers", def.KeepLayers, "keep only the first N encoder layers (0 = all): trades accuracy for CPU speed")
	f.IntVar(&o.MaxLen, "max-len", def.MaxLen, "tokens per (query, ticket) pair")
	f.Float64Var(&o.LR, "lr", def.LR, fmt.Sprintf("peak learning rate (with --scratch and no --lr: %g)", app.ScratchLR))
	f.IntVar(&o.Epochs, "epochs", def.Epochs, "passes over the training pairs")
	f.IntVar(&o.BatchSize, "batch", def.BatchSize, "pairs per step")
	f.IntVar(&o.MicroBatch, "micro-batch", def.MicroBatch, "rows per forward/backward pass; the batch's gradient is accumulated over passes, so memory follows the micro-batch and the optimisation the batch (0 = the whole batch)")
	f.IntVar(&o.MaxMemoryMB, "max-memory", def.MaxMemoryMB, "memory budget in MB: the micro-batch, then the batch, then the max length, are lowered to fit (default: the project's memory limit, else 3/4 of RAM)")
	f.IntVar(&o.MaxSteps, "steps", def.MaxSteps, "stop after this many steps (0 = all epochs)")
	f.IntVar(&o.WarmStart, "warm-start", def.WarmStart, "distillation steps before fine-tuning (0 = none): the cross-encoder first learns the agreement of BM25 and the off-the-shelf bi-encoder ("+app.DefaultModel+") on training-window tickets searched as queries, no labels")
	f.IntVar(&o.EvalEvery, "eval-every", def.EvalEvery, "steps between validations (0 = 4 per run)")
	f.IntVar(&o.Patience, "patience", def.Patience, "validations without improvement before stopping early")
	f.IntVar(&o.ValQueries, "val-queries", def.ValQueries, "validation queries reranked at each validation (-1 = all)")
	f.IntVar(&o.ValDepth, "val-depth", def.ValDepth, "candidates reranked per validation query")
	f.Int64Var(&o.Seed, "seed", def.Seed, "seed for the head, data order and dropout")
	f.StringVar(&o.Backend, "backend", def.Backend, "compute backend: xla:cpu, xla:cuda, ort, go (default: the fastest available; ort trains on go)")
	f.StringVar(&o.Precision, "precision", "", "products of validation scoring: auto, f32 or bf16 (default: the project's setting, else auto: bf16 where the CPU multiplies it in hardware)")
	f.StringVar(&o.PairFormat, "pair-format", def.PairFormat, "pair text: structured (entities, rule, time gap) or plain (default: the project setting)")
	f.Float64Var(&o.PlainShare, "plain-share", def.PlainShare, "share of training examples (0 to 1) rendered as a pipeline sends plain strings to /v2/rerank (\"title. description\"), drawn with --seed; validation stays on the pair format")
}

// scratchLR gives a from-scratch run app.ScratchLR unless --lr was given.
func scratchLR(f *flags, o *app.TrainOptions) {
	if !o.FromScratch {
		return
	}
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == "lr" })
	if !set {
		o.LR = app.ScratchLR
	}
}

// wholeBatch turns --micro-batch 0 (the whole batch in one pass) into
// app's way of saying it, a micro-batch of the batch's size: app's zero
// options take their defaults.
func wholeBatch(o *app.TrainOptions) {
	if o.MicroBatch == 0 {
		o.MicroBatch = o.BatchSize
	}
}

func cmdTrain(ctx context.Context, args []string) error {
	f := newFlags("train", "[flags]", "Fine-tunes the cross-encoder on mined positives and reviewed hard negatives (BCE, AdamW,\n"+
		"warmup, periodic validation MRR@10, early stopping). Ctrl-C stops at a checkpoint; --resume continues it.", 0, 0)
	var o app.TrainOptions
	trainFlags(f, &o, app.DefaultTrainOptions())
	f.StringVar(&o.Resume, "resume", "", "resume a stopped run: its ID or 'last'")
	from := f.String("from", "", "continue from a deployed model (a run ID or an export folder) with the current labels: its weights, head, pair format and max length (see `precedent monitor`)")
	kind := f.String("kind", "cross-encoder", "what to fine-tune: cross-encoder (the reranker) or bi-encoder (contrastive: --scale, --negatives, --one-way)")
	bi := biEncoderFlags(f)
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	scratchLR(f, &o)
	wholeBatch(&o)
	defer p.Close()
	if *from != "" {
		set := map[string]bool{}
		f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		if !set["max-len"] {
			o.MaxLen = 0 // the deployed model's
		}
		if o, err = p.RetrainFrom(*from, o); err != nil {
			return err
		}
	}
	switch *kind {
	case "cross-encoder":
	case "bi-encoder":
		return trainBiEncoder(ctx, f, p, o, bi)
	default:
		return fmt.Errorf("train: --kind %q: want cross-encoder or bi-encoder", *kind)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if !f.json() {
		printBackend(p)
	}
	res, err := p.Train(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res.Run)
	}
	printRun(res.Run)
	return nil
}

func printRun(r app.RunRecord) {
	fmt.Printf("run %s: %s after %d of %d steps in %.0fs\n", r.ID, r.Status, r.Steps, r.TotalSteps, r.Seconds)
	fmt.Printf("  start: %s\n  backend: %s\n  examples: %d (%d positives, %d negatives)\n", r.StartModel, r.Backend, r.Examples, r.Positives, r.Negatives)
	if w := r.WarmStart; w != nil {
		fmt.Printf("  warm start: %d of %d steps on %d pairs from %d training-window queries (teacher %s) in %.0fs (teacher %.0fs); validation MRR@10 after it %.3f\n",
			w.Done, w.Steps, w.Pairs, w.Queries, w.Teacher, w.Seconds, w.TeacherSeconds, w.ValMRR)
	}
	fmt.Printf("  validation MRR@10: %.3f at the start → %.3f best (step %d)\n", r.StartMRR, r.BestMRR, r.BestStep)
	if r.ModelDir != "" {
		fmt.Printf("  model: %s\n", r.ModelDir)
	}
}

func cmdRuns(ctx context.Context, args []string) error {
	f := newFlags("runs", "", "Lists training runs, newest first.", 0, 0)
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	runs, err := p.Runs()
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(map[string]any{"runs": runs})
	}
	rows := [][]string{{"RUN", "STATUS", "STEPS", "VAL MRR@10", "START", "MODEL"}}
	for _, r := range runs {
		rows = append(rows, []string{r.ID, r.Status, fmt.Sprintf("%d/%d", r.Steps, r.TotalSteps), fmt.Sprintf("%.3f → %.3f", r.StartMRR, r.BestMRR), r.StartModel, r.ModelDir})
	}
	table(os.Stdout, rows)
	return nil
}

// evalFlags registers the eval command's flags on o, defaulting to app's
// defaults, and returns the flag that sets each option (by the option's
// JSON name), for optionError.
func evalFlags(f *flags, o *app.EvalOptions) map[string]string {
	def := app.DefaultEvalOptions()
	*o = def
	f.StringVar(&o.Run, "run", def.Run, "run to evaluate")
	f.IntVar(&o.Depth, "depth", def.Depth, "candidates reranked per query")
	f.IntVar(&o.MaxQueries, "max-queries", def.MaxQueries, "cap on test queries, evenly spread in time (0 = all)")
	f.IntVar(&o.Permutations, "permutations", def.Permutations, "permutations of the paired randomization test")
	f.IntVar(&o.Resamples, "bootstrap", def.Resamples, "bootstrap resamples for the 95% CI")
	f.StringVar(&o.Backend, "backend", def.Backend, "compute backend (default: the fastest available)")
	f.StringVar(&o.Precision, "precision", def.Precision, "products of scoring: auto, f32 or bf16 (default: the project's setting, else auto: bf16 where the CPU multiplies it in hardware)")
	f.BoolVar(&o.NoBaseline, "no-baseline", def.NoBaseline, "never score the starting checkpoint")
	f.BoolVar(&o.Baseline, "baseline", def.Baseline, "score the starting checkpoint even when it has no trained reranking head (by default it is a baseline only when it has one)")
	f.BoolVar(&o.NoLeakProbe, "no-leak-probe", def.NoLeakProbe, "skip re-scoring with candidates' future text (the leak probe)")
	f.BoolVar(&o.NoRanker, "no-ranker", def.NoRanker, "no learned ranker: the final system is the single-weight fusion of first stage and fine-tuned model")
	f.BoolVar(&o.BiEncoderEvidence, "bi-encoder-evidence", def.BiEncoderEvidence, biEncoderEvidenceHelp)
	return map[string]string{"run": "run", "depth": "depth", "max_queries": "max-queries", "permutations": "permutations", "resamples": "bootstrap",
		"backend": "backend", "precision": "precision", "no_baseline": "no-baseline", "baseline": "baseline", "no_leak_probe": "no-leak-probe",
		"no_ranker": "no-ranker", "bi_encoder_evidence": "bi-encoder-evidence"}
}

func cmdEval(ctx context.Context, args []string) error {
	f := newFlags("eval", "[flags]", "Reranks every test query's stored candidates with the first stage, the starting reranker and the\n"+
		"fine-tuned one; prints MRR@10, nDCG@10, Recall@k, MAP, the uplift with a paired randomization test,\n"+
		"and writes TREC run/qrels files and a Markdown/HTML report.", 0, 0)
	var o app.EvalOptions
	flagOf := evalFlags(f, &o)
	if err := f.parse(args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, flagOf)
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.Evaluate(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	printEval(res)
	return nil
}

func printEval(r app.EvalResult) {
	fmt.Printf("\ntest window: %d queries, top %d candidates each (run %s); fusion chosen on %d validation queries; precision %s\n\n", r.Queries, r.Depth, r.Run, r.ValQueries, r.Precision)
	rows := [][]string{{"SYSTEM", "MRR@10", "nDCG@10", "R@1", "R@5", "R@10", "MAP"}}
	sys := []app.SystemEval{r.FirstStage}
	for _, s := range []*app.SystemEval{r.Baseline, r.BaselineFusion} {
		if s != nil {
			sys = append(sys, *s)
		}
	}
	sys = append(sys, r.Finetuned, r.Final)
	for _, s := range sys {
		rows = append(rows, []string{s.Label, f3(s.MRR10), f3(s.NDCG10), f3(s.R1), f3(s.R5), f3(s.R10), f3(s.MAP)})
	}
	table(os.Stdout, rows)
	if r.BaselineSkipped != "" {
		fmt.Printf("\nstarting reranker: %s\n", r.BaselineSkipped)
	}
	fmt.Printf("\n%s\n", r.Verdict)
	fmt.Printf("final vs first stage: MRR@10 %+.1f%% (Δ %+.3f, 95%% CI [%+.3f, %+.3f]), p = %.4g (paired randomization, %d permutations)\n",
		r.VsFirst.UpliftPct, r.VsFirst.Delta, r.VsFirst.CILow, r.VsFirst.CIHigh, r.VsFirst.PValue, r.VsFirst.Permutations)
	fmt.Printf("fine-tuned reranker alone vs first stage: MRR@10 %+.1f%% (Δ %+.3f), p = %.4g\n", r.PureVsFirst.UpliftPct, r.PureVsFirst.Delta, r.PureVsFirst.PValue)
	if r.LeakProbe != nil {
		fmt.Printf("leak probe: %d pairs show text written after their query opened; shown it, the fine-tuned reranker would score MRR@10 %.3f (honest: %.3f)\n",
			r.LeakPairs, r.LeakProbe.MRR10, r.Finetuned.MRR10)
	}
	fmt.Printf("relevance: %s\nties: %s\nreport: %s\n        %s\nTREC files: %s\n", r.Relevance, r.TieBreak, r.ReportMD, r.ReportHTML, r.TRECDir)
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
