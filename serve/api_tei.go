package serve

import (
	"bytes"
	"math"
	"net/http"
	"sort"

	"github.com/precedent/precedent/rerank"
)

// TEIRequest is Text Embeddings Inference's POST /rerank body. Each text
// that parses as a JSON ticket object is rendered in the model's pair
// format (as is the query, when it parses); anything else is plain text
// with ticket IDs masked. A pair over the model's token budget is truncated
// (as in training, and as TEI with --auto-truncate) unless truncate is
// false, which answers 413 as TEI does.
type TEIRequest struct {
	Query               string   `json:"query"`
	Texts               []string `json:"texts"`
	RawScores           bool     `json:"raw_scores,omitempty"`  // logits instead of sigmoid(logit)
	Truncate            *bool    `json:"truncate,omitempty"`    // false: 413 for a pair over max_len; absent or true: truncate
	ReturnText          bool     `json:"return_text,omitempty"` // echo each text
	TruncationDirection string   `json:"truncation_direction,omitempty"`
}

// TEIRank is one element of the TEI answer, best first.
type TEIRank struct {
	Index int     `json:"index"`
	Score float64 `json:"score"`
	Text  *string `json:"text,omitempty"`
}

func (s *Server) tei(w http.ResponseWriter, r *http.Request) error {
	var req TEIRequest
	if body, err := decode(r, &req); err != nil {
		if ae, ok := err.(*apiError); ok && ae.class == ClassValidation && bytes.Contains(body, []byte(`"candidates"`)) {
			return validation(ae.msg + " (the ticket API is POST /tickets/rerank)")
		}
		return err
	}
	if req.Query == "" {
		return validation("query: required")
	}
	if len(req.Texts) == 0 {
		return validation("texts: at least one text is required")
	}
	if len(req.Texts) > s.cfg.MaxTexts {
		return tooMany("texts", len(req.Texts), s.cfg.MaxTexts)
	}
	if d := req.TruncationDirection; d != "" && d != "Right" && d != "right" {
		return validation("truncation_direction: only Right is supported")
	}
	pairs := textPairs(req.Query, req.Texts)
	noTrunc := req.Truncate != nil && !*req.Truncate
	scores, err := s.score(r.Context(), pairs, rerank.EncodeOptions{NoTruncate: noTrunc})
	if err != nil {
		return err
	}
	out := make([]TEIRank, len(scores))
	for i, sc := range scores {
		out[i] = TEIRank{Index: i, Score: float64(sc)}
		if !req.RawScores {
			out[i].Score = sigmoid(sc)
		}
		if req.ReturnText {
			out[i].Text = &req.Texts[i]
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	writeJSON(w, http.StatusOK, out)
	return nil
}

// textPairs pairs a query with texts, each side a ticket when it parses as one.
func textPairs(query string, texts []string) []rerank.Pair {
	qt, qok := rerank.ParseTicketText(query)
	pairs := make([]rerank.Pair, len(texts))
	for i, t := range texts {
		p := rerank.Pair{QueryText: query, DocText: t}
		if qok {
			p.Query = &qt
		}
		if dt, ok := rerank.ParseTicketText(t); ok {
			p.Doc = &dt
		}
		pairs[i] = p
	}
	return pairs
}

func sigmoid(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
