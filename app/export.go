package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/precedent/precedent/platform/fsutil"
	"github.com/precedent/precedent/rerank"
)

// Export copies a run's best model into dir, which must be empty or absent:
// the Hugging Face layout (config.json, model.safetensors, tokenizer.json)
// that transformers, sentence-transformers' CrossEncoder and Text
// Embeddings Inference load; precedent.json with everything needed to
// render the training-time pair text (format and fields, ID patterns,
// visibility, max length); the model card (model_card.json and README.md:
// counts and date windows, metrics, hyper-parameters — never ticket text);
// the evaluation report; and manifest.sha256 over all of them, which
// `precedent serve` verifies on load. The folder appears complete or not
// at all.
func (p *Project) Export(run, dir string) (string, error) {
	r, err := p.findRun(firstNonEmpty(run, "best"))
	if err != nil {
		return "", err
	}
	if r.ModelDir == "" {
		return "", fmt.Errorf("run %s has no saved model (status %s)", r.ID, r.Status)
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return "", fmt.Errorf("export: %s is not empty", dir)
	}
	sc, err := p.servingConfigFor(r)
	if err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	if err := copyTree(r.ModelDir, tmp); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	for _, f := range []string{"report.md", "report.html"} {
		src := filepath.Join(r.Dir, "eval", f)
		if _, err := os.Stat(src); err == nil {
			if err := fsutil.CopyFile(src, filepath.Join(tmp, f)); err != nil {
				return "", fmt.Errorf("export %s: %w", dir, err)
			}
		}
	}
	if err := setModelMaxLength(tmp, sc.MaxLen); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	if err := writeServingConfig(tmp, sc); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	card, err := p.modelCard(r, sc, time.Now())
	if err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	if err := writeModelCard(tmp, card); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	if err := rerank.WriteManifest(tmp); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	_ = os.Remove(dir) // an empty folder is replaced
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	return r.ID, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := fsutil.CopyFile(path, target); err != nil {
			return err
		}
		// 0644 whatever the run's file had (checkpoints written before
		// fsutil were 0600): whoever serves the export must read it.
		return os.Chmod(target, 0o644)
	})
}

// setModelMaxLength makes tokenizer_config.json's model_max_length the
// training token budget, so loaders that read it (sentence-transformers,
// Text Embeddings Inference) truncate pairs where training did.
func setModelMaxLength(dir string, maxLen int) error {
	path := filepath.Join(dir, "tokenizer_config.json")
	b, err := os.ReadFile(path)
	cfg := map[string]any{}
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &cfg); err != nil {
			return fmt.Errorf("tokenizer_config.json: %w", err)
		}
	}
	cfg["model_max_length"] = maxLen
	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}
