package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
)

// RerankRequest is the body of POST /rerank.
type RerankRequest struct {
	Query      data.Ticket   `json:"query"`      // what is known of the new alert (close_notes are ignored)
	Candidates []data.Ticket `json:"candidates"` // earlier tickets from the first stage
	TopK       int           `json:"top_k,omitempty"`
}

// RerankResult is one candidate's score.
type RerankResult struct {
	ID    string  `json:"id"`
	Score float32 `json:"score"`
	Rank  int     `json:"rank"`
}

// Server serves a cross-encoder over HTTP: POST /rerank, GET /healthz.
type Server struct {
	rr      *reranker
	model   string
	backend string
	limit   int
}

// NewServer loads a model folder (Hugging Face layout) for serving.
func NewServer(dir, backendName string) (*Server, error) {
	ck, err := hf.Load(dir)
	if err != nil {
		return nil, err
	}
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	if err != nil {
		return nil, err
	}
	sc, err := ReadServingConfig(dir)
	if err != nil {
		return nil, err
	}
	f, err := pairtext.ByName(sc.PairFormat)
	if err != nil {
		return nil, err
	}
	b, info, err := Backend(backendName)
	if err != nil {
		return nil, err
	}
	rr, err := newReranker(m, ck.TokenizerPath, b, f, sc.MaxLen)
	if err != nil {
		return nil, err
	}
	return &Server{rr: rr, model: dir, backend: info.Description, limit: 200}, nil
}

// Close releases the tokenizer.
func (s *Server) Close() { s.rr.Close() }

// Rerank scores candidates against the query, best first.
func (s *Server) Rerank(ctx context.Context, req RerankRequest) ([]RerankResult, error) {
	if len(req.Candidates) > s.limit {
		return nil, fmt.Errorf("%d candidates: at most %d per request", len(req.Candidates), s.limit)
	}
	q := req.Query
	q.CloseNotes = ""
	pairs := make([][2]data.Ticket, len(req.Candidates))
	for i, c := range req.Candidates {
		if c.ID == "" {
			return nil, fmt.Errorf("candidates[%d]: id is required", i)
		}
		pairs[i] = [2]data.Ticket{q, c}
	}
	scores, err := s.rr.scoreEncodings(ctx, s.rr.encode(pairs), nil)
	if err != nil {
		return nil, err
	}
	out := make([]RerankResult, len(scores))
	for i, sc := range scores {
		out[i] = RerankResult{ID: req.Candidates[i].ID, Score: sc}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	for i := range out {
		out[i].Rank = i + 1
	}
	if req.TopK > 0 && req.TopK < len(out) {
		out = out[:req.TopK]
	}
	return out, nil
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "model": s.model, "backend": s.backend})
	})
	mux.HandleFunc("POST /rerank", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<20)
		var req RerankRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request body: " + err.Error()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
		defer cancel()
		res, err := s.Rerank(ctx, req)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"results": res})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
