package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toyConfig trains the stand-in quickly: 40 examples, batches of 8, 3 epochs = 15 steps.
func toyConfig(dir string) Config {
	cfg := DefaultConfig()
	cfg.LR = 0.05
	cfg.BatchSize = 8
	cfg.Epochs = 3
	cfg.Seed = 5
	cfg.Patience = 0
	cfg.Dir = dir
	return cfg
}

// weightMetric is a validation that depends only on the weights, so two
// runs with equal weights see equal metrics.
func weightMetric(m *bagModel) Validate {
	return func(context.Context) (float64, error) {
		var s float64
		for _, x := range storeValues(m.Store())["/classifier/weight"] {
			s += float64(x)
		}
		return s, nil
	}
}

func TestTrainLossDecreasesOnSeparableProblem(t *testing.T) {
	set := newToySet(64, 3)
	m := newBagModel(1, 0)
	cfg := toyConfig("")
	cfg.Epochs = 8
	var events []Event
	res, err := Train(context.Background(), testBackend(), m, set, cfg, nil, func(e Event) { events = append(events, e) })
	require.NoError(t, err)
	assert.Equal(t, StoppedFinished, res.Stopped)
	assert.Equal(t, 64, res.Steps)
	require.Len(t, res.Curve, 64)
	mean := func(points []Point) float64 {
		var s float64
		for _, p := range points {
			s += p.Loss
		}
		return s / float64(len(points))
	}
	first, last := mean(res.Curve[:8]), mean(res.Curve[56:])
	assert.Less(t, last, first/3, "loss falls from %.3f to %.3f", first, last)
	assert.InDelta(t, 0, res.Curve[63].LR, cfg.LR/10, "learning rate decays towards 0")
	require.NotEmpty(t, events)
	assert.Equal(t, PhaseDone, events[len(events)-1].Phase)
	assert.Equal(t, 64, events[len(events)-2].Step)
	assert.Equal(t, 64, events[0].TotalSteps)
}

func TestTrainWithoutOptionalInterfaces(t *testing.T) {
	res, err := Train(context.Background(), testBackend(), newBagModel(1, 0.1), plainSet{newToySet(20, 4)}, toyConfig(""), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 9, res.Steps, "3 batches (8, 8, 4 rows) × 3 epochs")
}

func TestEarlyStopping(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  bool
	}{{"in memory", false}, {"run folder", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := ""
			if tc.dir {
				dir = t.TempDir()
			}
			m := newBagModel(1, 0)
			cfg := toyConfig(dir)
			cfg.EvalEvery = 2
			cfg.Patience = 2
			metrics := []float64{0.5, 0.7, 0.6, 0.65, 0.9}
			var calls int
			var atBest map[string][]float32
			validate := func(context.Context) (float64, error) {
				v := metrics[calls]
				if calls == 1 {
					atBest = storeValues(m.Store())
				}
				calls++
				return v, nil
			}
			res, err := Train(context.Background(), testBackend(), m, newToySet(40, 1), cfg, validate, nil)
			require.NoError(t, err)
			assert.Equal(t, StoppedEarly, res.Stopped)
			assert.Equal(t, 8, res.Steps, "evaluations at steps 2, 4, 6, 8; two without improvement after step 4")
			assert.Equal(t, 4, res.BestStep)
			assert.Equal(t, 0.7, res.BestMetric)
			assert.Equal(t, 4, calls)
			final := storeValues(m.Store())
			for _, p := range []string{"/classifier/weight", "/classifier/bias", "/embeddings/word_embeddings/weight"} {
				assert.Equal(t, atBest[p], final[p], "best weights restored: %s", p)
			}
			var vals []float64
			for _, p := range res.Curve {
				if p.Val != nil {
					vals = append(vals, *p.Val)
				}
			}
			assert.Equal(t, metrics[:4], vals)
			if !tc.dir {
				assert.Empty(t, res.BestDir)
				return
			}
			assert.Equal(t, filepath.Join(dir, "best"), res.BestDir)
			assert.FileExists(t, filepath.Join(dir, "best", stateFile))
			assert.FileExists(t, filepath.Join(dir, "checkpoint", varsFile))
			onDisk, err := ReadCurve(dir)
			require.NoError(t, err)
			assert.Equal(t, res.Curve, onDisk)

			// Resuming a finished run trains no further.
			again, err := Resume(context.Background(), testBackend(), newBagModel(9, 0), newToySet(40, 1), cfg, validate, nil)
			require.NoError(t, err)
			assert.Equal(t, StoppedEarly, again.Stopped)
			assert.Equal(t, 8, again.Steps)
			assert.Equal(t, 4, calls)
		})
	}
}

