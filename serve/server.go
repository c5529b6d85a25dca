package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/rerank"
)

// Model is what the server needs of a loaded reranker; *rerank.Reranker is one.
type Model interface {
	EncodeWith(pairs []rerank.Pair, o rerank.EncodeOptions) ([]tokenizer.Encoding, error)
	Score(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error)
	Explain(q, d data.Ticket) rerank.Evidence
	Info() rerank.RerankerInfo
	Close()
}

// Server answers the three rerank APIs over one model.
type Server struct {
	cfg      Config
	tls      *tls.Config // nil: plain HTTP
	model    Model
	batch    *batcher
	metrics  *metrics
	drift    *driftMetrics
	draining atomic.Bool // /health answers 503; requests are still served
	stopping atomic.Bool // requests are refused
}

// New starts the batcher over model. The server owns model from here on:
// Serve (or Close) frees it.
func New(model Model, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	tc, err := cfg.TLSConfig()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, tls: tc, model: model}
	s.metrics = newMetrics(func() int { return s.batch.depth() })
	s.drift = newDriftMetrics(model.Info().Card)
	s.batch = newBatcher(model.Score, cfg.MaxBatch, cfg.QueueSize, cfg.MaxWait, s.metrics.batchSize)
	return s, nil
}

// Close stops the batcher after the queued requests and frees the model.
// Serve calls it; call it yourself only when not serving.
func (s *Server) Close() {
	s.draining.Store(true)
	s.stopping.Store(true)
	s.batch.close()
	s.model.Close()
}

// Handler is every route, with authentication, limits and metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "GET /health", false, s.health)
	s.route(mux, "GET /info", true, s.info)
	s.route(mux, "GET /metrics", true, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.metrics.write(w)
		s.drift.write(w)
		return nil
	})
	s.route(mux, "POST /tickets/rerank", true, s.native)
	s.route(mux, "POST /rerank", true, s.tei)
	s.route(mux, "POST /v1/rerank", true, s.cohere)
	s.route(mux, "POST /v2/rerank", true, s.cohereV2)
	s.route(mux, "/", false, func(w http.ResponseWriter, r *http.Request) error {
		if m, ok := routeMethods[r.URL.Path]; ok {
			w.Header().Set("Allow", m)
			return &apiError{http.StatusMethodNotAllowed, ClassMethod, r.Method + " " + r.URL.Path + ": use " + m}
		}
		return &apiError{http.StatusNotFound, ClassNotFound, "no such route: see GET /info"}
	})
	return mux
}

// routeMethods is the method of each route, for 405 answers.
var routeMethods = map[string]string{"/health": "GET", "/info": "GET", "/metrics": "GET",
	"/tickets/rerank": "POST", "/rerank": "POST", "/v1/rerank": "POST", "/v2/rerank": "POST"}

// statusWriter remembers the status code for the metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) route(mux *http.ServeMux, pattern string, auth bool, h func(http.ResponseWriter, *http.Request) error) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		err := func() error {
			if s.cfg.Token == "" && !loopbackHost(r.Host) {
				return errForeignHost
			}
			if auth {
				if ae := authorize(r, s.cfg.Token); ae != nil {
					return ae
				}
			}
			r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
			defer cancel()
			return h(sw, r.WithContext(ctx))
		}()
		if err != nil {
			if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
				sw.code = 499 // the client went away; nobody reads an answer
			} else {
				s.writeError(sw, err)
			}
		}
		s.metrics.request(pattern, sw.code, time.Since(start))
	})
}

func (s *Server) writeError(w http.ResponseWriter, err error) {
	ae := classify(err)
	s.metrics.error(ae.class)
	if ae.status == http.StatusTooManyRequests || ae.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="precedent"`)
	}
	writeJSON(w, ae.status, map[string]string{"error": ae.msg, "error_type": ae.class})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads one JSON value into v, refusing unknown fields and trailing
// data; it returns the body it read.
func decode(r *http.Request, v any) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &mbe):
			return nil, err
		case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
			return nil, errBodyTime // the connection's read deadline (ReadTimeout) passed mid-body
		default:
			return nil, errBodyRead // never the connection's addresses
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return body, validation("malformed request body: " + err.Error())
	}
	if dec.More() {
		return body, validation("malformed request body: data after the JSON object")
	}
	return body, nil
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) error {
	if s.draining.Load() {
		return errDraining
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) info(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"model": s.model.Info(),
		"apis":  []string{"POST /tickets/rerank", "POST /rerank (Text Embeddings Inference)", "POST /v1/rerank (Cohere v1)", "POST /v2/rerank (Cohere v2)"},
		"limits": map[string]any{"max_texts": s.cfg.MaxTexts, "max_body_bytes": s.cfg.MaxBodyBytes, "max_batch": s.cfg.MaxBatch,
			"queue": s.cfg.QueueSize, "request_timeout_s": s.cfg.RequestTimeout.Seconds()},
	})
	return nil
}

// score encodes pairs in the request goroutine, then waits for the batcher.
func (s *Server) score(ctx context.Context, pairs []rerank.Pair, o rerank.EncodeOptions) ([]float32, error) {
	if s.stopping.Load() {
		return nil, errStopping
	}
	encs, err := s.model.EncodeWith(pairs, o)
	if err != nil {
		return nil, err
	}
	scores, err := s.batch.submit(ctx, encs)
	if err != nil {
		return nil, err
	}
	if len(scores) != len(pairs) {
		return nil, fmt.Errorf("model returned %d scores for %d pairs", len(scores), len(pairs))
	}
	return scores, nil
}

// Serve answers on ln (HTTPS when the config has a certificate) until ctx
// ends; then /health answers 503 for DrainDelay while requests are still
// served (so a load balancer's checks see it and stop sending), and only
// then it stops accepting, lets the requests in flight finish (up to
// ShutdownGrace), stops the batcher and frees the model, in that order.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         s.tls,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() {
		if s.tls != nil {
			errc <- srv.ServeTLS(ln, "", "") // the key pair New loaded
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.draining.Store(true) // /health answers 503 so a balancer drains us
		select {
		case <-time.After(s.cfg.DrainDelay):
			sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
			err = srv.Shutdown(sctx)
			cancel()
		case err = <-errc: // the listener failed while draining
			_ = srv.Close()
		}
	}
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
