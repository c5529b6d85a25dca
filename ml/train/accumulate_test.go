package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/model"
)

// assertClose checks got against want variable by variable: the L2 norm of
// each variable's difference is within rel of the norm of its value, or
// below abs. A norm-wise bound is float32 rounding's own measure: a
// coordinate whose gradient sums terms that nearly cancel moves by far more
// than rel relative to itself when merely the order of the sum changes
// (reordering the rows of a one-pass step does as much); abs covers a
// gradient that is zero in exact arithmetic (BERT's key bias: the softmax
// ignores a shift shared by all keys), pure rounding noise either way.
func assertClose(t *testing.T, want, got map[string][]float32, rel, abs float64) {
	t.Helper()
	require.Equal(t, len(want), len(got), "same variables")
	for path, w := range want {
		g, ok := got[path]
		if !assert.True(t, ok, "variable %s", path) || !assert.Len(t, g, len(w), path) {
			continue
		}
		var diff, norm float64
		for i := range w {
			d := float64(w[i]) - float64(g[i])
			diff += d * d
			norm += float64(w[i]) * float64(w[i])
		}
		diff, norm = math.Sqrt(diff), math.Sqrt(norm)
		assert.True(t, diff <= rel*norm || diff <= abs, "%s: |difference| %.3g, |value| %.3g", path, diff, norm)
	}
}

// dropoutFree is a one-layer BERT cross-encoder without dropout, so a
// training step is deterministic.
func dropoutFree(t *testing.T, seed int64) *model.Model {
	t.Helper()
	cfg := bertConfig(1, 16)
	cfg.Extra = map[string]json.RawMessage{"hidden_dropout_prob": json.RawMessage("0"), "attention_probs_dropout_prob": json.RawMessage("0")}
	m, err := model.FromScratch(cfg, model.CrossEncoder, seed)
	require.NoError(t, err)
	return m
}

// TestAccumulatedUpdateMatchesOnePass runs two updates on the same batch
// in one pass and in passes of MicroBatch rows (the last one padded when
// MicroBatch does not divide the batch): losses, gradient norms, weights and
// Adam moments agree to float32 rounding.
func TestAccumulatedUpdateMatchesOnePass(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rows, micro int
		bert        bool
	}{
		{"4 rows in passes of 2", 4, 2, false},
		{"3 rows in passes of 2, the last padded", 3, 2, false},
		{"4 rows in passes of 3, the last padded", 4, 3, false},
		{"4 rows one at a time", 4, 1, false},
		{"BERT: 4 rows in passes of 2", 4, 2, true},
		{"BERT: 3 rows in passes of 2, the last padded", 3, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newModel := func() Model {
				if tc.bert {
					return dropoutFree(t, 3)
				}
				return newBagModel(1, 0)
			}
			one, acc := newModel(), newModel()
			require.Equal(t, storeValues(one.Store()), storeValues(acc.Store()))

			cfg := DefaultConfig()
			cfg.BatchSize = 4
			indices := []int{0, 1, 2, 3}[:tc.rows]
			var b model.Batch
			var labels []float32
			var err error
			if tc.bert {
				// rows of different lengths: the passes pad to other buckets than the whole batch
				b, labels, err = fixedSet{n: 4, length: 40, seed: 1}.Batch(indices)
				require.NoError(t, err)
				for r := range b.Rows {
					for j := 10 + 10*r; j < b.Len; j++ {
						b.IDs[r*b.Len+j], b.Mask[r*b.Len+j], b.TypeIDs[r*b.Len+j] = 0, 0, 0
					}
				}
			} else {
				set := newToySet(8, 3)
				set.labels[1] = 1 // both classes in every pass
				b, labels, err = set.Batch(indices)
				require.NoError(t, err)
			}
			const posWeight = 2.5 // a loss whose rows weigh differently
			st, err := newStepper(testBackend(), one, cfg, posWeight)
			require.NoError(t, err)
			defer st.close()
			cfg.MicroBatch = tc.micro
			as, err := newAccumStepper(testBackend(), acc, cfg, posWeight)
			require.NoError(t, err)

			for step := 1; step <= 2; step++ {
				in, err := padInputs(b, labels, cfg.BatchSize)
				require.NoError(t, err)
				wantLoss, wantNorm, err := st.run(in, 1e-2, step)
				require.NoError(t, err)
				gotLoss, gotNorm, err := as.run(b, labels, cfg.BatchSize, 1e-2, step)
				require.NoError(t, err)
				assert.InEpsilon(t, wantLoss, gotLoss, 1e-5, "step %d: the loss of the whole batch", step)
				assert.InEpsilon(t, wantNorm, gotNorm, 1e-5, "step %d: the gradient norm", step)

				// The accumulators are zero again after every update.
				for v := range acc.Store().IterVariables() {
					if isAccumulator(v.Path()) {
						for _, x := range storeValues(acc.Store())[v.Path()] {
							require.Zero(t, x, "%s after step %d", v.Path(), step)
						}
					}
				}
				gotVars := storeValues(acc.Store())
				for path := range gotVars {
					if isAccumulator(path) {
						delete(gotVars, path)
					}
				}
				assertClose(t, storeValues(one.Store()), gotVars, 1e-5, 1e-6)
			}
			as.close()
			for v := range acc.Store().IterVariables() {
				assert.False(t, isAccumulator(v.Path()), "close drops %s", v.Path())
			}
		})
	}
}