func TestCancelAndResumeMatchesUninterruptedRun(t *testing.T) {
	for _, tc := range []struct {
		name            string
		cancelAfterStep int
		inValidate      bool
	}{
		{"cancel between steps", 5, false},
		{"cancel during validation", 6, true},
		{"cancel right after a checkpoint", 8, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := newToySet(40, 1)
			configure := func(dir string) Config {
				cfg := toyConfig(dir)
				cfg.EvalEvery = 3
				cfg.CheckpointEvery = 4
				return cfg
			}

			ref := newBagModel(1, 0.2)
			want, err := Train(context.Background(), testBackend(), ref, set, configure(t.TempDir()), weightMetric(ref), nil)
			require.NoError(t, err)
			require.Equal(t, 15, want.Steps)

			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first := newBagModel(1, 0.2)
			lastStep := 0
			validate := func(vctx context.Context) (float64, error) {
				if tc.inValidate && lastStep == tc.cancelAfterStep {
					cancel()
					return 0, vctx.Err()
				}
				return weightMetric(first)(vctx)
			}
			onEvent := func(e Event) {
				lastStep = e.Step
				if !tc.inValidate && e.Phase == PhaseTrain && e.Step == tc.cancelAfterStep {
					cancel()
				}
			}
			part, err := Train(ctx, testBackend(), first, set, configure(dir), validate, onEvent)
			require.NoError(t, err)
			assert.Equal(t, StoppedCancelled, part.Stopped)
			assert.Equal(t, tc.cancelAfterStep, part.Steps)

			// A fresh process: new model object with different initial weights.
			second := newBagModel(99, 0.2)
			got, err := Resume(context.Background(), testBackend(), second, set, configure(dir), weightMetric(second), nil)
			require.NoError(t, err)

			assert.Equal(t, StoppedFinished, got.Stopped)
			assert.Equal(t, want.Steps, got.Steps)
			assert.Equal(t, want.BestStep, got.BestStep)
			assert.Equal(t, want.BestMetric, got.BestMetric)
			require.Len(t, got.Curve, len(want.Curve))
			for i := range want.Curve {
				w, g := want.Curve[i], got.Curve[i]
				assert.Equal(t, w.Step, g.Step)
				assert.Equal(t, w.Loss, g.Loss, "loss at step %d", w.Step)
				assert.Equal(t, w.LR, g.LR, "lr at step %d", w.Step)
				assert.Equal(t, w.Val, g.Val, "validation at step %d", w.Step)
			}
			assert.Equal(t, storeValues(ref.Store()), storeValues(second.Store()), "weights and Adam moments")
			onDisk, err := ReadCurve(dir)
			require.NoError(t, err)
			assert.Len(t, onDisk, 15)
		})
	}
}

func TestRunFolderGuards(t *testing.T) {
	dir := t.TempDir()
	set := newToySet(16, 1)
	cfg := toyConfig(dir)
	cfg.Epochs = 1

	_, err := Resume(context.Background(), testBackend(), newBagModel(1, 0), set, cfg, nil, nil)
	assert.ErrorIs(t, err, ErrNoCheckpoint)

	_, err = Train(context.Background(), testBackend(), newBagModel(1, 0), set, cfg, nil, nil)
	require.NoError(t, err)
	_, err = Train(context.Background(), testBackend(), newBagModel(1, 0), set, cfg, nil, nil)
	assert.ErrorIs(t, err, ErrRunExists)

	changed := cfg
	changed.LR *= 2
	_, err = Resume(context.Background(), testBackend(), newBagModel(1, 0), set, changed, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = Resume(context.Background(), testBackend(), newBagModel(1, 0), newToySet(17, 1), cfg, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)
}

func TestTrainReportsBadInput(t *testing.T) {
	cfg := toyConfig("")
	cfg.BatchSize = 0
	_, err := Train(context.Background(), testBackend(), newBagModel(1, 0), newToySet(8, 1), cfg, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)

	failing := func(context.Context) (float64, error) { return 0, errors.New("reranker broke") }
	_, err = Train(context.Background(), testBackend(), newBagModel(1, 0), newToySet(8, 1), toyConfig(""), failing, nil)
	assert.ErrorContains(t, err, "reranker broke")

	bad := newToySet(8, 1)
	bad.labels[3] = 2
	_, err = Train(context.Background(), testBackend(), newBagModel(1, 0), bad, toyConfig(""), nil, nil)
	assert.ErrorContains(t, err, "outside [0, 1]")
}

func TestReadCurveSkipsTornLastLine(t *testing.T) {
	dir := t.TempDir()
	data := `{"step":1,"epoch":0,"loss":0.7,"lr":0.1,"examples_per_sec":5}
{"step":2,"epoch":0,"loss":0.6,"lr":0.1,"examples_per_sec":5,"val":0.25}
{"step":3,"ep`
	require.NoError(t, os.WriteFile(filepath.Join(dir, curveFile), []byte(data), 0o644))
	points, err := ReadCurve(dir)
	require.NoError(t, err)
	require.Len(t, points, 2)
	require.NotNil(t, points[1].Val)
	assert.Equal(t, 0.25, *points[1].Val)
}

func TestTrainTwiceStartsWithFreshOptimizer(t *testing.T) {
	set := newToySet(24, 2)
	cfg := toyConfig("")
	cfg.MaxSteps = 3
	used := newBagModel(1, 0.1)
	_, err := Train(context.Background(), testBackend(), used, set, cfg, nil, nil)
	require.NoError(t, err)

	// A fresh model with the same weights but no optimizer history.
	fresh := newBagModel(2, 0.1)
	for path, data := range storeValues(used.Store()) {
		if v := fresh.Store().GetVariable(path); v != nil {
			require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(data, v.Shape().Dimensions...)))
		}
	}
	cfg.MaxSteps = 2
	_, err = Train(context.Background(), testBackend(), used, set, cfg, nil, nil)
	require.NoError(t, err)
	_, err = Train(context.Background(), testBackend(), fresh, set, cfg, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, storeValues(fresh.Store()), storeValues(used.Store()))
}
