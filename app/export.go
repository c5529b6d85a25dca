package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/ml/pairtext"
)

// ServingConfig is written beside an exported model (precedent.json) so a
// server builds the same pair text the model was trained on.
type ServingConfig struct {
	PairFormat string `json:"pair_format"`
	MaxLen     int    `json:"max_len"`
	Run        string `json:"run,omitempty"`
}

const servingFile = "precedent.json"

func writeServingConfig(dir string, c ServingConfig) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, servingFile), append(b, '\n'), 0o644)
}

// ReadServingConfig reads precedent.json from a model folder; a plain
// Hugging Face folder without it gets the structured format and 256 tokens.
func ReadServingConfig(dir string) (ServingConfig, error) {
	c := ServingConfig{PairFormat: "structured", MaxLen: 256}
	b, err := os.ReadFile(filepath.Join(dir, servingFile))
	if os.IsNotExist(err) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s: %w", filepath.Join(dir, servingFile), err)
	}
	if _, err := pairtext.ByName(c.PairFormat); err != nil {
		return c, fmt.Errorf("%s: %w", filepath.Join(dir, servingFile), err)
	}
	return c, nil
}

// Export copies a run's best model (Hugging Face layout: config.json,
// model.safetensors, tokenizer.json, precedent.json) and its evaluation
// report into dir, which must be empty or absent.
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
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := copyTree(r.ModelDir, tmp); err != nil {
		return "", fmt.Errorf("export %s: %w", dir, err)
	}
	for _, f := range []string{"report.md", "report.html"} {
		src := filepath.Join(r.Dir, "eval", f)
		if _, err := os.Stat(src); err == nil {
			if err := copyFile(src, filepath.Join(tmp, f)); err != nil {
				return "", err
			}
		}
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
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
