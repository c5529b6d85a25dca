package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/ml/safetensors"
	"github.com/precedent/precedent/platform/fsutil"
)

// tokenizerSiblings are the tokenizer files copied from beside
// tokenizer.json when present, so transformers' AutoTokenizer finds them.
var tokenizerSiblings = []string{
	"tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
	"sentencepiece.bpe.model", "added_tokens.json",
}

// Save writes an HF model folder at dir that transformers,
// sentence-transformers' CrossEncoder and Text Embeddings Inference load:
// config.json, model.safetensors with HF-prefixed names, tokenizer.json and
// its siblings. With classifier.* weights it is a
// BertForSequenceClassification / XLMRobertaForSequenceClassification
// (id2label sized to the classifier, "LABEL_i" names unless cfg already
// has that many); without, an unprefixed BertModel / XLMRobertaModel.
// Weights may use canonical or prefixed names. The folder is built in a
// temp dir beside dir and renamed into place; an existing dir is replaced
// only if it looks like a model folder (has config.json) or is empty.
func Save(dir string, cfg Config, weights map[string]Tensor, tokenizerPath string) error {
	canon, err := Canonicalize(weights, "weights")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	out, named, err := exportConfig(cfg, canon)
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := validateWeights(out, canon, out.IsCrossEncoder(), "weights"); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := checkReplaceable(dir); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}

	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp*")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename

	cfgJSON, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("save %s: config: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ConfigFile), append(cfgJSON, '\n'), 0o644); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	meta := map[string]string{"format": "pt"} // transformers refuses files without it
	if err := safetensors.Write(filepath.Join(tmp, WeightsFile), named, meta); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := copyTokenizer(tokenizerPath, tmp); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := swapDir(tmp, dir); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	return nil
}

// exportConfig sets architectures and labels for canonical weights and
// returns the HF-named tensors to write.
func exportConfig(cfg Config, canon map[string]Tensor) (Config, map[string]Tensor, error) {
	out := cfg.clone()
	if out.ModelType == "" {
		return Config{}, nil, fmt.Errorf("%w: model_type is empty", ErrInvalidConfig)
	}
	head := hasHead(canon)
	prefix := ""
	switch {
	case out.IsXLMR() && head:
		out.Architectures, prefix = []string{"XLMRobertaForSequenceClassification"}, "roberta."
	case out.IsXLMR():
		out.Architectures = []string{"XLMRobertaModel"}
	case head:
		out.Architectures, prefix = []string{"BertForSequenceClassification"}, "bert."
	default:
		out.Architectures = []string{"BertModel"}
	}
	delete(out.Extra, "num_labels") // id2label is the single source of truth
	if head {
		rows := 0
		for _, name := range []string{"classifier.weight", "classifier.out_proj.weight"} {
			if t, ok := canon[name]; ok && len(t.Shape) == 2 {
				rows = t.Shape[0]
			}
		}
		if rows == 0 {
			return Config{}, nil, fmt.Errorf("%w: classifier output weight", ErrMissing)
		}
		out = out.withLabels(rows)
	}
	if err := out.Validate(); err != nil {
		return Config{}, nil, err
	}
	named := make(map[string]Tensor, len(canon))
	for name, t := range canon {
		if isHeadName(name) {
			named[name] = t
		} else {
			named[prefix+name] = t
		}
	}
	return out, named, nil
}

// checkReplaceable refuses to replace a non-empty folder that is not a
// model folder, so a mistyped path never deletes unrelated files.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
		return fmt.Errorf("%s exists and is not a model folder (no %s); refusing to replace it", dir, ConfigFile)
	}
	return nil
}

// copyTokenizer copies tokenizer.json and the siblings present beside it.
func copyTokenizer(tokenizerPath, dst string) error {
	if tokenizerPath == "" {
		return fmt.Errorf("%w: tokenizer path is empty", ErrMissing)
	}
	if err := fsutil.CopyFile(tokenizerPath, filepath.Join(dst, TokenizerFile)); err != nil {
		return err
	}
	src := filepath.Dir(tokenizerPath)
	for _, name := range tokenizerSiblings {
		p := filepath.Join(src, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := fsutil.CopyFile(p, filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

// swapDir renames tmp onto dir, moving an existing dir aside first and
// removing it only after the new folder is in place.
func swapDir(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir) // put the previous model back
		return err
	}
	return os.RemoveAll(old)
}
