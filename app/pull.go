package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/precedent/precedent/platform"
)

// PullOptions configure PullModel; zero values take the defaults.
type PullOptions struct {
	Endpoint string // hub or mirror URL (default $HF_ENDPOINT, else https://huggingface.co)
	CABundle string // extra trusted roots: a PEM file or folder (default $PRECEDENT_CA_BUNDLE)
	Token    string // for gated repositories (default $HF_TOKEN)
}

// PullResult is a downloaded checkpoint.
type PullResult struct {
	Repo     string       `json:"repo"`
	Revision string       `json:"revision"`
	Commit   string       `json:"commit,omitempty"`
	Dir      string       `json:"dir"`
	Files    []PulledFile `json:"files"`
	Warnings []string     `json:"warnings,omitempty"` // from the CA bundle
}

// PulledFile is one verified file.
type PulledFile struct {
	Name     string `json:"name"`
	Bytes    int64  `json:"bytes"`
	Verified string `json:"verified"` // "sha256" (LFS) or "git-sha1"
}

// pullFile says which repository files a cross-encoder checkpoint needs.
func pullFile(name string) bool {
	if strings.Contains(name, "/") {
		return false
	}
	switch name {
	case "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json",
		"merges.txt", "sentencepiece.bpe.model", "added_tokens.json", "model.safetensors.index.json", "README.md":
		return true
	}
	return path.Ext(name) == ".safetensors"
}

// PullModel downloads ORG/NAME[@REVISION] from the hub (or a mirror) into
// the project's model cache (models/NAME), through the trust pool and the
// environment's HTTPS_PROXY. Each file is verified against the hub's
// checksum before use; an interrupted pull resumes where it stopped; the
// folder appears only once every file is verified. This is the only
// Precedent step that opens a connection off the machine, and only when
// the user runs it.
func (p *Project) PullModel(ctx context.Context, ref string, o PullOptions, progress Progress) (PullResult, error) {
	repo, rev, err := platform.ParseRepoRef(ref)
	if err != nil {
		return PullResult{}, err
	}
	res := PullResult{Repo: repo, Revision: rev}
	bundle := firstNonEmpty(o.CABundle, os.Getenv(platform.CABundleEnv))
	tp, err := platform.LoadTrustPool(bundle, time.Now())
	if err != nil {
		return res, err
	}
	res.Warnings = tp.Warnings
	hub := platform.Hub{
		Endpoint: firstNonEmpty(o.Endpoint, os.Getenv("HF_ENDPOINT"), platform.DefaultHubEndpoint),
		Client:   platform.NewHTTPClient(tp.Pool),
		Token:    firstNonEmpty(o.Token, os.Getenv("HF_TOKEN")),
	}
	name := path.Base(repo)
	dest := p.Path("models", name)
	if _, err := os.Stat(filepath.Join(dest, "config.json")); err == nil {
		return res, fmt.Errorf("model %s: %s already exists; remove it to pull again", repo, dest)
	}
	progress.emit(Event{Step: "pull", Phase: "metadata", Message: repo + "@" + rev})
	commit, files, err := hub.Files(ctx, repo, rev)
	if err != nil {
		return res, fmt.Errorf("model pull: %w", err)
	}
	res.Commit = commit
	var want []platform.HubFile
	var total int64
	hasConfig, hasWeights := false, false
	for _, f := range files {
		if pullFile(f.Name) {
			want = append(want, f)
			total += f.Size
			hasConfig = hasConfig || f.Name == "config.json"
			hasWeights = hasWeights || path.Ext(f.Name) == ".safetensors"
		}
	}
	if !hasConfig || !hasWeights {
		return res, fmt.Errorf("model %s@%s: no config.json and .safetensors weights in this revision (Precedent reads safetensors only)", repo, rev)
	}
	// Files land in a staging folder named by the commit, so a pull that
	// stops resumes, and a half-pulled model is never resolvable by name.
	stage := p.Path("models", ".pull-"+name+"-"+firstNonEmpty(commit, rev))
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return res, err
	}
	var before int64
	for _, f := range want {
		err := hub.Download(ctx, repo, firstNonEmpty(commit, rev), f, filepath.Join(stage, f.Name), func(done, _ int64) {
			progress.emit(Event{Step: "pull", Phase: f.Name, Done: before + done, Total: total})
		})
		if err != nil {
			return res, fmt.Errorf("model pull %s: %w", repo, err)
		}
		before += f.Size
		how := "sha256"
		if f.SHA256 == "" {
			how = "git-sha1"
		}
		res.Files = append(res.Files, PulledFile{Name: f.Name, Bytes: f.Size, Verified: how})
	}
	meta, _ := json.MarshalIndent(map[string]string{"repo": repo, "revision": rev, "commit": commit, "endpoint": hub.Endpoint,
		"pulled": time.Now().UTC().Format(time.RFC3339)}, "", "  ")
	if err := os.WriteFile(filepath.Join(stage, "pull.json"), append(meta, '\n'), 0o644); err != nil {
		return res, err
	}
	if err := os.Rename(stage, dest); err != nil {
		return res, fmt.Errorf("model pull %s: %w", repo, err)
	}
	res.Dir = dest
	progress.emit(Event{Step: "pull", Done: total, Total: total, Final: true})
	return res, nil
}
