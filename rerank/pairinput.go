package rerank

import (
	"context"

	"github.com/precedent/precedent/data"
)

// PairInput is the exact model input of one (query, candidate) pair: both
// rendered sides and the token IDs after the tokenizer's pair template and
// truncation, with the model's score when asked.
type PairInput struct {
	Candidate string   `json:"candidate"`
	QueryText string   `json:"query_text"`
	DocText   string   `json:"doc_text"`
	InputIDs  []int32  `json:"input_ids"`
	TypeIDs   []int32  `json:"token_type_ids"`
	Score     *float32 `json:"score,omitempty"` // raw logit
}

// PairInputs renders, tokenizes and optionally scores query against each
// candidate exactly as serving does.
func (r *Reranker) PairInputs(ctx context.Context, q data.Ticket, cands []data.Ticket, score bool) ([]PairInput, error) {
	pairs := make([]Pair, len(cands))
	for i := range cands {
		pairs[i] = Pair{Query: &q, Doc: &cands[i]}
	}
	encs := r.Encode(pairs)
	out := make([]PairInput, len(pairs))
	for i, p := range pairs {
		out[i].Candidate = cands[i].ID
		out[i].QueryText, out[i].DocText = r.Render(p)
		out[i].InputIDs, out[i].TypeIDs = encs[i].IDs, encs[i].TypeIDs
	}
	if score {
		s, err := r.Score(ctx, encs)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Score = &s[i]
		}
	}
	return out, nil
}
