package hf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/precedent/precedent/ml/safetensors"
)

// Tensor is the decoded tensor type shared with package safetensors.
type Tensor = safetensors.Tensor

// ExpectedShapes lists every tensor a checkpoint for cfg must hold, by
// canonical name, with its shape. Linear weights are [out, in]. withHead
// adds the sequence-classification head with cfg.NumLabels() outputs: for
// BERT pooler.dense + classifier, for XLM-R classifier.dense +
// classifier.out_proj. The pooler is optional for bi-encoders and so is not
// listed without a head (Validate still checks its shape when present).
func ExpectedShapes(cfg Config, withHead bool) map[string][]int {
	h, inter := cfg.HiddenSize, cfg.IntermediateSize
	s := map[string][]int{
		"embeddings.word_embeddings.weight":       {cfg.VocabSize, h},
		"embeddings.position_embeddings.weight":   {cfg.MaxPositionEmbeddings, h},
		"embeddings.token_type_embeddings.weight": {cfg.TypeVocabSize, h},
		"embeddings.LayerNorm.weight":             {h},
		"embeddings.LayerNorm.bias":               {h},
	}
	for i := 0; i < cfg.NumHiddenLayers; i++ {
		p := "encoder.layer." + strconv.Itoa(i) + "."
		for _, proj := range []string{"query", "key", "value"} {
			s[p+"attention.self."+proj+".weight"] = []int{h, h}
			s[p+"attention.self."+proj+".bias"] = []int{h}
		}
		s[p+"attention.output.dense.weight"] = []int{h, h}
		s[p+"attention.output.dense.bias"] = []int{h}
		s[p+"attention.output.LayerNorm.weight"] = []int{h}
		s[p+"attention.output.LayerNorm.bias"] = []int{h}
		s[p+"intermediate.dense.weight"] = []int{inter, h}
		s[p+"intermediate.dense.bias"] = []int{inter}
		s[p+"output.dense.weight"] = []int{h, inter}
		s[p+"output.dense.bias"] = []int{h}
		s[p+"output.LayerNorm.weight"] = []int{h}
		s[p+"output.LayerNorm.bias"] = []int{h}
	}
	if withHead {
		for k, v := range headShapes(cfg, cfg.NumLabels()) {
			s[k] = v
		}
	}
	return s
}

// headShapes lists the classification head for n labels (BERT includes
// the pooler it runs on).
func headShapes(cfg Config, n int) map[string][]int {
	h := cfg.HiddenSize
	if cfg.IsXLMR() {
		return map[string][]int{
			"classifier.dense.weight":    {h, h},
			"classifier.dense.bias":      {h},
			"classifier.out_proj.weight": {n, h},
			"classifier.out_proj.bias":   {n},
		}
	}
	return map[string][]int{
		"pooler.dense.weight": {h, h},
		"pooler.dense.bias":   {h},
		"classifier.weight":   {n, h},
		"classifier.bias":     {n},
	}
}

// poolerShapes is the optional BERT/XLM-R pooler checked when present.
func poolerShapes(cfg Config) map[string][]int {
	h := cfg.HiddenSize
	return map[string][]int{"pooler.dense.weight": {h, h}, "pooler.dense.bias": {h}}
}

// modelPrefixes are the base-model prefixes HF adds inside task models.
var modelPrefixes = []string{"bert.", "roberta."}

// canonicalName strips the base-model prefix and renames legacy LayerNorm
// gamma/beta; ok is false for buffers that are not weights.
func canonicalName(name string) (string, bool) {
	for _, p := range modelPrefixes {
		if strings.HasPrefix(name, p) {
			name = strings.TrimPrefix(name, p)
			break
		}
	}
	if strings.HasSuffix(name, "position_ids") {
		return "", false
	}
	if strings.Contains(name, "LayerNorm.") {
		name = strings.Replace(name, "LayerNorm.gamma", "LayerNorm.weight", 1)
		name = strings.Replace(name, "LayerNorm.beta", "LayerNorm.bias", 1)
	}
	return name, true
}

// Canonicalize returns weights keyed by canonical names (see package doc);
// source names the file in errors. Tensors are shared, not copied.
func Canonicalize(weights map[string]Tensor, source string) (map[string]Tensor, error) {
	out := make(map[string]Tensor, len(weights))
	from := make(map[string]string, len(weights))
	for _, name := range sortedKeys(weights) {
		c, ok := canonicalName(name)
		if !ok {
			continue
		}
		if prev, dup := from[c]; dup {
			return nil, fmt.Errorf("%s: tensors %s and %s both map to %s", source, prev, name, c)
		}
		from[c] = name
		out[c] = weights[name]
	}
	return out, nil
}

// isEncoderName reports whether a canonical name belongs to the base model.
func isEncoderName(name string) bool {
	return strings.HasPrefix(name, "embeddings.") || strings.HasPrefix(name, "encoder.") || strings.HasPrefix(name, "pooler.")
}

// isHeadName reports whether a canonical name belongs to the classifier.
func isHeadName(name string) bool { return strings.HasPrefix(name, "classifier.") }

// hasHead reports whether any classifier tensor is present.
func hasHead(weights map[string]Tensor) bool {
	for name := range weights {
		if isHeadName(name) {
			return true
		}
	}
	return false
}

// validateWeights checks canonical weights against cfg: every expected
// tensor present with its shape and data length, the pooler if present,
// and classifier rows consistent. source names the file in errors.
func validateWeights(cfg Config, weights map[string]Tensor, withHead bool, source string) error {
	want := ExpectedShapes(cfg, withHead)
	if _, ok := weights["pooler.dense.weight"]; ok {
		for k, v := range poolerShapes(cfg) {
			want[k] = v
		}
	}
	var errs []*weightsError
	add := func(kind error, format string, args ...any) {
		errs = append(errs, &weightsError{msg: source + ": " + fmt.Sprintf(format, args...), kind: kind})
	}
	for _, name := range sortedKeys(want) {
		t, ok := weights[name]
		if !ok {
			add(ErrMissing, "missing tensor %s (want shape %v)", name, want[name])
			continue
		}
		if !slices.Equal(t.Shape, want[name]) {
			add(ErrShape, "%s: shape %v, want %v", name, t.Shape, want[name])
			continue
		}
		if t.NumElements() != len(t.Data) {
			add(ErrShape, "%s: shape %v has %d elements, data has %d", name, t.Shape, t.NumElements(), len(t.Data))
		}
	}
	if !withHead {
		for _, name := range sortedKeys(weights) {
			if isHeadName(name) {
				add(ErrUnsupported, "unexpected head tensor %s for architecture %v", name, cfg.Architectures)
				break
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	// Report the first problem in name order, and how many more there are.
	first := errs[0]
	if len(errs) > 1 {
		first.msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return first
}

// weightsError carries a readable message and the sentinel it wraps.
type weightsError struct {
	msg  string
	kind error
}

func (e *weightsError) Error() string { return e.msg }
func (e *weightsError) Unwrap() error { return e.kind }
