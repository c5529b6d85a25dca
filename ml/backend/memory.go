package backend

import (
	"errors"
	"fmt"
	"strings"

	"github.com/precedent/precedent/ml/hf"
)

// TrainShape is what a BERT-style encoder's training memory depends on.
type TrainShape struct {
	Params       int64 // trainable float32 values
	Layers       int
	Hidden       int
	Heads        int
	Intermediate int
}

// ShapeOf is the training shape of a model with config cfg (after any
// layer truncation): embeddings, encoder layers and the classification head.
func ShapeOf(cfg hf.Config) TrainShape {
	h, i := int64(cfg.HiddenSize), int64(cfg.IntermediateSize)
	emb := int64(cfg.VocabSize+cfg.MaxPositionEmbeddings+cfg.TypeVocabSize)*h + 2*h
	layer := 4*(h*h+h) + 2*h + (h*i + i) + (i*h + h) + 2*h
	head := h*h + h + h + 1
	return TrainShape{Params: emb + int64(cfg.NumHiddenLayers)*layer + head, Layers: cfg.NumHiddenLayers,
		Hidden: cfg.HiddenSize, Heads: max(1, cfg.NumAttentionHeads), Intermediate: cfg.IntermediateSize}
}

// runtimeOverhead is memory a training run uses whatever its batch: the
// compiled programs, the tokenizer, the Go heap of the pipeline.
const runtimeOverhead = 512 << 20

// TrainingBytes estimates the peak memory of one training step whose
// forward/backward pass runs batch × maxLen tokens, in bytes: float32
// weights, gradients and the two AdamW moments (16 bytes a parameter), plus
// the activations kept for the backward pass — per token and layer, about
// ten hidden-size vectors, two intermediate-size ones and three heads ×
// maxLen attention rows — with a quarter more for the backend's temporaries
// and a fixed runtime overhead. A step that accumulates its gradient over
// passes keeps one pass's activations at a time: pass its micro-batch as
// batch, and see StepBytes for the accumulators. It grows with batch and
// with maxLen (quadratically, through attention), so it can be searched for
// what fits; it is an estimate, not a measurement.
func TrainingBytes(s TrainShape, batch, maxLen int) int64 {
	state := 16 * s.Params
	tokens := int64(batch) * int64(maxLen)
	perToken := 10*int64(s.Hidden) + 2*int64(s.Intermediate) + 3*int64(s.Heads)*int64(maxLen)
	act := 4 * tokens * (perToken*int64(s.Layers) + 3*int64(s.Hidden))
	return state + act + act/4 + runtimeOverhead
}

// StepBytes estimates the peak memory of one step of batch rows run in
// passes of micro rows (micro ≤ 0 or ≥ batch: one pass): TrainingBytes at
// the rows of one pass, plus a float32 gradient accumulator a parameter
// when there are several passes.
func StepBytes(s TrainShape, batch, micro, maxLen int) int64 {
	if !accumulates(batch, micro) {
		return TrainingBytes(s, batch, maxLen)
	}
	return TrainingBytes(s, micro, maxLen) + 4*s.Params
}

// accumulates reports whether a step of batch rows runs in passes of micro.
func accumulates(batch, micro int) bool { return micro > 0 && micro < batch }

// MinMaxLen is the shortest max length Fit lowers to: below it a
// (query, ticket) pair keeps too little of either to learn from.
const MinMaxLen = 32

// Fit is what a memory budget allows for a training run.
type Fit struct {
	Batch, MaxLen int   // the values to train with: the requested ones, or lower
	Micro         int   // rows per pass of a step accumulated over passes (0 < Micro < Batch); 0: one pass
	Need          int64 // StepBytes at Batch, Micro, MaxLen
	Budget        int64 // bytes; 0 = no limit
	Lowered       bool  // Batch, Micro or MaxLen is below the request
}

// ErrTooBig is wrapped when not even batch 1 at MinMaxLen fits the budget.
var ErrTooBig = errors.New("the model does not fit the memory limit")

