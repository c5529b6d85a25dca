package model

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

// Precision is the number format an inference graph (Scorer, Embedder)
// computes its matrix products in. Whatever the precision, weights stay
// float32 in the store, inputs of each product are rounded to it, products
// accumulate and return float32, and biases, layer norms, softmax, GELU and
// pooling run in float32.
type Precision string

const (
	// F32 computes every product in float32 (the zero value).
	F32 Precision = "f32"
	// BF16 rounds the inputs of the linear layers (Q/K/V, attention output,
	// feed-forward) to bfloat16: half the memory traffic, and on CPUs with
	// bfloat16 dot instructions (AVX512-BF16, AMX) about twice the speed,
	// at about 3 significant digits per product. Attention scores stay
	// float32.
	BF16 Precision = "bf16"
)

// ParsePrecision reads "f32" or "bf16" ("" is F32), case-insensitively.
func ParsePrecision(s string) (Precision, error) {
	switch p := Precision(strings.ToLower(strings.TrimSpace(s))); p {
	case "", F32:
		return F32, nil
	case BF16:
		return BF16, nil
	default:
		return "", fmt.Errorf("precision %q: want f32 or bf16", s)
	}
}

// String is the precision's name; the zero value reads "f32".
func (p Precision) String() string {
	if p == "" {
		return string(F32)
	}
	return string(p)
}

// at returns a view of m whose graphs compute products in precision p: it
// shares m's store (weights), so training m changes what the view computes.
func (m *Model) at(p Precision) (*Model, error) {
	p, err := ParsePrecision(string(p))
	if err != nil {
		return nil, err
	}
	v := *m
	v.matmul = dtypes.Float32
	if p == BF16 {
		v.matmul = dtypes.BFloat16
	}
	return &v, nil
}
