package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"export", "export a run's model in Hugging Face layout (config.json, model.safetensors, tokenizer.json)", cmdExport})
	register(command{"serve", "serve a model over HTTP for team servers (POST /rerank)", cmdServe})
}

func cmdExport(ctx context.Context, args []string) error {
	f := newFlags("export", "--out DIR [flags]", "Copies the run's best model and its report into DIR, loadable by transformers /\n"+
		"sentence-transformers CrossEncoder / Text Embeddings Inference, and by `precedent serve`.", 0, 0)
	run := f.String("run", "best", "run to export")
	out := f.String("out", "", "destination folder (must be empty or absent)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "precedent export: --out is required")
		return errUsage
	}
	p, err := f.open()
	if err != nil {
		return err
	}
	defer p.Close()
	id, err := p.Export(*run, *out)
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(map[string]string{"run": id, "dir": *out, "serve": "precedent serve --model " + *out})
	}
	fmt.Printf("exported %s to %s\nserve it with: precedent serve --model %s\n", id, *out, *out)
	return nil
}

func cmdServe(ctx context.Context, args []string) error {
	f := newFlags("serve", "--model DIR [flags]", "Serves a cross-encoder folder: POST /rerank {query: ticket, candidates: [ticket], top_k} → scores, best first;\n"+
		"GET /healthz. Listens on the loopback address unless told otherwise.", 0, 0)
	dir := f.String("model", "", "model folder (Hugging Face layout)")
	addr := f.String("addr", "127.0.0.1:8088", "listen address")
	backendName := f.String("backend", "", "compute backend (default: the fastest available)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "precedent serve: --model is required")
		return errUsage
	}
	s, err := app.NewServer(*dir, *backendName)
	if err != nil {
		return err
	}
	defer s.Close()
	srv := &http.Server{Addr: *addr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "serving %s on http://%s (POST /rerank, GET /healthz)\n", *dir, *addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
