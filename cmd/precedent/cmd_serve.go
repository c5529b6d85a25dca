package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/precedent/precedent/rerank"
	"github.com/precedent/precedent/serve"
)

func init() {
	register(command{"serve", "serve a model for team servers: ticket, TEI and Cohere rerank APIs on one port", cmdServe})
}

func cmdServe(ctx context.Context, args []string) error {
	f := newBareFlags("serve", "--model DIR [flags]",
		"Serves an exported model: POST /tickets/rerank (tickets, with evidence), POST /rerank (Text Embeddings\n"+
			"Inference), POST /v1/rerank and POST /v2/rerank (Cohere), GET /health, GET /info, GET /metrics. Binds\n"+
			"loopback by default; any other address needs a bearer token (--token-file, or $"+serve.TokenEnv+") and TLS.", 0, 0)
	o := addServeFlags(f.FlagSet)
	if err := f.parse(args); err != nil {
		return err
	}
	if *o.dir == "" {
		fmt.Fprintln(os.Stderr, "precedent serve: --model is required")
		return errUsage
	}
	token, err := readToken(*o.tokenFile)
	if err != nil {
		return err
	}
	cfg := o.config(token)
	if err := validate(f, cfg); err != nil {
		return err // before loading anything
	}
	if _, err := cfg.TLSConfig(); err != nil {
		return err // a missing or unreadable certificate fails before the model loads, and before "serving on"
	}
	m, err := rerank.LoadReranker(*o.dir, rerank.RerankerOptions{Runtime: processRuntime(), Backend: *o.backend, Precision: *o.precision, Batch: min(*o.maxBatch, 64), LiftPlain: *o.liftPlain})
	if err != nil {
		return err
	}
	if err := m.Warmup(ctx); err != nil { // compile the full-batch shape before the first request
		m.Close()
		return err
	}
	s, err := serve.New(m, cfg)
	if err != nil {
		m.Close()
		return err
	}
	ln, err := net.Listen("tcp", *o.addr)
	if err != nil {
		s.Close()
		return err
	}
	scheme := "http"
	if *o.cert != "" {
		scheme = "https"
	}
	info := m.Info()
	fmt.Fprintf(os.Stderr, "serving %s (run %s, manifest verified: %v, backend %s, precision %s, auth: %v) on %s://%s\nruntime: %s\n",
		*o.dir, info.Run, info.Verified, info.Backend, info.Precision, token != "", scheme, ln.Addr(), processRuntime())
	return s.Serve(ctx, ln)
}

// readToken reads the bearer token from a file, else from $PRECEDENT_SERVE_TOKEN;
// a file others can read is refused.
func readToken(path string) (string, error) {
	if path == "" {
		return strings.TrimSpace(os.Getenv(serve.TokenEnv)), nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("token file %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return tok, nil
}
