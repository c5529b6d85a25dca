package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/train"
)

func TestTrainOptionsMicroBatch(t *testing.T) {
	assert.Equal(t, 4, DefaultTrainOptions().MicroBatch)
	assert.Equal(t, DemoTrainOptions().BatchSize, DemoTrainOptions().MicroBatch, "the demo's small model runs its batch in one pass")
	for _, tc := range []struct {
		name         string
		batch, micro int
		want         int
	}{
		{"zero takes the default", 16, 0, 4},
		{"given is kept", 16, 4, 4},
		{"the batch's size is one pass", 16, 16, 16},
		{"above the batch is lowered to it", 4, 8, 4},
	} {
		o := TrainOptions{RunOptions: RunOptions{BatchSize: tc.batch}, MicroBatch: tc.micro}
		assert.Equal(t, tc.want, o.withDefaults().MicroBatch, tc.name)
		assert.NoError(t, o.Validate(), tc.name)
	}
	o := DefaultTrainOptions()
	o.MicroBatch = -1
	assert.EqualError(t, o.Validate(), "micro-batch (--micro-batch) -1: want 0 (the whole batch) to the batch size, 16")

	// The micro-batch changes how a step is computed, not what is trained
	// on: the fingerprint, and so resuming, ignore it.
	a, b := DefaultTrainOptions(), DefaultTrainOptions()
	b.MicroBatch = 16
	assert.Equal(t, trainShape(a), trainShape(b))
}

// Validation during training scores at most validationTokens per pass.
func TestValidationBatch(t *testing.T) {
	for _, tc := range []struct{ maxLen, want int }{
		{256, 16}, {128, 32}, {64, 32}, {512, 8}, {8192, 1}, {0, 32},
	} {
		assert.Equal(t, tc.want, validationBatch(tc.maxLen), "max length %d", tc.maxLen)
	}
}

// fitMemory lowers an accumulating run's micro-batch and keeps its batch;
// a run in one pass lowers its batch.
func TestFitMemoryMicroBatch(t *testing.T) {
	m, err := model.FromScratch(hf.Config{ModelType: "bert", VocabSize: 100, HiddenSize: 384, NumHiddenLayers: 6, NumAttentionHeads: 12,
		IntermediateSize: 1536, HiddenAct: "gelu", MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12}, model.CrossEncoder, 1)
	require.NoError(t, err)
	shape := backend.ShapeOf(m.Config())

	o := DefaultTrainOptions()
	o.MaxMemoryMB = int(backend.StepBytes(shape, 16, 2, 256) >> 20)
	fit, err := fitMemory(&o, m, 0)
	require.NoError(t, err)
	assert.True(t, fit.Lowered)
	assert.Equal(t, 16, o.BatchSize, "the batch is kept")
	assert.Equal(t, 256, o.MaxLen)
	assert.Equal(t, fit.Micro, o.MicroBatch)
	assert.Less(t, o.MicroBatch, DefaultTrainOptions().MicroBatch)
	assert.Positive(t, o.MicroBatch)
	assert.Contains(t, fit.String(), "batch 16 in passes of")

	one := DefaultTrainOptions()
	one.MicroBatch = one.BatchSize // --micro-batch 0
	one.MaxMemoryMB = o.MaxMemoryMB
	fit, err = fitMemory(&one, m, 0)
	require.NoError(t, err)
	assert.True(t, fit.Lowered)
	assert.Less(t, one.BatchSize, 16, "one pass lowers the batch")
	assert.Equal(t, one.BatchSize, one.MicroBatch, "and stays one pass")
	assert.Zero(t, fit.Micro)

	roomy := DefaultTrainOptions()
	roomy.MaxMemoryMB = 1 << 20
	fit, err = fitMemory(&roomy, m, 0)
	require.NoError(t, err)
	assert.False(t, fit.Lowered)
	assert.Equal(t, []int{16, 4, 256}, []int{roomy.BatchSize, roomy.MicroBatch, roomy.MaxLen}, "what fits is kept")
}

// The runner hands the trainee's micro-batch to the training loop, and an
// out-of-memory failure of an accumulating run advises a smaller micro-batch.
func TestRunnerMicroBatch(t *testing.T) {
	rec := RunCore{ID: "run-1", Examples: 100, Dir: t.TempDir()}
	rn := &runner{kind: crossEncoderRuns, rec: &rec, store: func() error { return nil }, start: time.Now(), progress: func(Event) {}}
	var cfg train.Config
	_, _, err := rn.run(context.Background(), DefaultTrainOptions().RunOptions, trainee{
		model:      tinyModel(t),
		microBatch: 8,
		validate:   func(context.Context) (float64, error) { return 0.25, nil },
		fit: func(_ context.Context, c train.Config, _ train.Validate, _ func(train.Event)) (train.Result, error) {
			cfg = c
			return train.Result{}, errors.New("RESOURCE_EXHAUSTED: out of memory while allocating")
		},
		save: func(train.Result) error { return nil },
	})
	assert.Equal(t, 8, cfg.MicroBatch)
	assert.Equal(t, 16, cfg.BatchSize)
	var advice *backend.OutOfMemoryError
	require.ErrorAs(t, err, &advice)
	assert.Equal(t, 8, advice.Micro)
	assert.Contains(t, err.Error(), "out of memory training at batch 16 in passes of 8 × max length 256")
	assert.Contains(t, err.Error(), "lower the micro-batch or the max length")
}
