package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/precedent/precedent/ml/ltr"
	"github.com/precedent/precedent/rerank"
)

// An exported model's card is a rerank.ModelCard, the one type serve reads
// from model_card.json and returns from GET /info; export also writes it as
// the Hugging Face README.md. The parts only the project interprets travel
// in it as raw JSON: the project writes them from cardParts and reads them
// back with cardPartsOf.

// cardParts are the parts of a model card only the project interprets,
// typed, under the card's JSON names.
type cardParts struct {
	Options TrainOptions  `json:"hyper_parameters"`
	Windows []WindowCount `json:"windows,omitempty"` // train / validation / test: dates and counts
	Eval    *CardEval     `json:"eval,omitempty"`    // the test window, when the run was evaluated
}

// withParts is c carrying parts; a part without value (no windows, no
// evaluation) is left out of the card.
func withParts(c rerank.ModelCard, parts cardParts) (rerank.ModelCard, error) {
	var err error
	if c.Options, err = json.Marshal(parts.Options); err != nil {
		return c, err
	}
	c.Windows, c.Eval = nil, nil
	if len(parts.Windows) > 0 {
		if c.Windows, err = json.Marshal(parts.Windows); err != nil {
			return c, err
		}
	}
	if parts.Eval != nil {
		if c.Eval, err = json.Marshal(parts.Eval); err != nil {
			return c, err
		}
	}
	return c, nil
}

// cardPartsOf decodes the parts of c the project interprets; a part the
// card lacks stays zero.
func cardPartsOf(c rerank.ModelCard) (cardParts, error) {
	var parts cardParts
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		into any
	}{{"hyper_parameters", c.Options, &parts.Options}, {"windows", c.Windows, &parts.Windows}, {"eval", c.Eval, &parts.Eval}} {
		if len(f.raw) == 0 {
			continue
		}
		if err := json.Unmarshal(f.raw, f.into); err != nil {
			return parts, fmt.Errorf("%s: %s: %w", rerank.CardFile, f.name, err)
		}
	}
	return parts, nil
}

// CardEval is the test-window evaluation of the exported run.
type CardEval struct {
	Queries    int        `json:"queries"`
	Depth      int        `json:"depth"`
	FirstStage float64    `json:"first_stage_mrr@10"`
	Baseline   *float64   `json:"starting_model_mrr@10,omitempty"`
	Finetuned  float64    `json:"finetuned_mrr@10"`
	NDCG10     float64    `json:"finetuned_ndcg@10"`
	CI95       [2]float64 `json:"ci95_delta_mrr@10"` // fine-tuned minus first stage, bootstrap
	PValue     float64    `json:"p_value"`
	// Final is the final system's MRR@10 and FinalFrom what it is (the
	// learned ranker with the fine-tuned score, or the single-weight fusion).
	Final     float64 `json:"final_mrr@10"`
	FinalFrom string  `json:"final_from,omitempty"`
	Ceiling   float64 `json:"ceiling_hit@depth"`
	// RankerWeights are the learned ranker's weights per standard deviation
	// of each feature, largest first; RankerFolds its rolling-origin folds.
	RankerWeights []ltr.Weight `json:"ranker_weights,omitempty"`
	RankerFolds   []FoldResult `json:"ranker_folds,omitempty"`
}

// modelCard gathers a run's card from the project's records.
func (p *Project) modelCard(r RunRecord, sc rerank.ServingConfig, now time.Time) (rerank.ModelCard, error) {
	c := rerank.ModelCard{
		Run: r.ID, Exported: now.UTC(), StartModel: filepath.Base(r.StartModel), Backend: backendLabel(r.Backend),
		Steps: r.Steps, BestStep: r.BestStep, ValMRR10: r.BestMRR, Examples: r.Examples, Positives: r.Positives,
		Negatives: r.Negatives, PairFormat: sc.PairFormat, MaxLen: sc.MaxLen,
	}
	parts := cardParts{Options: r.Options}
	parts.Options.Model = c.StartModel // a name, not a path on the analyst's laptop
	parts.Options.Resume = ""
	if mr, ok, err := p.LastMine(); err == nil && ok {
		c.Tickets, parts.Windows = mr.Tickets, mr.Windows
		c.Rules = p.rulesBefore(firstNonZero(r.ValEnd, mr.Split.ValEnd))
	}
	if ev, ok, err := p.LastEval(); err == nil && ok && ev.Run == r.ID {
		ce := &CardEval{Queries: ev.Queries, Depth: ev.Depth, FirstStage: ev.FirstStage.MRR10, Finetuned: ev.Finetuned.MRR10,
			NDCG10: ev.Finetuned.NDCG10, CI95: ev.CI95, PValue: ev.PValue, Final: ev.Final.MRR10, FinalFrom: ev.FinalFrom, Ceiling: ev.Ceiling}
		if ev.RankerFit != nil && ev.RankerFit.Model != nil {
			ce.RankerWeights, ce.RankerFolds = ev.RankerFit.Model.Ranked(), ev.RankerFit.Folds
		}
		if ev.Baseline != nil {
			b := ev.Baseline.MRR10
			ce.Baseline = &b
		}
		parts.Eval = ce
	}
	return withParts(c, parts)
}

