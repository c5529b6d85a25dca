package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/serve"
)

func init() {
	register(command{"serve", "serve a model for team servers: ticket, TEI and Cohere rerank APIs on one port", cmdServe})
}

func cmdServe(ctx context.Context, args []string) error {
	f := newFlags("serve", "--model DIR [flags]",
		"Serves an exported model: POST /tickets/rerank (tickets, with evidence), POST /rerank (Text Embeddings\n"+
			"Inference), POST /v1/rerank (Cohere), GET /health, GET /info, GET /metrics. Binds loopback by default;\n"+
			"any other address needs a bearer token (--token-file, or $"+serve.TokenEnv+") and TLS.", 0, 0)
	dir := f.String("model", "", "model folder (exported; plain Hugging Face folders are served unverified)")
	addr := f.String("addr", serve.DefaultAddr, "listen address")
	backendName := f.String("backend", "", "compute backend (default: the fastest available)")
	precision := f.String("precision", "", "products: auto, f32 or bf16 (default auto: bf16 where the CPU multiplies it in hardware; f32 reproduces sentence-transformers' scores to 1e-6)")
	tokenFile := f.String("token-file", "", "file holding the bearer token (never pass the token itself on the command line)")
	cert := f.String("tls-cert", "", "PEM certificate (chain) for HTTPS")
	key := f.String("tls-key", "", "PEM private key for HTTPS")
	maxBatch := f.Int("max-batch", 64, "pairs per model call")
	maxWait := f.Duration("max-wait", 5*time.Millisecond, "how long a batch waits for more requests")
	queue := f.Int("queue", 64, "requests waiting for the model before 503")
	maxTexts := f.Int("max-texts", 256, "texts or candidates per request")
	timeout := f.Duration("timeout", 30*time.Second, "per-request deadline (504 after it)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "precedent serve: --model is required")
		return errUsage
	}
	token, err := readToken(*tokenFile)
	if err != nil {
		return err
	}
	cfg := serve.Config{Addr: *addr, Token: token, TLSCert: *cert, TLSKey: *key, MaxBatch: *maxBatch, MaxWait: *maxWait,
		QueueSize: *queue, MaxTexts: *maxTexts, RequestTimeout: *timeout}
	if err := cfg.Check(); err != nil {
		return err // before loading anything
	}
	m, err := app.LoadReranker(*dir, app.RerankerOptions{Backend: *backendName, Precision: *precision, Batch: min(*maxBatch, 64)})
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		s.Close()
		return err
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	info := m.Info()
	fmt.Fprintf(os.Stderr, "serving %s (run %s, manifest verified: %v, auth: %v) on %s://%s\n", *dir, info.Run, info.Verified, token != "", scheme, ln.Addr())
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
