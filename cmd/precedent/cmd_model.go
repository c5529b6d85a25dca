package main

import (
	"context"
	"fmt"
	"os"

	"github.com/precedent/precedent/app"
)

func init() {
	register(command{"model", "download a starting checkpoint from the Hugging Face hub or a mirror (model pull ORG/NAME[@REV])", cmdModel})
}

func cmdModel(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "pull" {
		fmt.Fprintln(os.Stderr, "Usage: precedent model pull ORG/NAME[@REVISION] [flags]\n\n"+
			"Downloads a starting checkpoint from the Hugging Face hub or a mirror; precedent model pull --help for its flags.")
		return groupUsage(args)
	}
	f := newFlags("model pull", "ORG/NAME[@REVISION] [flags]",
		"Downloads a checkpoint (e.g. BAAI/bge-reranker-base, cross-encoder/ms-marco-MiniLM-L6-v2) into the project's\n"+
			"models/ folder: config, safetensors weights and tokenizer files, each verified against the hub's checksum.\n"+
			"Goes through $HTTPS_PROXY and trusts the system roots plus --ca-bundle; resumes where a broken pull stopped.\n"+
			"The only command that connects to another machine, and only when you run it.", 1, 1)
	var o app.PullOptions
	f.StringVar(&o.Endpoint, "endpoint", "", "hub or mirror URL (default $HF_ENDPOINT, else https://huggingface.co)")
	f.StringVar(&o.CABundle, "ca-bundle", "", "extra trusted roots, PEM file or folder (default $PRECEDENT_CA_BUNDLE)")
	p, err := f.parseOpen(args[1:])
	if err != nil {
		return err
	}
	defer p.Close()
	var progress app.Progress
	if !f.json() {
		progress = newBar().progress()
	}
	res, err := p.PullModel(ctx, f.positional[0], o, progress)
	for _, w := range res.Warnings {
		fmt.Fprintln(os.Stderr, "warning: CA bundle:", w)
	}
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(res)
	}
	fmt.Printf("pulled %s@%s (%s) into %s\n", res.Repo, res.Revision, res.Commit, res.Dir)
	for _, fl := range res.Files {
		fmt.Printf("  %-28s %12d bytes  %s ok\n", fl.Name, fl.Bytes, fl.Verified)
	}
	fmt.Printf("train from it with: precedent train --model %s\n", res.Dir)
	return nil
}
