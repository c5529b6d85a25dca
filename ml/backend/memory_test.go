package backend

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/hf"
)

// miniLM is all-MiniLM-L6-v2's config with a one-logit cross-encoder head.
var miniLM = hf.Config{VocabSize: 30522, HiddenSize: 384, NumHiddenLayers: 6, NumAttentionHeads: 12,
	IntermediateSize: 1536, MaxPositionEmbeddings: 512, TypeVocabSize: 2}

func TestShapeOf(t *testing.T) {
	s := ShapeOf(miniLM)
	// Hugging Face counts 22,713,216 parameters in BertModel (with the
	// pooler) for all-MiniLM-L6-v2; the classifier adds 384 weights + 1 bias.
	assert.Equal(t, int64(22_713_216+385), s.Params)
	assert.Equal(t, TrainShape{Params: s.Params, Layers: 6, Hidden: 384, Heads: 12, Intermediate: 1536}, s)
}

func TestTrainingBytesGrows(t *testing.T) {
	s := ShapeOf(miniLM)
	base := TrainingBytes(s, 16, 256)
	assert.Greater(t, TrainingBytes(s, 17, 256), base)
	assert.Greater(t, TrainingBytes(s, 16, 257), base)
	assert.Greater(t, TrainingBytes(s, 1, 1), 16*s.Params, "weights, gradients and AdamW moments at least")
	// Attention makes length cost more than batch: doubling the length
	// costs more than doubling the batch.
	assert.Greater(t, TrainingBytes(s, 16, 512), TrainingBytes(s, 32, 256))
}

func TestFitTraining(t *testing.T) {
	s := ShapeOf(miniLM)
	tb := func(b, l int) int64 { return TrainingBytes(s, b, l) }
	cases := []struct {
		name              string
		budget            int64
		batch, maxLen     int
		wantB, wantL      int
		wantLowered       bool
		wantErr, wantText string
	}{
		{name: "no limit", budget: 0, batch: 64, maxLen: 512, wantB: 64, wantL: 512},
		{name: "fits exactly", budget: tb(16, 256), batch: 16, maxLen: 256, wantB: 16, wantL: 256},
		{name: "batch lowered", budget: tb(8, 256), batch: 16, maxLen: 256, wantB: 8, wantL: 256, wantLowered: true},
		{name: "batch lowered, just short of 9", budget: tb(9, 256) - 1, batch: 16, maxLen: 256, wantB: 8, wantL: 256, wantLowered: true},
		{name: "then the max length", budget: tb(1, 100), batch: 16, maxLen: 256, wantB: 1, wantL: 100, wantLowered: true},
		{name: "max length floor", budget: tb(1, MinMaxLen), batch: 4, maxLen: 256, wantB: 1, wantL: MinMaxLen, wantLowered: true},
		{name: "nothing fits", budget: tb(1, MinMaxLen) - 1, batch: 16, maxLen: 256, wantErr: "does not fit", wantText: "raise the limit or keep fewer layers"},
		{name: "bad batch", budget: 1 << 40, batch: 0, maxLen: 256, wantErr: "batch 0 and max length 256 must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := FitTraining(c.budget, s, c.batch, c.maxLen)
			if c.wantErr != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, c.wantErr)
				assert.ErrorContains(t, err, c.wantText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.wantB, f.Batch)
			assert.Equal(t, c.wantL, f.MaxLen)
			assert.Equal(t, c.wantLowered, f.Lowered)
			assert.Equal(t, tb(f.Batch, f.MaxLen), f.Need)
			if c.budget > 0 {
				assert.LessOrEqual(t, f.Need, c.budget)
			}
		})
	}
	_, err := FitTraining(1<<20, s, 16, 256)
	assert.ErrorIs(t, err, ErrTooBig)
}

func TestIsOutOfMemory(t *testing.T) {
	for msg, want := range map[string]bool{
		"RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1.2GiB":                   true,
		"XLA: failed to allocate buffer of 268435456 bytes":                                   true,
		"Metal: Execution of the command buffer was aborted (Insufficient Memory)":            true,
		"command buffer error: kIOGPUCommandBufferCallbackErrorOutOfMemory":                   true,
		"mmap: cannot allocate memory":                                                        true,
		"shape mismatch: [16 256] vs [16 128]":                                                false,
		"the room is full of zoom calls (no memory words, no OOM abbreviation matching here)": false,
	} {
		assert.Equal(t, want, IsOutOfMemory(errors.New(msg)), msg)
	}
	assert.False(t, IsOutOfMemory(nil))
}