// FitTraining keeps a one-pass step of batch × maxLen within budget bytes:
// the request when it fits (or budget ≤ 0), else the largest batch that
// fits at maxLen, else batch 1 at the longest max length (≥ MinMaxLen) that
// fits. Lowering the batch first keeps every pair's text; a shorter max
// length truncates it. When nothing fits it returns an error wrapping
// ErrTooBig that names the model's fixed need and the limit.
func FitTraining(budget int64, s TrainShape, batch, maxLen int) (Fit, error) {
	if batch < 1 || maxLen < 1 {
		return Fit{}, fmt.Errorf("memory fit: batch %d and max length %d must be positive", batch, maxLen)
	}
	f := Fit{Batch: batch, MaxLen: maxLen, Need: TrainingBytes(s, batch, maxLen), Budget: budget}
	if budget <= 0 || f.Need <= budget {
		return f, nil
	}
	if b := largest(1, batch-1, func(b int) bool { return TrainingBytes(s, b, maxLen) <= budget }); b > 0 {
		return Fit{Batch: b, MaxLen: maxLen, Need: TrainingBytes(s, b, maxLen), Budget: budget, Lowered: true}, nil
	}
	if l := largest(MinMaxLen, maxLen-1, func(l int) bool { return TrainingBytes(s, 1, l) <= budget }); l > 0 {
		return Fit{Batch: 1, MaxLen: l, Need: TrainingBytes(s, 1, l), Budget: budget, Lowered: true}, nil
	}
	return Fit{}, fmt.Errorf("%w: %s needs %s at batch 1 × %d tokens (%s of it for weights and optimizer state), the limit is %s: raise the limit or keep fewer layers (--layers)",
		ErrTooBig, describeShape(s), MB(TrainingBytes(s, 1, MinMaxLen)), MinMaxLen, MB(16*s.Params), MB(budget))
}

// FitMicroBatch keeps a step of batch rows, run in passes of micro rows,
// within budget bytes. A step in one pass (micro ≤ 0 or ≥ batch) is fitted
// as FitTraining does, and stays in one pass. A step accumulated over
// passes keeps its batch, so what is optimised does not change, and lowers
// the micro-batch to the largest that fits; when not even passes of one row
// fit beside the accumulators, it falls back to one pass, which needs none,
// lowered as FitTraining lowers it (the largest batch that fits, then the
// max length).
func FitMicroBatch(budget int64, s TrainShape, batch, micro, maxLen int) (Fit, error) {
	if !accumulates(batch, micro) {
		return FitTraining(budget, s, batch, maxLen)
	}
	if maxLen < 1 {
		return Fit{}, fmt.Errorf("memory fit: batch %d and max length %d must be positive", batch, maxLen)
	}
	need := func(m int) int64 { return StepBytes(s, batch, m, maxLen) }
	f := Fit{Batch: batch, Micro: micro, MaxLen: maxLen, Need: need(micro), Budget: budget}
	if budget <= 0 || f.Need <= budget {
		return f, nil
	}
	if m := largest(1, micro-1, func(m int) bool { return need(m) <= budget }); m > 0 {
		f.Micro, f.Need, f.Lowered = m, need(m), true
		return f, nil
	}
	// No pass fits beside the accumulators: one pass needs none, so the
	// batch is lowered in one pass, as FitTraining does (the largest batch
	// that fits, then the length).
	one, err := FitTraining(budget, s, batch, maxLen)
	if err != nil {
		return Fit{}, err
	}
	one.Lowered = true
	return one, nil
}

// largest is the largest v in [lo, hi] with ok(v), for ok true up to some
// point and false after it; 0 when none.
func largest(lo, hi int, ok func(int) bool) int {
	best := 0
	for lo <= hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	return best
}

// String says what was lowered, for the training log.
func (f Fit) String() string {
	batch := fmt.Sprint("batch ", f.Batch)
	if accumulates(f.Batch, f.Micro) {
		batch += fmt.Sprintf(" in passes of %d", f.Micro)
	}
	if f.Budget <= 0 {
		return fmt.Sprintf("%s × max length %d, about %s (no memory limit)", batch, f.MaxLen, MB(f.Need))
	}
	return fmt.Sprintf("%s × max length %d, about %s of the %s limit", batch, f.MaxLen, MB(f.Need), MB(f.Budget))
}

// MB formats bytes as whole mebibytes, the unit of --max-memory.
func MB(b int64) string { return fmt.Sprintf("%d MB", (b+(1<<20)-1)>>20) }

func describeShape(s TrainShape) string {
	return fmt.Sprintf("a %d-layer, hidden-%d model (%.1fM parameters)", s.Layers, s.Hidden, float64(s.Params)/1e6)
}

// OutOfMemoryError is a backend's out-of-memory failure with the batch (or
// micro-batch) and max length that would fit: what to lower, and to what.
type OutOfMemoryError struct {
	Batch, MaxLen int   // what ran out of memory
	Micro         int   // rows per pass of a step accumulated over passes; 0: one pass
	FitBatch      int   // one pass: the largest batch at MaxLen within half the estimated need
	FitMicro      int   // several passes: the largest micro-batch at Batch and MaxLen within half the passes' estimated need
	FitMaxLen     int   // the longest max length at Batch (and Micro) within half the (passes') estimated need
	Need          int64 // StepBytes at Batch, Micro, MaxLen
	Err           error // the backend's error
}

