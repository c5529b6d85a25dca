package serve

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/rerank"
)

// TicketRequest is the body of POST /tickets/rerank: a new alert and the
// earlier tickets a first stage found for it.
type TicketRequest struct {
	Query      data.Ticket   `json:"query"`      // what is known of the new alert (close notes are ignored)
	Candidates []data.Ticket `json:"candidates"` // earlier tickets, shown as of the query's opening (all text when closed before it)
	TopK       int           `json:"top_k,omitempty"`
}

// TicketResult is one candidate, best first.
type TicketResult struct {
	ID       string          `json:"id"`
	Score    float32         `json:"score"` // the model's raw logit
	Rank     int             `json:"rank"`
	Evidence rerank.Evidence `json:"evidence"` // why this match
}

// TicketResponse is the answer of POST /tickets/rerank.
type TicketResponse struct {
	Results []TicketResult `json:"results"`
}

func (s *Server) native(w http.ResponseWriter, r *http.Request) error {
	var req TicketRequest
	if _, err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Candidates) == 0 {
		return validation("candidates: at least one ticket is required")
	}
	if len(req.Candidates) > s.cfg.MaxTexts {
		return tooMany("candidates", len(req.Candidates), s.cfg.MaxTexts)
	}
	if req.TopK < 0 {
		return validation("top_k: must be >= 0")
	}
	q := req.Query
	pairs := make([]rerank.Pair, len(req.Candidates))
	for i := range req.Candidates {
		if req.Candidates[i].ID == "" {
			return validation(fmt.Sprintf("candidates[%d].id: required", i))
		}
		pairs[i] = rerank.Pair{Query: &q, Doc: &req.Candidates[i]}
	}
	scores, err := s.score(r.Context(), pairs, rerank.EncodeOptions{})
	if err != nil {
		return err
	}
	s.drift.observe(q.Rule, scores)
	out := make([]TicketResult, len(scores))
	for i, sc := range scores {
		out[i] = TicketResult{ID: req.Candidates[i].ID, Score: sc}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if req.TopK > 0 && req.TopK < len(out) {
		out = out[:req.TopK]
	}
	byID := map[string]int{}
	for i, c := range req.Candidates {
		byID[c.ID] = i
	}
	for i := range out {
		out[i].Rank = i + 1
		out[i].Evidence = s.model.Explain(q, req.Candidates[byID[out[i].ID]])
	}
	writeJSON(w, http.StatusOK, TicketResponse{Results: out})
	return nil
}