func TestExplainOutOfMemory(t *testing.T) {
	s := ShapeOf(miniLM)
	other := errors.New("shape mismatch")
	assert.Same(t, other, ExplainOutOfMemory(other, s, 16, 0, 256), "other errors pass through")

	cause := fmt.Errorf("train step 3: %w", errors.New("RESOURCE_EXHAUSTED: out of memory"))
	err := ExplainOutOfMemory(cause, s, 16, 0, 256)
	var oom *OutOfMemoryError
	require.ErrorAs(t, err, &oom)
	assert.ErrorIs(t, err, errors.Unwrap(cause), "the backend's error stays in the chain")
	half := TrainingBytes(s, 16, 256) / 2
	require.Positive(t, oom.FitBatch)
	require.Positive(t, oom.FitMaxLen)
	assert.LessOrEqual(t, TrainingBytes(s, oom.FitBatch, 256), half)
	assert.Greater(t, TrainingBytes(s, oom.FitBatch+1, 256), half, "the largest batch that fits")
	assert.LessOrEqual(t, TrainingBytes(s, 16, oom.FitMaxLen), half)
	assert.Greater(t, TrainingBytes(s, 16, oom.FitMaxLen+1), half, "the longest max length that fits")
	assert.Contains(t, err.Error(), "lower the batch or the max length")
	assert.Contains(t, err.Error(), fmt.Sprintf("--batch %d (at max length 256) or --max-len %d (at batch 16)", oom.FitBatch, oom.FitMaxLen))

	tiny := ExplainOutOfMemory(cause, s, 1, 0, MinMaxLen)
	require.ErrorAs(t, tiny, &oom)
	assert.Contains(t, tiny.Error(), "keep fewer layers (--layers)", "nothing lower to offer")
}

func TestStepBytes(t *testing.T) {
	s := ShapeOf(miniLM)
	for _, micro := range []int{0, 16, 32} {
		assert.Equal(t, TrainingBytes(s, 16, 256), StepBytes(s, 16, micro, 256), "micro-batch %d: one pass", micro)
	}
	// Passes of 8 keep one pass's activations and add an accumulator a parameter.
	assert.Equal(t, TrainingBytes(s, 8, 256)+4*s.Params, StepBytes(s, 16, 8, 256))
	assert.Less(t, StepBytes(s, 16, 8, 256), StepBytes(s, 16, 0, 256))
	assert.Equal(t, StepBytes(s, 64, 8, 256), StepBytes(s, 16, 8, 256), "the batch no longer sizes the step")
}

