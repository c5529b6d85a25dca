package main

import (
	"context"
	"fmt"
	"os"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"firststage", "retrieve each query's top-k earlier tickets (BM25, a bi-encoder, or imported vectors)", cmdFirstStage})
}

func cmdFirstStage(ctx context.Context, args []string) error {
	f := newFlags("firststage", "[flags]",
		"Retrieves, for every query with mined positives, the k most similar tickets opened before it,\n"+
			"and stores the lists: negatives are mined from them and every reranker is compared on them.", 0, 0)
	def := app.DefaultFirstStageOptions()
	o := def
	f.StringVar(&o.Source, "source", def.Source, "bm25, bi-encoder, or vectors (default: the project's setting, else bm25)")
	f.IntVar(&o.K, "k", def.K, "candidates per query")
	f.IntVar(&o.Pivot, "pivot", def.Pivot, "add up to N earlier tickets sharing a user, host or IP with the query (within 30 days) to its list, kept only when it raises the training window's hit@k (0 = off)")
	f.IntVar(&o.RulePivot, "rule-pivot", def.RulePivot, "add up to N of the most recent earlier tickets of the query's rule to its list (0 = off)")
	f.StringVar(&o.Model, "model", def.Model, "bi-encoder checkpoint folder (Hugging Face layout; default models/"+app.DefaultModel+")")
	f.IntVar(&o.Layers, "layers", def.Layers, "bi-encoder: keep only the first N layers (0 = all)")
	f.IntVar(&o.MaxLen, "max-len", def.MaxLen, "bi-encoder: tokens embedded per ticket")
	f.BoolVar(&o.Float16, "float16", def.Float16, "store and search embeddings as half floats (half the memory)")
	f.StringVar(&o.VectorsPath, "vectors", def.VectorsPath, "imported vectors: JSONL {id, vector} or .npy (with --ids)")
	f.StringVar(&o.IDsPath, "ids", def.IDsPath, "text file of ticket IDs, one per .npy row")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return f.optionError(err, map[string]string{"source": "source", "k": "k", "pivot": "pivot", "rule_pivot": "rule-pivot", "model": "model",
			"layers": "layers", "max_len": "max-len", "float16": "float16", "vectors_path": "vectors", "ids_path": "ids"})
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.FirstStage(ctx, o, newBar().progress())
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	fmt.Printf("first stage %s over %d tickets (%d indexed documents), top %d, in %.1fs\n", res.Options.Source, res.Tickets, res.Docs, res.Options.K, res.Seconds)
	rows := [][]string{{"  WINDOW", "QUERIES", fmt.Sprintf("RECALL@%d", res.Options.K), fmt.Sprintf("HIT@%d", res.Options.K), "MRR@10"}}
	for _, w := range []string{"train", "validation", "test"} {
		rows = append(rows, []string{"  " + w, fmt.Sprint(res.Queries[w]), fmt.Sprintf("%.3f", res.Recall[w]), fmt.Sprintf("%.3f", res.HitRate[w]), fmt.Sprintf("%.3f", res.MRR10[w])})
	}
	table(os.Stdout, rows)
	fmt.Printf("hit@%d (a query's list holds at least one of its precedents) caps any reranker's MRR on these lists\n", res.Options.K)
	if res.RulePivot != "" {
		fmt.Println(res.RulePivot)
	}
	return nil
}
