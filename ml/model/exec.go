package model

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// runner runs one graph function of a model over padded batches, compiling
// once per padded shape; model.Exec caches the compiled executables.
type runner struct {
	m    *Model
	exec *gmodel.Exec
	fwd  Forward // set when the backend's inference is offloaded (OffloadInference)
	mu   sync.Mutex
}

func newRunner(m *Model, backend compute.Backend, embed bool, fn func(scope *gmodel.Scope, ids, typeIDs, mask *graph.Node) *graph.Node) (*runner, error) {
	if m == nil || backend == nil {
		return nil, fmt.Errorf("model: nil model or backend")
	}
	fwd, err := offloaded(m, backend, embed)
	if err != nil {
		return nil, err
	}
	if fwd != nil {
		return &runner{m: m, fwd: fwd}, nil
	}
	exec, err := gmodel.NewExec(backend, m.store, fn)
	if err != nil {
		return nil, fmt.Errorf("model: build executor: %w", err)
	}
	exec.SetMaxCache(-1) // shapes are bucketed, so the cache stays small
	return &runner{m: m, exec: exec}, nil
}

// run pads b, executes, and returns the flat float32 output and its padded shape.
func (r *runner) run(b Batch) ([]float32, []int, error) {
	if err := r.m.CheckBatch(b); err != nil {
		return nil, nil, err
	}
	if b.Rows == 0 {
		return nil, []int{0}, nil
	}
	if r.fwd != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.fwd(b)
	}
	rows, length := PaddedShape(b.Rows, b.Len, r.m.arch.maxLen())
	p := padTo(b, rows, length, int32(r.m.arch.padID))
	ids := tensors.FromFlatDataAndDimensions(p.IDs, p.Rows, p.Len)
	types := tensors.FromFlatDataAndDimensions(p.TypeIDs, p.Rows, p.Len)
	mask := tensors.FromFlatDataAndDimensions(p.Mask, p.Rows, p.Len)

	r.mu.Lock()
	defer r.mu.Unlock()
	var out *tensors.Tensor
	err := exceptions.TryCatch[error](func() {
		var err error
		out, err = r.exec.Call1(ids, types, mask)
		if err != nil {
			panic(err)
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("model: run [%d, %d] batch: %w", p.Rows, p.Len, err)
	}
	defer out.FinalizeAll()
	flat, err := tensors.CopyFlatData[float32](out)
	if err != nil {
		return nil, nil, fmt.Errorf("model: read output: %w", err)
	}
	return flat, out.Shape().Dimensions, nil
}

// Scorer computes cross-encoder logits on a backend. It is safe for
// concurrent use; calls are serialised.
type Scorer struct{ r *runner }

// NewScorer prepares a Scorer for a cross-encoder model, computing its
// products in precision p ("" is F32).
func NewScorer(m *Model, backend compute.Backend, p Precision) (*Scorer, error) {
	if m != nil && m.head != CrossEncoder {
		return nil, fmt.Errorf("model: NewScorer needs a cross-encoder, got a %s", m.head)
	}
	m, err := viewAt(m, p)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(m, backend, false, func(scope *gmodel.Scope, ids, typeIDs, mask *graph.Node) *graph.Node {
		return m.LogitsGraph(scope, ids, typeIDs, mask)
	})
	if err != nil {
		return nil, err
	}
	return &Scorer{r: r}, nil
}

// Score returns one logit per row of b, reading the model's current weights.
func (s *Scorer) Score(b Batch) ([]float32, error) {
	flat, _, err := s.r.run(b)
	if err != nil {
		return nil, err
	}
	return flat[:b.Rows], nil
}

// Embedder computes bi-encoder embeddings on a backend. It is safe for
// concurrent use; calls are serialised.
type Embedder struct{ r *runner }

// NewEmbedder prepares an Embedder computing its products in precision p
// ("" is F32); any model can embed (a cross-encoder's head is simply not
// used).
func NewEmbedder(m *Model, backend compute.Backend, p Precision) (*Embedder, error) {
	m, err := viewAt(m, p)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(m, backend, true, func(scope *gmodel.Scope, ids, typeIDs, mask *graph.Node) *graph.Node {
		return m.EmbeddingsGraph(scope, ids, typeIDs, mask)
	})
	if err != nil {
		return nil, err
	}
	return &Embedder{r: r}, nil
}

// Embed returns one unit-length vector per row of b.
func (e *Embedder) Embed(b Batch) ([][]float32, error) {
	flat, dims, err := e.r.run(b)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, b.Rows)
	if b.Rows == 0 {
		return out, nil
	}
	dim := dims[1]
	for i := range out {
		out[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return out, nil
}

// viewAt is m at precision p; a nil m stays nil for newRunner to refuse.
func viewAt(m *Model, p Precision) (*Model, error) {
	if m == nil {
		return nil, nil
	}
	return m.at(p)
}
