package serve

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/precedent/precedent/rerank"
)

// CohereRequest is Cohere's POST /v1/rerank body. Documents are strings or
// objects: an object is ranked on its rank_fields, rendered one "field:
// value" line each in the order given, or on its text field when
// rank_fields is absent; other fields are carried along and returned with
// return_documents. The ranked text is paired with the query like TEI's
// texts (a JSON ticket is rendered as a ticket). model is accepted and
// ignored: this server has one.
type CohereRequest struct {
	Model           string           `json:"model,omitempty"`
	Query           string           `json:"query"`
	Documents       []CohereDocument `json:"documents"`
	TopN            int              `json:"top_n,omitempty"`
	RankFields      []string         `json:"rank_fields,omitempty"`
	ReturnDocuments bool             `json:"return_documents,omitempty"`
	MaxChunksPerDoc int              `json:"max_chunks_per_doc,omitempty"` // accepted; a document is one chunk, cut to the model's input
	MaxTokensPerDoc int              `json:"max_tokens_per_doc,omitempty"`
}

// CohereDocument is a document given as a string or as an object.
type CohereDocument struct {
	Text   string                     // a string document
	Fields map[string]json.RawMessage // an object document, as given
}

// UnmarshalJSON accepts both shapes.
func (d *CohereDocument) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &d.Text)
	}
	if err := json.Unmarshal(b, &d.Fields); err != nil || d.Fields == nil {
		return fmt.Errorf("a document is a string or an object")
	}
	return nil
}

// MarshalJSON writes an object document as given and a string document as
// {"text": ...}, as Cohere returns them.
func (d CohereDocument) MarshalJSON() ([]byte, error) {
	if d.Fields != nil {
		return json.Marshal(d.Fields)
	}
	return json.Marshal(map[string]string{"text": d.Text})
}

// rankText is the text the model ranks: a string document itself; an
// object's rank fields as "field: value" lines (strings bare, anything
// else as JSON; absent fields skipped), or its text field without them.
func (d CohereDocument) rankText(rankFields []string) (string, error) {
	if d.Fields == nil {
		return d.Text, nil
	}
	if len(rankFields) == 0 {
		var s string
		if err := json.Unmarshal(d.Fields["text"], &s); err != nil {
			return "", fmt.Errorf("an object document needs a string text field, or give rank_fields")
		}
		return s, nil
	}
	var lines []string
	for _, f := range rankFields {
		raw, ok := d.Fields[f]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			var buf bytes.Buffer
			if json.Compact(&buf, raw) != nil {
				return "", fmt.Errorf("field %q is not valid JSON", f)
			}
			s = buf.String()
		}
		lines = append(lines, f+": "+s)
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("none of rank_fields %v is in the document", rankFields)
	}
	return strings.Join(lines, "\n"), nil
}

// CohereResult is one ranked document.
type CohereResult struct {
	Index          int             `json:"index"`
	RelevanceScore float64         `json:"relevance_score"` // sigmoid of the logit, in [0, 1]
	Document       *CohereDocument `json:"document,omitempty"`
}

// CohereResponse is the answer of POST /v1/rerank and POST /v2/rerank.
type CohereResponse struct {
	ID      string         `json:"id"`
	Results []CohereResult `json:"results"`
	Meta    CohereMeta     `json:"meta"`
}

// CohereMeta is Cohere's meta object: the API version and the billed
// search units (one per request, as Cohere bills up to 100 documents).
type CohereMeta struct {
	APIVersion  struct{ Version string } `json:"-"`
	SearchUnits int                      `json:"-"`
}

// MarshalJSON writes Cohere's nesting.
func (m CohereMeta) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"api_version":  map[string]string{"version": m.APIVersion.Version},
		"billed_units": map[string]int{"search_units": m.SearchUnits},
	})
}

// UnmarshalJSON reads Cohere's nesting.
func (m *CohereMeta) UnmarshalJSON(b []byte) error {
	var w struct {
		APIVersion struct {
			Version string `json:"version"`
		} `json:"api_version"`
		BilledUnits struct {
			SearchUnits int `json:"search_units"`
		} `json:"billed_units"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	m.APIVersion.Version, m.SearchUnits = w.APIVersion.Version, w.BilledUnits.SearchUnits
	return nil
}

// CohereV2Request is Cohere's POST /v2/rerank body: documents are strings
// (Cohere's v2 has no object documents, rank_fields or return_documents).
// model and priority are accepted and ignored.
type CohereV2Request struct {
	Model           string   `json:"model"`
	Query           string   `json:"query"`
	Documents       []string `json:"documents"`
	TopN            int      `json:"top_n,omitempty"`
	MaxTokensPerDoc int      `json:"max_tokens_per_doc,omitempty"`
	Priority        int      `json:"priority,omitempty"`
}

func (s *Server) cohere(w http.ResponseWriter, r *http.Request) error {
	var req CohereRequest
	if _, err := decode(r, &req); err != nil {
		return err
	}
	texts := make([]string, len(req.Documents))
	for i, d := range req.Documents {
		t, err := d.rankText(req.RankFields)
		if err != nil {
			return validation(fmt.Sprintf("documents[%d]: %v", i, err))
		}
		texts[i] = t
	}
	if req.MaxChunksPerDoc < 0 {
		return validation("max_chunks_per_doc: must be >= 1")
	}
	res, err := s.cohereRank(r, req.Query, texts, req.TopN, req.MaxTokensPerDoc)
	if err != nil {
		return err
	}
	if req.ReturnDocuments {
		for i := range res.Results {
			res.Results[i].Document = &req.Documents[res.Results[i].Index]
		}
	}
	res.Meta.APIVersion.Version = "1"
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) cohereV2(w http.ResponseWriter, r *http.Request) error {
	var req CohereV2Request
	if _, err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.cohereRank(r, req.Query, req.Documents, req.TopN, req.MaxTokensPerDoc)
	if err != nil {
		return err
	}
	res.Meta.APIVersion.Version = "2"
	writeJSON(w, http.StatusOK, res)
	return nil
}

// cohereRank checks and scores what both versions share, best first.
func (s *Server) cohereRank(r *http.Request, query string, texts []string, topN, maxTokensPerDoc int) (CohereResponse, error) {
	switch {
	case query == "":
		return CohereResponse{}, validation("query: required")
	case len(texts) == 0:
		return CohereResponse{}, validation("documents: at least one document is required")
	case len(texts) > s.cfg.MaxTexts:
		return CohereResponse{}, tooMany("documents", len(texts), s.cfg.MaxTexts)
	case topN < 0:
		return CohereResponse{}, validation("top_n: must be >= 1")
	case maxTokensPerDoc < 0:
		return CohereResponse{}, validation("max_tokens_per_doc: must be >= 1")
	}
	scores, err := s.score(r.Context(), textPairs(query, texts), rerank.EncodeOptions{DocTokens: maxTokensPerDoc})
	if err != nil {
		return CohereResponse{}, err
	}
	out := make([]CohereResult, len(scores))
	for i, sc := range scores {
		out[i] = CohereResult{Index: i, RelevanceScore: sigmoid(sc)}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RelevanceScore > out[j].RelevanceScore })
	if topN > 0 && topN < len(out) {
		out = out[:topN]
	}
	res := CohereResponse{ID: requestID(), Results: out}
	res.Meta.SearchUnits = 1
	return res, nil
}

// requestID is a random UUID (version 4), the shape of Cohere's ids.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