func (e *OutOfMemoryError) Error() string {
	if accumulates(e.Batch, e.Micro) {
		var opts []string
		if e.FitMicro > 0 {
			opts = append(opts, fmt.Sprintf("--micro-batch %d (at max length %d, the batch unchanged)", e.FitMicro, e.MaxLen))
		}
		if e.FitMaxLen > 0 {
			opts = append(opts, fmt.Sprintf("--max-len %d (at micro-batch %d)", e.FitMaxLen, e.Micro))
		}
		if len(opts) == 0 {
			opts = append(opts, "keep fewer layers (--layers)")
		}
		return fmt.Sprintf("out of memory training at batch %d in passes of %d × max length %d (estimated %s): lower the micro-batch or the max length — %s needs about half as much for its passes, or set a memory limit (--max-memory, Settings) so training picks what fits: %v",
			e.Batch, e.Micro, e.MaxLen, MB(e.Need), strings.Join(opts, " or "), e.Err)
	}
	var opts []string
	if e.FitBatch > 0 {
		opts = append(opts, fmt.Sprintf("--batch %d (at max length %d)", e.FitBatch, e.MaxLen))
	}
	if e.FitMaxLen > 0 {
		opts = append(opts, fmt.Sprintf("--max-len %d (at batch %d)", e.FitMaxLen, e.Batch))
	}
	if len(opts) == 0 {
		opts = append(opts, "keep fewer layers (--layers)")
	}
	return fmt.Sprintf("out of memory training at batch %d × max length %d (estimated %s): lower the batch or the max length — %s needs about half as much, or set a memory limit (--max-memory, Settings) so training picks what fits: %v",
		e.Batch, e.MaxLen, MB(e.Need), strings.Join(opts, " or "), e.Err)
}

func (e *OutOfMemoryError) Unwrap() error { return e.Err }

// IsOutOfMemory reports whether err is a backend's out-of-memory failure:
// XLA's RESOURCE_EXHAUSTED status, an allocator's "out of memory" or
// "failed to allocate", Metal's insufficient-memory command-buffer error.
// (The pure-Go backend cannot report one: the Go runtime aborts instead,
// which the memory limit exists to prevent.)
func IsOutOfMemory(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, sign := range []string{"resource_exhausted", "resource exhausted", "out of memory", "outofmemory",
		"failed to allocate", "insufficient memory", "cannot allocate memory"} {
		if strings.Contains(msg, sign) {
			return true
		}
	}
	return false
}

// ExplainOutOfMemory turns a backend's out-of-memory error at a step of
// batch rows, run in passes of micro rows (micro ≤ 0 or ≥ batch: one
// pass), at maxLen tokens, into an *OutOfMemoryError naming the values that
// would fit: the largest batch (one pass) or micro-batch (several passes,
// the batch kept), and the longest max length, whose estimate is at most
// half of the one that failed (the failure says the real capacity is below
// the estimate, not by how much). With several passes it halves what the
// passes add to the fixed part of the estimate (weights, optimizer state,
// accumulators, runtime) rather than the whole, which the fixed part
// dominates at small micro-batches. Any other error is returned unchanged.
func ExplainOutOfMemory(err error, s TrainShape, batch, micro, maxLen int) error {
	if !IsOutOfMemory(err) {
		return err
	}
	if !accumulates(batch, micro) {
		micro = 0
	}
	need := StepBytes(s, batch, micro, maxLen)
	half := need / 2
	e := &OutOfMemoryError{Batch: batch, Micro: micro, MaxLen: maxLen, Need: need, Err: err}
	if micro > 0 {
		// Weights, optimizer state and accumulators are most of a small
		// pass's estimate: halve what the passes add to them.
		fixed := StepBytes(s, batch, micro, 0)
		half = fixed + (need-fixed)/2
		e.FitMicro = largest(1, micro-1, func(m int) bool { return StepBytes(s, batch, m, maxLen) <= half })
	} else {
		e.FitBatch = largest(1, batch-1, func(b int) bool { return TrainingBytes(s, b, maxLen) <= half })
	}
	e.FitMaxLen = largest(MinMaxLen, maxLen-1, func(l int) bool { return StepBytes(s, batch, micro, l) <= half })
	return e
}