// TestTrainWithMicroBatch trains the same run with and without
// accumulation: the curves and weights agree, checkpoints hold no
// accumulators, and a run checkpointed in one pass (as before MicroBatch
// existed) resumes with accumulation.
func TestTrainWithMicroBatch(t *testing.T) {
	set := newToySet(10, 2) // batches of 4, 4 and 2 rows
	configure := func(dir string, micro int) Config {
		cfg := toyConfig(dir)
		cfg.BatchSize, cfg.MicroBatch, cfg.Epochs = 4, micro, 2
		cfg.EvalEvery, cfg.CheckpointEvery = 2, 2
		return cfg
	}
	ref := newBagModel(1, 0)
	want, err := Train(context.Background(), testBackend(), ref, set, configure(t.TempDir(), 0), weightMetric(ref), nil)
	require.NoError(t, err)
	require.Equal(t, 6, want.Steps)
	wantVars := storeValues(ref.Store())

	checkRun := func(t *testing.T, got Result, m *bagModel) {
		t.Helper()
		require.Len(t, got.Curve, len(want.Curve))
		for i, w := range want.Curve {
			assert.InEpsilon(t, w.Loss, got.Curve[i].Loss, 1e-5, "loss at step %d", w.Step)
		}
		assert.Equal(t, want.BestStep, got.BestStep)
		assertClose(t, wantVars, storeValues(m.Store()), 1e-5, 1e-6)
	}

	for _, micro := range []int{1, 3} {
		t.Run(fmt.Sprint("micro-batch ", micro), func(t *testing.T) {
			dir := t.TempDir()
			m := newBagModel(1, 0)
			got, err := Train(context.Background(), testBackend(), m, set, configure(dir, micro), weightMetric(m), nil)
			require.NoError(t, err)
			checkRun(t, got, m)
			for _, folder := range []string{checkpointDir, bestDir} {
				data, err := os.ReadFile(filepath.Join(dir, folder, stateFile))
				require.NoError(t, err)
				assert.NotContains(t, string(data), accumulatorScope, "%s holds no accumulator", folder)
			}
		})
	}

	t.Run("a one-pass checkpoint resumes with accumulation", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		first := newBagModel(1, 0)
		part, err := Train(ctx, testBackend(), first, set, configure(dir, 0), weightMetric(first), func(e Event) {
			if e.Phase == PhaseTrain && e.Step == 3 {
				cancel()
			}
		})
		require.NoError(t, err)
		require.Equal(t, StoppedCancelled, part.Stopped)
		data, err := os.ReadFile(filepath.Join(dir, checkpointDir, stateFile))
		require.NoError(t, err)
		assert.Contains(t, string(data), optimizerScope+"/m/", "the checkpoint keeps the Adam moments")

		second := newBagModel(9, 0)
		got, err := Resume(context.Background(), testBackend(), second, set, configure(dir, 2), weightMetric(second), nil)
		require.NoError(t, err)
		assert.Equal(t, StoppedFinished, got.Stopped)
		checkRun(t, got, second)
	})
}

func TestMicroBatchConfig(t *testing.T) {
	cfg := toyConfig("")
	cfg.MicroBatch = -1
	_, err := Train(context.Background(), testBackend(), newBagModel(1, 0), newToySet(8, 1), cfg, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)

	for _, tc := range []struct {
		batch, micro int
		accumulates  bool
	}{{16, 0, false}, {16, 8, true}, {16, 15, true}, {16, 16, false}, {4, 8, false}, {2, 1, true}} {
		assert.Equal(t, tc.accumulates, Config{BatchSize: tc.batch, MicroBatch: tc.micro}.accumulates(), "batch %d micro %d", tc.batch, tc.micro)
	}

	// A micro-batch at least the batch is one pass: the same run as none.
	whole := newBagModel(1, 0)
	_, err = Train(context.Background(), testBackend(), whole, newToySet(16, 1), toyConfig(""), nil, nil)
	require.NoError(t, err)
	big := newBagModel(1, 0)
	cfg = toyConfig("")
	cfg.MicroBatch = cfg.BatchSize
	_, err = Train(context.Background(), testBackend(), big, newToySet(16, 1), cfg, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, storeValues(whole.Store()), storeValues(big.Store()))
}

func TestContrastiveRefusesMicroBatch(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.MicroBatch = 8, 4
	_, err := TrainContrastive(context.Background(), testBackend(), nil, nil, cfg, DefaultContrastive(), nil, nil)
	require.ErrorIs(t, err, ErrConfig)
	assert.ErrorContains(t, err, "in-batch negatives")
	cfg.Dir = t.TempDir()
	_, err = ResumeContrastive(context.Background(), testBackend(), nil, nil, cfg, DefaultContrastive(), nil, nil)
	assert.ErrorContains(t, err, "in-batch negatives")
}

func TestRowsOf(t *testing.T) {
	// Three rows of Len 6 with 2, 5 and 3 tokens.
	b := model.Batch{Rows: 3, Len: 6,
		IDs:     []int32{1, 2, 0, 0, 0, 0, 3, 4, 5, 6, 7, 0, 8, 9, 10, 0, 0, 0},
		TypeIDs: []int32{0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0},
		Mask:    []int32{1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0},
	}
	for _, tc := range []struct {
		from, to int
		want     model.Batch
	}{
		{0, 1, model.Batch{Rows: 1, Len: 2, IDs: []int32{1, 2}, TypeIDs: []int32{0, 1}, Mask: []int32{1, 1}}},
		{1, 3, model.Batch{Rows: 2, Len: 5, IDs: []int32{3, 4, 5, 6, 7, 8, 9, 10, 0, 0}, TypeIDs: []int32{0, 0, 1, 1, 1, 0, 1, 1, 0, 0}, Mask: []int32{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}}},
		{2, 3, model.Batch{Rows: 1, Len: 3, IDs: []int32{8, 9, 10}, TypeIDs: []int32{0, 1, 1}, Mask: []int32{1, 1, 1}}},
	} {
		assert.Equal(t, tc.want, rowsOf(b, tc.from, tc.to), "rows %d to %d", tc.from, tc.to)
	}
}
