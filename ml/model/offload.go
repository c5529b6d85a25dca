package model

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// Forward is a model's inference pass run outside GoMLX (package ml/ort
// runs it on ONNX Runtime). It is called with a batch CheckBatch accepted
// and returns the flat float32 output — logits [Rows] or embeddings
// [Rows, hidden] — and its shape.
type Forward func(b Batch) ([]float32, []int, error)

// ForwardMaker makes the Forward computing m's logits (embed false) or
// embeddings (embed true).
type ForwardMaker func(m *Model, embed bool) (Forward, error)

var offloads sync.Map // compute.Backend → ForwardMaker

// OffloadInference makes every Scorer and Embedder created on backend from
// now on run its forward pass through make instead of backend; training on
// backend (ml/train) is unaffected. A nil make undoes it.
func OffloadInference(backend compute.Backend, make ForwardMaker) {
	if make == nil {
		offloads.Delete(backend)
		return
	}
	offloads.Store(backend, make)
}

// offloaded returns the Forward registered for backend, or nil.
func offloaded(m *Model, backend compute.Backend, embed bool) (Forward, error) {
	v, ok := offloads.Load(backend)
	if !ok {
		return nil, nil
	}
	f, err := v.(ForwardMaker)(m, embed)
	if err != nil {
		return nil, fmt.Errorf("model: inference outside GoMLX: %w", err)
	}
	return f, nil
}

// WeightsStamp identifies the values of a model's weights at one moment:
// training replaces a variable's value tensor at each step, so a stamp
// taken before it no longer matches (see Matches). A snapshot of the
// weights (an ONNX export) compares its stamp to know it is stale.
type WeightsStamp struct{ values []*tensors.Tensor }

// Stamp returns the current WeightsStamp. The stamp holds the value
// tensors it saw, so their addresses cannot be reused by later values.
func (m *Model) Stamp() WeightsStamp {
	s := WeightsStamp{values: make([]*tensors.Tensor, len(m.names))}
	for i, name := range m.names {
		if v := m.store.GetVariable(varPath(name)); v != nil && v.HasValue() {
			s.values[i], _ = v.Value()
		}
	}
	return s
}

// Matches reports whether no weight of m was given a new value since s
// was taken from m.
func (s WeightsStamp) Matches(m *Model) bool {
	return s.values != nil && slices.Equal(s.values, m.Stamp().values)
}