// writeModelCard writes c as model_card.json and as README.md.
func writeModelCard(dir string, c rerank.ModelCard) error {
	readme, err := cardMarkdown(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, rerank.CardFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644)
}

// cardMarkdown is the card as a Hugging Face README.md (YAML front matter,
// then prose and tables).
func cardMarkdown(c rerank.ModelCard) (string, error) {
	parts, err := cardPartsOf(c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("---\nlibrary_name: sentence-transformers\npipeline_tag: text-ranking\ntags:\n- cross-encoder\n- reranker\n- precedent\n")
	if c.StartModel != "" && c.StartModel != "scratch" {
		fmt.Fprintf(&b, "base_model: %s\n", c.StartModel)
	}
	b.WriteString("---\n\n")
	fmt.Fprintf(&b, "# Precedent reranker %s\n\n", c.Run)
	b.WriteString("A cross-encoder fine-tuned by Precedent on a SOC's closed-ticket archive: it scores (new alert, earlier ticket) pairs.\n")
	b.WriteString("Load it with `sentence_transformers.CrossEncoder(dir)`; the pair text it expects is described in `precedent.json` and printed by `precedent pairtext`.\n\n")
	fmt.Fprintf(&b, "Exported %s. Starting checkpoint: %s. Backend: %s. Pair format: %s, %d tokens.\n\n", c.Exported.Format(time.DateOnly), c.StartModel, c.Backend, c.PairFormat, c.MaxLen)
	if s := parts.Options.PlainShare; s > 0 {
		fmt.Fprintf(&b, "%.0f%% of the training examples were rendered as plain strings (\"title. description\", the candidate's notes after it), as pipelines send them to `/v2/rerank`; the rest, and validation, in the pair format, which tickets are still served in.\n\n", 100*s)
	}
	b.WriteString("## Training data\n\nCounts and date windows only; no ticket text is recorded here.\n\n")
	fmt.Fprintf(&b, "- tickets in the archive: %d\n- training examples: %d (%d positive, %d negative)\n\n", c.Tickets, c.Examples, c.Positives, c.Negatives)
	if len(parts.Windows) > 0 {
		b.WriteString("| window | from | to | tickets | queries | pairs |\n|---|---|---|---:|---:|---:|\n")
		for _, w := range parts.Windows {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d |\n", w.Name, w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly), w.Tickets, w.Queries, w.Pairs)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Evaluation (test window)\n\n")
	if parts.Eval == nil {
		b.WriteString("This run was not evaluated before export.\n\n")
	} else {
		e := parts.Eval
		fmt.Fprintf(&b, "%d queries, %d candidates each.\n\n| system | MRR@10 |\n|---|---:|\n| first stage | %.4f |\n", e.Queries, e.Depth, e.FirstStage)
		if e.Baseline != nil {
			fmt.Fprintf(&b, "| starting checkpoint | %.4f |\n", *e.Baseline)
		}
		fmt.Fprintf(&b, "| fine-tuned | %.4f |\n", e.Finetuned)
		if e.FinalFrom != "" {
			fmt.Fprintf(&b, "| final system (%s) | %.4f |\n", e.FinalFrom, e.Final)
		}
		fmt.Fprintf(&b, "\nFinal system minus the best baseline, MRR@10: 95%% CI [%.4f, %.4f], p = %.4g. Fine-tuned nDCG@10 %.4f. Ceiling (share of test queries with a relevant candidate): %.3f.\n\n", e.CI95[0], e.CI95[1], e.PValue, e.NDCG10, e.Ceiling)
		if len(e.RankerWeights) > 0 {
			b.WriteString("### Learned ranker\n\nA linear ranker over evidence, trained on the mined labels; weights per standard deviation of each feature (the fine-tuned score is fused in after it):\n\n| feature | weight |\n|---|---:|\n")
			for _, w := range e.RankerWeights {
				fmt.Fprintf(&b, "| %s | %+.3f |\n", w.Feature, w.Weight)
			}
			b.WriteString("\n")
			if len(e.RankerFolds) > 0 {
				b.WriteString("Rolling-origin folds it was chosen on (MRR@10):\n\n| period | train queries | validation queries | first stage | learned ranker |\n|---|---:|---:|---:|---:|\n")
				for _, f := range e.RankerFolds {
					fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %.3f |\n", f.Name, f.Train, f.Valid, f.FirstStage, f.Ranker)
				}
				b.WriteString("\n")
			}
		}
	}
	fmt.Fprintf(&b, "Best validation MRR@10 %.4f at step %d of %d.\n\n", c.ValMRR10, c.BestStep, c.Steps)
	b.WriteString("## Hyper-parameters\n\n```json\n")
	h, _ := json.MarshalIndent(parts.Options, "", "  ")
	b.Write(h)
	b.WriteString("\n```\n")
	return b.String(), nil
}

// backendLabel is a backend description without the plugin path that
// follows the dash (the card travels to other machines).
func backendLabel(desc string) string {
	desc, _, _ = strings.Cut(desc, " — ")
	words := strings.Fields(desc)
	kept := words[:0]
	for _, w := range words {
		if !strings.Contains(w, "/") {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}