func TestFitMicroBatch(t *testing.T) {
	s := ShapeOf(miniLM)
	sb := func(b, m, l int) int64 { return StepBytes(s, b, m, l) }
	cases := []struct {
		name                string
		budget              int64
		batch, micro, len   int
		wantB, wantM, wantL int
		wantLowered         bool
	}{
		{name: "no limit", budget: 0, batch: 16, micro: 8, len: 256, wantB: 16, wantM: 8, wantL: 256},
		{name: "fits", budget: sb(16, 8, 256), batch: 16, micro: 8, len: 256, wantB: 16, wantM: 8, wantL: 256},
		{name: "the micro-batch first, the batch kept", budget: sb(16, 8, 256) - 1, batch: 16, micro: 8, len: 256, wantB: 16, wantM: 7, wantL: 256, wantLowered: true},
		{name: "down to passes of one row", budget: sb(16, 1, 256), batch: 16, micro: 8, len: 256, wantB: 16, wantM: 1, wantL: 256, wantLowered: true},
		{name: "then the batch: one row, no accumulators", budget: sb(16, 1, 256) - 1, batch: 16, micro: 8, len: 256, wantB: 1, wantM: 0, wantL: 256, wantLowered: true},
		{name: "then the max length", budget: sb(1, 0, 100), batch: 16, micro: 8, len: 256, wantB: 1, wantM: 0, wantL: 100, wantLowered: true},
		{name: "one pass lowers its batch as FitTraining", budget: sb(8, 0, 256), batch: 16, micro: 16, len: 256, wantB: 8, wantM: 0, wantL: 256, wantLowered: true},
		{name: "micro-batch 0 is one pass", budget: sb(8, 0, 256), batch: 16, micro: 0, len: 256, wantB: 8, wantM: 0, wantL: 256, wantLowered: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := FitMicroBatch(c.budget, s, c.batch, c.micro, c.len)
			require.NoError(t, err)
			assert.Equal(t, c.wantB, f.Batch)
			assert.Equal(t, c.wantM, f.Micro)
			assert.Equal(t, c.wantL, f.MaxLen)
			assert.Equal(t, c.wantLowered, f.Lowered)
			assert.Equal(t, sb(f.Batch, f.Micro, f.MaxLen), f.Need)
			if c.budget > 0 {
				assert.LessOrEqual(t, f.Need, c.budget)
			}
		})
	}
	_, err := FitMicroBatch(1<<20, s, 16, 8, 256)
	assert.ErrorIs(t, err, ErrTooBig)

	// A small model's accumulators can cost more than several rows of
	// activations: when no pass fits beside them, one pass lowers the batch
	// only as far as needed (it fell back to batch 1, the smallest step).
	small := ShapeOf(hf.Config{VocabSize: 30522, HiddenSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2,
		IntermediateSize: 64, MaxPositionEmbeddings: 512, TypeVocabSize: 2})
	budget := TrainingBytes(small, 8, 48) - 1
	require.Greater(t, StepBytes(small, 8, 1, 48), budget, "no pass fits beside the accumulators")
	want, err := FitTraining(budget, small, 8, 48)
	require.NoError(t, err)
	require.Greater(t, want.Batch, 1)
	f, err := FitMicroBatch(budget, small, 8, 4, 48)
	require.NoError(t, err)
	assert.Equal(t, want, f)

	f, err = FitMicroBatch(sb(16, 4, 256), s, 16, 8, 256)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("batch 16 in passes of 4 × max length 256, about %s of the %s limit", MB(f.Need), MB(f.Budget)), f.String())
	f, err = FitMicroBatch(0, s, 16, 16, 256)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("batch 16 × max length 256, about %s (no memory limit)", MB(f.Need)), f.String())
}

func TestExplainOutOfMemoryInPasses(t *testing.T) {
	s := ShapeOf(miniLM)
	cause := errors.New("RESOURCE_EXHAUSTED: out of memory")
	err := ExplainOutOfMemory(cause, s, 16, 8, 256)
	var oom *OutOfMemoryError
	require.ErrorAs(t, err, &oom)
	fixed := StepBytes(s, 16, 8, 0) // weights, optimizer state, accumulators, runtime
	half := fixed + (StepBytes(s, 16, 8, 256)-fixed)/2
	require.Positive(t, oom.FitMicro)
	assert.Equal(t, 4, oom.FitMicro, "activations grow with the micro-batch: half as many rows")
	assert.Zero(t, oom.FitBatch, "the batch is kept")
	assert.LessOrEqual(t, StepBytes(s, 16, oom.FitMicro, 256), half)
	assert.Greater(t, StepBytes(s, 16, oom.FitMicro+1, 256), half, "the largest micro-batch that fits")
	require.Positive(t, oom.FitMaxLen)
	assert.LessOrEqual(t, StepBytes(s, 16, 8, oom.FitMaxLen), half)
	assert.Contains(t, err.Error(), "at batch 16 in passes of 8 × max length 256")
	assert.Contains(t, err.Error(), fmt.Sprintf("--micro-batch %d (at max length 256, the batch unchanged) or --max-len %d (at micro-batch 8)", oom.FitMicro, oom.FitMaxLen))

	// A micro-batch of at least the batch is one pass, advised as such.
	for _, micro := range []int{16, 32} {
		assert.Equal(t, ExplainOutOfMemory(cause, s, 16, 0, 256), ExplainOutOfMemory(cause, s, 16, micro, 256))
	}
}
