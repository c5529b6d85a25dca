package main

import (
	"context"
	"fmt"
	"os"

	"github.com/precedent/precedent/rerank"
)

func init() {
	register(command{"export", "export a run's model in Hugging Face layout, with its pair-text spec, model card and manifest", cmdExport})
}

func cmdExport(ctx context.Context, args []string) error {
	f := newFlags("export", "--out DIR [flags]", "Copies the run's best model into DIR, loadable by transformers / sentence-transformers'\n"+
		"CrossEncoder / Text Embeddings Inference and by `precedent serve`: config.json, model.safetensors,\n"+
		"tokenizer.json, precedent.json (pair format, ID patterns, visibility, max length), model_card.json\n"+
		"and README.md (counts, date windows, metrics; never ticket text), the report, manifest.sha256.", 0, 0)
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
	fmt.Printf("exported %s to %s\nserve it with: precedent serve --model %s\ncheck it with: sha256sum -c %s (in %s)\n", id, *out, *out, rerank.ManifestFile, *out)
	return nil
}
