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
	assert.Same(t, other, ExplainOutOfMemory(other, s, 16, 256), "other errors pass through")

	cause := fmt.Errorf("train step 3: %w", errors.New("RESOURCE_EXHAUSTED: out of memory"))
	err := ExplainOutOfMemory(cause, s, 16, 256)
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

	tiny := ExplainOutOfMemory(cause, s, 1, MinMaxLen)
	require.ErrorAs(t, tiny, &oom)
	assert.Contains(t, tiny.Error(), "keep fewer layers (--layers)", "nothing lower to offer")
}
