package hf

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/precedent/precedent/ml/safetensors"
)

// initStd is BERT's initializer_range, used for fresh head weights.
const initStd = 0.02

// NewHeadWeights returns a fresh single-output reranker head for cfg with
// weights drawn from N(0, 0.02) and zero biases: for BERT pooler.dense +
// classifier [1, hidden]; for XLM-R classifier.dense + classifier.out_proj.
func NewHeadWeights(cfg Config, rng *rand.Rand) map[string]Tensor {
	out := map[string]Tensor{}
	shapes := headShapes(cfg, 1)
	for _, name := range sortedKeys(shapes) { // sorted: same rng, same head
		t := safetensors.New(shapes[name]...)
		if strings.HasSuffix(name, ".weight") {
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * initStd)
			}
		}
		out[name] = t
	}
	return out
}

// WithHead returns a copy of weights (tensors shared) with the head
// tensors NewHeadWeights would create added where missing, so a BERT
// checkpoint's trained pooler is kept.
func WithHead(cfg Config, weights map[string]Tensor, rng *rand.Rand) map[string]Tensor {
	out := copyMap(weights)
	if out == nil {
		out = map[string]Tensor{}
	}
	fresh := NewHeadWeights(cfg, rng)
	for _, name := range sortedKeys(fresh) {
		if _, ok := out[name]; !ok {
			out[name] = fresh[name]
		}
	}
	return out
}

// TruncateLayers keeps the first n encoder layers: it returns cfg with
// num_hidden_layers = n and weights (canonical or prefixed names, tensors
// shared) without encoder.layer.k for k >= n.
func TruncateLayers(cfg Config, weights map[string]Tensor, n int) (Config, map[string]Tensor, error) {
	if n < 1 || n > cfg.NumHiddenLayers {
		return Config{}, nil, fmt.Errorf("truncate layers: %w: n = %d, want 1..%d", ErrInvalidConfig, n, cfg.NumHiddenLayers)
	}
	out := cfg.clone()
	out.NumHiddenLayers = n
	kept := make(map[string]Tensor, len(weights))
	for name, t := range weights {
		if layer, ok := layerIndex(name); ok && layer >= n {
			continue
		}
		kept[name] = t
	}
	return out, kept, nil
}

// layerIndex extracts k from "...encoder.layer.k....".
func layerIndex(name string) (int, bool) {
	const marker = "encoder.layer."
	i := strings.Index(name, marker)
	if i < 0 {
		return 0, false
	}
	rest := name[i+len(marker):]
	end := strings.IndexByte(rest, '.')
	if end < 0 {
		return 0, false
	}
	k, err := strconv.Atoi(rest[:end])
	return k, err == nil
}
