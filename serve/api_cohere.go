package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// CohereRequest is Cohere's POST /v1/rerank body. Documents are strings or
// {"text": ...} objects; they are paired with the query like TEI's texts.
// model is accepted and ignored: this server has one.
type CohereRequest struct {
	Model           string           `json:"model,omitempty"`
	Query           string           `json:"query"`
	Documents       []CohereDocument `json:"documents"`
	TopN            int              `json:"top_n,omitempty"`
	ReturnDocuments bool             `json:"return_documents,omitempty"`
	MaxChunksPerDoc int              `json:"max_chunks_per_doc,omitempty"`
	MaxTokensPerDoc int              `json:"max_tokens_per_doc,omitempty"`
}

// CohereDocument is a document given as a string or as {"text": "..."}.
type CohereDocument struct{ Text string }

// UnmarshalJSON accepts both shapes.
func (d *CohereDocument) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &d.Text)
	}
	var o struct {
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(b, &o); err != nil || o.Text == nil {
		return fmt.Errorf("a document is a string or an object with a text field")
	}
	d.Text = *o.Text
	return nil
}

// MarshalJSON writes the object shape Cohere returns.
func (d CohereDocument) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"text": d.Text})
}

// CohereResult is one ranked document.
type CohereResult struct {
	Index          int             `json:"index"`
	RelevanceScore float64         `json:"relevance_score"` // sigmoid of the logit, in [0, 1]
	Document       *CohereDocument `json:"document,omitempty"`
}

// CohereResponse is the answer of POST /v1/rerank.
type CohereResponse struct {
	Results []CohereResult `json:"results"`
	Meta    map[string]any `json:"meta"`
}

func (s *Server) cohere(w http.ResponseWriter, r *http.Request) error {
	var req CohereRequest
	if _, err := decode(r, &req); err != nil {
		return err
	}
	if req.Query == "" {
		return validation("query: required")
	}
	if len(req.Documents) == 0 {
		return validation("documents: at least one document is required")
	}
	if len(req.Documents) > s.cfg.MaxTexts {
		return validation(fmt.Sprintf("documents: %d documents, at most %d per request", len(req.Documents), s.cfg.MaxTexts))
	}
	if req.TopN < 0 {
		return validation("top_n: must be >= 0")
	}
	texts := make([]string, len(req.Documents))
	for i, d := range req.Documents {
		texts[i] = d.Text
	}
	scores, err := s.score(r.Context(), textPairs(req.Query, texts))
	if err != nil {
		return err
	}
	out := make([]CohereResult, len(scores))
	for i, sc := range scores {
		out[i] = CohereResult{Index: i, RelevanceScore: sigmoid(sc)}
		if req.ReturnDocuments {
			out[i].Document = &req.Documents[i]
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RelevanceScore > out[j].RelevanceScore })
	if req.TopN > 0 && req.TopN < len(out) {
		out = out[:req.TopN]
	}
	writeJSON(w, http.StatusOK, CohereResponse{Results: out, Meta: map[string]any{"api_version": map[string]string{"version": "1"}}})
	return nil
}
