package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/rerank"
)

func init() {
	register(command{"pairtext", "print the exact model input for query/candidate pairs (both text sides and token IDs)", cmdPairtext})
}

func cmdPairtext(ctx context.Context, args []string) error {
	f := newFlags("pairtext", "--model DIR (QUERY_ID CANDIDATE_ID... | --tickets FILE.json) [flags]",
		"Renders each (query, candidate) pair exactly as `precedent serve` (and training) does for the model\n"+
			"in DIR — its precedent.json pair format and ID mask — and prints both text sides and the token IDs\n"+
			"after the tokenizer's pair template. Tickets come from the project's archive by ID, or from FILE.json\n"+
			"shaped like the ticket API's body: {\"query\": {...}, \"candidates\": [{...}]}.", 0, -1)
	dir := f.String("model", "", "model folder")
	ticketsFile := f.String("tickets", "", "JSON file with query and candidates instead of IDs")
	score := f.Bool("score", false, "also print the model's raw score of each pair")
	backendName := f.String("backend", "", "compute backend (with --score)")
	precision := f.String("precision", "", "products with --score: auto, f32 or bf16 (f32 to compare with sentence-transformers to 1e-6)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *dir == "" || (*ticketsFile == "") == (len(f.positional) < 2) {
		fmt.Fprintln(os.Stderr, "precedent pairtext: give --model and either QUERY_ID CANDIDATE_ID... or --tickets FILE.json")
		f.Usage()
		return errUsage
	}
	var q data.Ticket
	var cands []data.Ticket
	if *ticketsFile != "" {
		b, err := os.ReadFile(*ticketsFile)
		if err != nil {
			return err
		}
		var in struct {
			Query      data.Ticket   `json:"query"`
			Candidates []data.Ticket `json:"candidates"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			return fmt.Errorf("%s: %w", *ticketsFile, err)
		}
		if len(in.Candidates) == 0 {
			return fmt.Errorf("%s: candidates: at least one ticket is required", *ticketsFile)
		}
		q, cands = in.Query, in.Candidates
	} else {
		p, err := f.open()
		if err != nil {
			return err
		}
		ts, err := p.Tickets(f.positional)
		p.Close()
		if err != nil {
			return err
		}
		q, cands = ts[0], ts[1:]
	}
	r, err := rerank.LoadReranker(*dir, rerank.RerankerOptions{Runtime: processRuntime(), Backend: *backendName, Precision: *precision})
	if err != nil {
		return err
	}
	defer r.Close()
	pis, err := r.PairInputs(ctx, q, cands, *score)
	if err != nil {
		return err
	}
	info := r.Info()
	if f.json() {
		return printJSON(map[string]any{"query": q.ID, "pair_format": info.PairFormat, "max_len": info.MaxLen, "id_masked": info.IDMasked, "pairs": pis})
	}
	for _, pi := range pis {
		fmt.Printf("== %s → %s (%s, %d tokens of %d)\n", q.ID, pi.Candidate, info.PairFormat, len(pi.InputIDs), info.MaxLen)
		fmt.Printf("-- query side\n%s\n-- candidate side\n%s\n-- input_ids\n%v\n-- token_type_ids\n%v\n", pi.QueryText, pi.DocText, pi.InputIDs, pi.TypeIDs)
		if pi.Score != nil {
			fmt.Printf("-- score (raw logit)\n%.6f\n", *pi.Score)
		}
	}
	return nil
}
