package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/ml/safetensors"
)

// File names inside a Hugging Face model folder.
const (
	ConfigFile    = "config.json"
	WeightsFile   = "model.safetensors"
	TokenizerFile = "tokenizer.json"
)

// Pooling modes a bi-encoder folder can declare.
const (
	PoolingMean = "mean"
	PoolingCLS  = "cls"
)

// Checkpoint is a loaded model folder. Weights are keyed by canonical names
// (no "bert."/"roberta." prefix); integer buffers such as position_ids are
// dropped.
type Checkpoint struct {
	Dir           string
	Config        Config
	Weights       map[string]Tensor
	TokenizerPath string
	// Pooling is "mean" or "cls" from sentence-transformers'
	// 1_Pooling/config.json, or "" when the folder has none.
	Pooling string
	// Normalize reports a sentence-transformers Normalize module (L2).
	Normalize bool

	source string // weights file name used in error messages
}

// Load reads dir's config.json, model.safetensors (or a sharded index) and
// sentence-transformers pooling config, checks tokenizer.json exists, and
// validates every tensor's shape against the config.
func Load(dir string) (*Checkpoint, error) {
	cfg, err := ReadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	raw, source, err := readWeights(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	weights, err := Canonicalize(raw, source)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	tok := filepath.Join(dir, TokenizerFile)
	if _, err := os.Stat(tok); err != nil {
		return nil, fmt.Errorf("load %s: %w: no %s (export the fast tokenizer with tokenizer.save_pretrained): %v",
			dir, ErrMissing, TokenizerFile, err)
	}
	ck := &Checkpoint{Dir: dir, Config: cfg, Weights: weights, TokenizerPath: tok, source: source}
	if ck.Pooling, ck.Normalize, err = readPooling(dir); err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	if err := ck.Validate(); err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return ck, nil
}

// readWeights loads model.safetensors or the shards of its index, and
// returns the name to use for the weights in error messages.
func readWeights(dir string) (map[string]Tensor, string, error) {
	single := filepath.Join(dir, WeightsFile)
	if _, err := os.Stat(single); err == nil {
		w, _, err := safetensors.Read(single)
		return w, WeightsFile, err
	}
	if _, err := os.Stat(filepath.Join(dir, safetensors.IndexFile)); err == nil {
		w, _, err := safetensors.ReadSharded(dir)
		return w, safetensors.IndexFile, err
	}
	hint := ""
	if _, err := os.Stat(filepath.Join(dir, "pytorch_model.bin")); err == nil {
		hint = " (pytorch_model.bin is not supported: convert with python3 -c \"from transformers import AutoModel; " +
			"AutoModel.from_pretrained('DIR').save_pretrained('DIR', safe_serialization=True)\", using " +
			"AutoModelForSequenceClassification for cross-encoders)"
	}
	return nil, "", fmt.Errorf("%w: no %s in %s%s", ErrMissing, WeightsFile, dir, hint)
}

// stModule is one entry of sentence-transformers' modules.json.
type stModule struct {
	Path string `json:"path"`
	Type string `json:"type"`
}

// stPooling is sentence-transformers' Pooling module config.
type stPooling struct {
	CLS      bool `json:"pooling_mode_cls_token"`
	Mean     bool `json:"pooling_mode_mean_tokens"`
	Max      bool `json:"pooling_mode_max_tokens"`
	MeanSqrt bool `json:"pooling_mode_mean_sqrt_len_tokens"`
	Weighted bool `json:"pooling_mode_weightedmean_tokens"`
	Last     bool `json:"pooling_mode_lasttoken"`
}

// readPooling finds the Pooling module through modules.json (falling back
// to 1_Pooling/) and whether a Normalize module follows.
func readPooling(dir string) (string, bool, error) {
	poolDir, normalize := "1_Pooling", false
	if buf, err := os.ReadFile(filepath.Join(dir, "modules.json")); err == nil {
		var mods []stModule
		if err := json.Unmarshal(buf, &mods); err != nil {
			return "", false, fmt.Errorf("modules.json: %w: %v", ErrInvalidConfig, err)
		}
		for _, m := range mods {
			switch m.Type {
			case "sentence_transformers.models.Pooling":
				poolDir = m.Path
			case "sentence_transformers.models.Normalize":
				normalize = true
			}
		}
	}
	path := filepath.Join(dir, poolDir, "config.json")
	buf, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", normalize, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read pooling config: %w", err)
	}
	var p stPooling
	if err := json.Unmarshal(buf, &p); err != nil {
		return "", false, fmt.Errorf("%s: %w: %v", path, ErrInvalidConfig, err)
	}
	switch {
	case p.Max || p.MeanSqrt || p.Weighted || p.Last || (p.Mean && p.CLS):
		return "", false, fmt.Errorf("%s: %w: pooling mode (supported: mean or cls alone)", path, ErrUnsupported)
	case p.Mean:
		return PoolingMean, normalize, nil
	case p.CLS:
		return PoolingCLS, normalize, nil
	}
	return "", false, fmt.Errorf("%s: %w: no pooling mode enabled", path, ErrInvalidConfig)
}

// Validate checks every tensor ExpectedShapes lists is present with that
// shape; a cross-encoder architecture requires its head.
func (c *Checkpoint) Validate() error {
	source := c.source
	if source == "" {
		source = WeightsFile
	}
	return validateWeights(c.Config, c.Weights, c.Config.IsCrossEncoder(), source)
}

// Encoder returns the base-model tensors (embeddings.*, encoder.*,
// pooler.*), sharing the checkpoint's data.
func (c *Checkpoint) Encoder() map[string]Tensor {
	out := map[string]Tensor{}
	for name, t := range c.Weights {
		if isEncoderName(name) {
			out[name] = t
		}
	}
	return out
}

// Head returns the classifier.* tensors; empty for bi-encoders.
func (c *Checkpoint) Head() map[string]Tensor {
	out := map[string]Tensor{}
	for name, t := range c.Weights {
		if isHeadName(name) {
			out[name] = t
		}
	}
	return out
}

// HasHead reports whether the checkpoint has classifier tensors.
func (c *Checkpoint) HasHead() bool { return hasHead(c.Weights) }
