package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform"
)

// accumulatorScope holds the gradient accumulators of Config.MicroBatch:
// the one of "/encoder/x/weight" is "/adamw/acc/encoder/x/weight". They are
// zero between updates, so checkpoints leave them out (see isAccumulator).
const accumulatorScope = optimizerScope + "/acc"

// isAccumulator reports whether path is a gradient accumulator.
func isAccumulator(path string) bool {
	return path == accumulatorScope || strings.HasPrefix(path, accumulatorScope+"/")
}

// accumulator returns (creating it, zero, on first use) the float32
// gradient accumulator of v.
func accumulator(store *gmodel.Store, v *gmodel.Variable) *gmodel.Variable {
	shape := v.Shape().Clone()
	shape.DType = dtypes.Float32
	return store.VariableWithShape(accumulatorScope+v.Path(), shape, initializer.Zero).SetTrainable(false)
}

// accumStepper runs one update as several forward/backward passes of
// MicroBatch rows, so that only one pass's activations are alive at a time:
//
//   - the accumulate graph (compiled per padded input shape) adds the
//     gradients of Σ w·ℓ / norm over its rows, norm being the whole
//     batch's Σ w, into float32 accumulators and returns that loss part;
//     the parts of a batch sum to BCEWithLogits of the whole batch, and
//     their gradients to its gradient;
//   - the apply graph (compiled once) reads the accumulators as the
//     gradients, clips and applies AdamW exactly as the one-pass step does
//     (applyAdamW), zeroes the accumulators and returns the gradient norm.
//
// After every pass and every apply it hands the C heap's free pages back
// (platform.ReleaseMemory). The heap keeps freed blocks for reuse
// (platform.Malloc), but the scratch a pass frees is soon split by smaller
// blocks (the pass's outputs), so the next pass's scratch no longer fits in
// it and the heap grows by another pass: measured on MiniLM-L6 with XLA CPU
// at 16 rows × 256 tokens, a step in passes of 8 peaked 1.9–2.9 GB without
// this (no better than one pass of 16, 2.8–3.1 GB) and 1.7–1.9 GB with it,
// for about the same step time (the whole run's peaks, validation
// included, are in the README's "Training memory with defaults").
type accumStepper struct {
	store        *gmodel.Store
	micro        int
	accum, apply *gmodel.Exec
	// vars are the paths of the variables the accumulate graph
	// differentiates, recorded when it is first built: the apply graph
	// updates exactly these.
	vars []string
}

// newAccumStepper builds (lazily compiling) the two graphs of an
// accumulated update with passes of cfg.MicroBatch rows.
func newAccumStepper(backend compute.Backend, m Model, cfg Config, posWeight float64) (*accumStepper, error) {
	s := &accumStepper{store: m.Store(), micro: cfg.MicroBatch}
	accumulate := func(scope *gmodel.Scope, inputs []*Node) []*Node {
		ids, typeIDs, mask, labels, weights, norm := inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]
		g := ids.Graph()
		store := scope.Store()
		store.SetTraining(g, true)
		logits := m.LogitsGraph(scope, ids, typeIDs, mask)
		part := Div(BCEWithLogitsSum(logits, labels, weights, posWeight), norm)
		vars, grads := lossGradients(store, part)
		paths := make([]string, len(vars))
		for i, v := range vars {
			paths[i] = v.Path()
			acc := accumulator(store, v)
			acc.SetNodeValue(Add(acc.NodeValue(g), grads[i]))
		}
		if s.vars == nil {
			s.vars = paths
		} else if !slices.Equal(s.vars, paths) {
			exceptions.Panicf("train: the accumulate graph for shape %s differentiates other variables than the first one built", ids.Shape())
		}
		return []*Node{part}
	}
	apply := func(scope *gmodel.Scope, lr, t *Node) *Node {
		g := lr.Graph()
		store := scope.Store()
		if len(s.vars) == 0 {
			exceptions.Panicf("train: the apply graph was built before any accumulation pass")
		}
		vars := make([]*gmodel.Variable, len(s.vars))
		grads := make([]*Node, len(s.vars))
		accs := make([]*gmodel.Variable, len(s.vars))
		for i, path := range s.vars {
			vars[i] = store.GetVariable(path)
			accs[i] = accumulator(store, vars[i])
			grads[i] = accs[i].NodeValue(g)
		}
		norm := applyAdamW(store, vars, grads, lr, t, cfg)
		for i, acc := range accs {
			acc.SetNodeValue(ZerosLike(grads[i]))
		}
		return norm
	}
	var err error
	if s.accum, err = gmodel.NewExec(backend, m.Store(), accumulate); err != nil {
		return nil, fmt.Errorf("train step (accumulate): %w", err)
	}
	s.accum.SetMaxCache(maxCompiled)
	if s.apply, err = gmodel.NewExec(backend, m.Store(), apply); err != nil {
		s.accum.Finalize()
		return nil, fmt.Errorf("train step (apply): %w", err)
	}
	return s, nil
}

