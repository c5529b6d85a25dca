package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/safetensors"
)

// Model is an encoder with its head; its weights live as trainable GoMLX
// variables in Store(), one per HF tensor.
type Model struct {
	cfg           hf.Config
	tokenizerPath string
	arch          arch
	head          HeadKind
	store         *gmodel.Store
	names         []string // HF canonical names, sorted
	// matmul is the dtype the linear layers multiply in: Float32 (the zero
	// value, InvalidDType, also reads as float32) or BFloat16 (see Precision).
	matmul dtypes.DType
}

// newModel checks weights against the architecture and copies them into a new store.
// Extra tensors the graph does not read (e.g. a bi-encoder's pooler) are ignored.
func newModel(a arch, head HeadKind, weights map[string]safetensors.Tensor) (*Model, error) {
	if err := a.validate(head); err != nil {
		return nil, err
	}
	want := a.tensorShapes(head)
	m := &Model{arch: a, head: head, store: gmodel.NewStore()}
	for name := range want {
		m.names = append(m.names, name)
	}
	sort.Strings(m.names)
	for _, name := range m.names {
		t, ok := weights[name]
		if !ok {
			return nil, fmt.Errorf("model: tensor %q missing (want shape %v)", name, want[name])
		}
		if !slices.Equal(t.Shape, want[name]) {
			return nil, fmt.Errorf("model: tensor %q has shape %v, config wants %v", name, t.Shape, want[name])
		}
		if len(t.Data) != t.NumElements() {
			return nil, fmt.Errorf("model: tensor %q has %d values for shape %v", name, len(t.Data), t.Shape)
		}
		value := tensors.FromFlatDataAndDimensions(slices.Clone(t.Data), t.Shape...)
		if _, err := m.store.CreateVariable(varPath(name), value); err != nil {
			return nil, fmt.Errorf("model: tensor %q: %w", name, err)
		}
	}
	return m, nil
}

// randomWeights draws every tensor the graph reads: N(0, 0.02) for matrices
// and embeddings, ones for LayerNorm weights, zeros for biases (BERT's init).
func randomWeights(a arch, head HeadKind, seed int64) map[string]safetensors.Tensor {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	shapes := a.tensorShapes(head)
	names := make([]string, 0, len(shapes))
	for name := range shapes {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic draws for a seed
	out := make(map[string]safetensors.Tensor, len(names))
	for _, name := range names {
		t := safetensors.New(shapes[name]...)
		switch {
		case len(t.Shape) == 1 && isNormWeight(name):
			for i := range t.Data {
				t.Data[i] = 1
			}
		case len(t.Shape) == 1:
			// bias: zeros
		default:
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * 0.02)
			}
		}
		out[name] = t
	}
	return out
}

func isNormWeight(name string) bool {
	const suffix = "LayerNorm.weight"
	return len(name) >= len(suffix) && name[len(name)-len(suffix):] == suffix
}

// Head returns the head kind the model was built with.
func (m *Model) Head() HeadKind { return m.head }

// Store returns the GoMLX store holding the model's trainable variables.
func (m *Model) Store() *gmodel.Store { return m.store }

// MaxLen is the longest token sequence the position embeddings allow.
func (m *Model) MaxLen() int { return m.arch.maxLen() }

// Weights returns a copy of the current variable values under HF canonical names.
func (m *Model) Weights() (map[string]safetensors.Tensor, error) {
	out := make(map[string]safetensors.Tensor, len(m.names))
	for _, name := range m.names {
		v := m.store.GetVariable(varPath(name))
		if v == nil {
			return nil, fmt.Errorf("model: variable for tensor %q is gone", name)
		}
		value, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("model: read tensor %q: %w", name, err)
		}
		data, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, fmt.Errorf("model: read tensor %q: %w", name, err)
		}
		out[name] = safetensors.Tensor{DType: "F32", Shape: slices.Clone(value.Shape().Dimensions), Data: data}
	}
	return out, nil
}
