package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"demo", "the whole pipeline on the built-in synthetic SOC archive, ending with the MRR@10 table", cmdDemo})
}

func cmdDemo(ctx context.Context, args []string) error {
	f := newFlags("demo", "[flags]",
		"Generates the synthetic archive, imports it, mines positives, retrieves BM25 candidates, mines hard\n"+
			"negatives, fine-tunes the reranker from all-MiniLM-L6-v2 (or --model), and evaluates on the test window.\n"+
			"Interrupted? Run it again: finished steps are skipped and training resumes from its checkpoint.", 0, 0)
	def := app.DefaultDemoOptions()
	o := def
	f.IntVar(&o.Tickets, "tickets", def.Tickets, "size of the synthetic archive (140000 is the full-scale benchmark)")
	f.Int64Var(&o.Seed, "archive-seed", def.Seed, "seed of the synthetic archive")
	f.IntVar(&o.NegPerQ, "negatives", def.NegPerQ, "hard negatives per query")
	trainFlags(f, &o.Train, def.Train)
	f.IntVar(&o.Pivot, "pivot", def.Pivot, "first stage: add up to N earlier tickets sharing a user, host or IP with the query")
	f.IntVar(&o.RulePivot, "rule-pivot", def.RulePivot, "first stage: add up to N of the most recent earlier tickets of the query's rule")
	f.IntVar(&o.Eval.Depth, "depth", def.Eval.Depth, "candidates retrieved and reranked per test query")
	f.IntVar(&o.Eval.MaxQueries, "test-queries", def.Eval.MaxQueries, "test queries evaluated, evenly spread in time (0 = all)")
	f.IntVar(&o.Eval.Permutations, "permutations", def.Eval.Permutations, "permutations of the paired randomization test")
	f.BoolVar(&o.Restart, "restart", false, "start over instead of resuming an earlier demo in this folder")
	if err := f.parse(args); err != nil {
		return err
	}
	scratchLR(f, &o.Train)
	wholeBatch(&o.Train)
	if err := o.Validate(); err != nil {
		var oe *app.OptionError
		if errors.As(err, &oe) && oe.Field == "" {
			return fmt.Errorf("demo: %w", err) // a training option, named with its flag, as train reports it
		}
		return f.optionError(err, map[string]string{"tickets": "tickets", "negatives_per_query": "negatives", "pivot": "pivot", "rule_pivot": "rule-pivot",
			"eval.depth": "depth", "eval.max_queries": "test-queries", "eval.permutations": "permutations"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	if !f.json() {
		fmt.Fprintf(os.Stderr, "project: %s\n", p.Dir)
		printBackend(p)
	}
	res, err := p.Demo(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	fmt.Println()
	printMine(res.Mine)
	fmt.Printf("\nfirst stage: BM25 over %d tickets (%d documents: each ticket as of each query's time); test hit@%d %.3f, recall@%d %.3f\n", res.FirstStage.Tickets, res.FirstStage.Docs,
		res.FirstStage.Options.K, res.FirstStage.HitRate["test"], res.FirstStage.Options.K, res.FirstStage.Recall["test"])
	if s := res.Negatives.FalseNegativeShare; s != nil {
		fmt.Printf("hard negatives: %d usable, %d held for review; false-negative share %.2f%%\n", res.Negatives.Negatives, res.Negatives.Held, 100**s)
	}
	fmt.Println()
	printRun(res.Train)
	printEval(res.Eval)
	fmt.Printf("\ndemo finished in %.0fs\n", res.Seconds)
	return nil
}