// run applies one update on b (at most batchRows rows, labels per row) with
// learning rate lr as update number t (1-based): a pass per MicroBatch rows
// (the last one padded with rows of weight 0), each padded to its own length
// bucket, then the AdamW update. It returns the loss of the whole batch
// before the update and the unclipped gradient norm.
func (s *accumStepper) run(b model.Batch, labels []float32, batchRows int, lr float64, t int) (loss, gradNorm float64, err error) {
	if err := b.Validate(); err != nil {
		return 0, 0, err
	}
	if len(labels) != b.Rows {
		return 0, 0, fmt.Errorf("batch: %d labels for %d rows", len(labels), b.Rows)
	}
	if b.Rows == 0 || b.Rows > batchRows {
		return 0, 0, fmt.Errorf("batch: %d rows, want 1..%d", b.Rows, batchRows)
	}
	// Every real row weighs 1 (padInputs), so the batch's Σ w is its row count.
	norm := float32(b.Rows)
	for from := 0; from < b.Rows; from += s.micro {
		to := min(from+s.micro, b.Rows)
		in, err := padInputs(rowsOf(b, from, to), labels[from:to], s.micro)
		if err != nil {
			return 0, 0, err
		}
		out, err := s.accum.Call(in.ids, in.typeIDs, in.mask, in.labels, in.weights, tensors.FromScalar(norm))
		if err != nil {
			return 0, 0, fmt.Errorf("train step %d, rows %d to %d: %w", t, from, to, err)
		}
		loss += float64(tensors.ToScalar[float32](out[0]))
		platform.ReleaseMemory()
	}
	out, err := s.apply.Call(tensors.FromScalar(float32(lr)), tensors.FromScalar(float32(t)))
	if err != nil {
		return 0, 0, fmt.Errorf("train step %d: %w", t, err)
	}
	platform.ReleaseMemory()
	return loss, float64(tensors.ToScalar[float32](out[0])), nil
}

// close frees the compiled graphs and drops the accumulators (zero after
// every update) from the store.
func (s *accumStepper) close() {
	s.accum.Finalize()
	s.apply.Finalize()
	_ = s.store.DeleteVariablesInScope(accumulatorScope)
}

// rowsOf returns rows [from, to) of b, cut after the last unmasked position
// of any of them, so that a pass pads to its own rows' length bucket.
func rowsOf(b model.Batch, from, to int) model.Batch {
	length := 0
	for r := from; r < to; r++ {
		for j := b.Len; j > length; j-- {
			if b.Mask[r*b.Len+j-1] != 0 {
				length = j
				break
			}
		}
	}
	out := model.Batch{Rows: to - from, Len: length}
	out.IDs = make([]int32, out.Rows*length)
	out.TypeIDs = make([]int32, out.Rows*length)
	out.Mask = make([]int32, out.Rows*length)
	for r := range out.Rows {
		src := (from + r) * b.Len
		copy(out.IDs[r*length:(r+1)*length], b.IDs[src:src+length])
		copy(out.TypeIDs[r*length:(r+1)*length], b.TypeIDs[src:src+length])
		copy(out.Mask[r*length:(r+1)*length], b.Mask[src:src+length])
	}
	return out
}
