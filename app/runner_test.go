package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/train"
)

// Records stored before the runner (RunCore, RunOptions) existed, written
// by the flat RunRecord and BiEncoderRun of that time: every field set,
// then every field zero.
const (
	oldRunRecord     = `{"id":"run-20260304-050607","created":"2026-03-04T05:06:07Z","updated":"2026-03-04T05:07:07Z","status":"finished","error":"boom","options":{"model":"all-MiniLM-L6-v2","from_scratch":true,"scratch_layers":2,"scratch_hidden":128,"keep_layers":2,"max_len":128,"lr":0.0001,"epochs":2,"batch_size":16,"max_steps":400,"eval_every":100,"patience":2,"checkpoint_every":50,"pos_weight":1.5,"seed":42,"val_queries":60,"val_depth":40,"backend":"xla:cpu","precision":"bf16","resume":"last","pair_format":"structured","max_memory_mb":4096,"warm_start":3,"plain_share":0.25},"start_model":"/models/all-MiniLM-L6-v2","backend":"XLA cpu","fingerprint":"abc123","examples":900,"positives":100,"negatives":800,"steps":400,"total_steps":400,"best_step":300,"best_val_mrr@10":0.61,"start_val_mrr@10":0.32,"dir":"/p/runs/run-1","model_dir":"/p/runs/run-1/model","seconds":123.5,"stale":"re-mined","validation_end":"2026-04-04T05:06:07Z","warm_start":{"steps":3,"done":3,"teacher":"t","queries":4,"pairs":30,"last_loss":0.5,"val_mrr@10":0.4,"teacher_seconds":1,"seconds":2,"finished":true}}`
	oldBiEncoderRun  = `{"id":"bi-20260304-050607","created":"2026-03-04T05:06:07Z","updated":"2026-03-04T05:07:07Z","status":"early-stopped","error":"x","options":{"model":"bert-tiny","keep_layers":1,"max_len":32,"lr":0.001,"epochs":2,"batch_size":8,"max_steps":4,"eval_every":2,"patience":3,"checkpoint_every":50,"seed":7,"scale":20,"negatives":-1,"one_way":true,"val_queries":6,"val_depth":5,"backend":"go","resume":"bi-1"},"start_model":"/m/bert-tiny","backend":"Go","fingerprint":"fff","examples":50,"queries":20,"negatives":70,"steps":4,"total_steps":4,"best_step":2,"best_val_mrr@10":0.5,"start_val_mrr@10":0.4,"dir":"/p/runs/bi-1","kept_start":true,"model_dir":"/p/runs/bi-1/model","seconds":9.25}`
	oldZeroRun       = `{"id":"run-1","created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z","status":"running","options":{"model":"","from_scratch":false,"scratch_layers":0,"scratch_hidden":0,"keep_layers":0,"max_len":0,"lr":0,"epochs":0,"batch_size":0,"max_steps":0,"eval_every":0,"patience":0,"checkpoint_every":0,"pos_weight":0,"seed":0,"val_queries":0,"val_depth":0,"max_memory_mb":0,"plain_share":0},"start_model":"","backend":"","fingerprint":"","examples":0,"positives":0,"negatives":0,"steps":0,"total_steps":0,"best_step":0,"best_val_mrr@10":0,"start_val_mrr@10":0,"dir":"","seconds":0}`
	oldZeroBiEncoder = `{"id":"bi-1","created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z","status":"running","options":{"model":"","keep_layers":0,"max_len":0,"lr":0,"epochs":0,"batch_size":0,"max_steps":0,"eval_every":0,"patience":0,"checkpoint_every":0,"seed":0,"scale":0,"negatives":0,"one_way":false,"val_queries":0,"val_depth":0},"start_model":"","backend":"","fingerprint":"","examples":0,"queries":0,"negatives":0,"steps":0,"total_steps":0,"best_step":0,"best_val_mrr@10":0,"start_val_mrr@10":0,"dir":"","kept_start":false,"seconds":0}`
)

// A stored record decodes into the embedding types, field for field, and
// encodes back to the same JSON object: the same keys and values (only the
// keys' order follows the embedding).
func TestRunRecordsKeepTheirJSON(t *testing.T) {
	for _, tc := range []struct {
		name, old string
		decoded   func(t *testing.T) any
	}{
		{"cross-encoder run", oldRunRecord, func(t *testing.T) any {
			var r RunRecord
			require.NoError(t, json.Unmarshal([]byte(oldRunRecord), &r))
			assert.Equal(t, "run-20260304-050607", r.ID)
			assert.Equal(t, time.Date(2026, 3, 4, 5, 7, 7, 0, time.UTC), r.Updated)
			assert.Equal(t, train.StoppedFinished, r.Status)
			assert.Equal(t, "XLA cpu", r.Backend)
			assert.Equal(t, 0.61, r.BestMRR)
			assert.Equal(t, "/p/runs/run-1/model", r.ModelDir)
			assert.Equal(t, 800, r.Negatives)
			assert.Equal(t, 128, r.Options.MaxLen)
			assert.Equal(t, "xla:cpu", r.Options.Backend)
			assert.Equal(t, "last", r.Options.Resume)
			assert.Equal(t, 0.25, r.Options.PlainShare)
			require.NotNil(t, r.WarmStart)
			assert.True(t, r.WarmStart.Finished)
			return r
		}},
		{"bi-encoder run", oldBiEncoderRun, func(t *testing.T) any {
			var r BiEncoderRun
			require.NoError(t, json.Unmarshal([]byte(oldBiEncoderRun), &r))
			assert.Equal(t, "bi-20260304-050607", r.ID)
			assert.Equal(t, train.StoppedEarly, r.Status)
			assert.Equal(t, 50, r.Examples)
			assert.Equal(t, 70, r.Negatives)
			assert.True(t, r.KeptStart)
			assert.Equal(t, 32, r.Options.MaxLen)
			assert.Equal(t, -1, r.Options.Negatives)
			assert.Equal(t, "bi-1", r.Options.Resume)
			return r
		}},
		{"cross-encoder run, zero", oldZeroRun, func(t *testing.T) any {
			var r RunRecord
			require.NoError(t, json.Unmarshal([]byte(oldZeroRun), &r))
			assert.Equal(t, RunRecord{RunCore: RunCore{ID: "run-1", Status: runRunning}}, r)
			return r
		}},
		{"bi-encoder run, zero", oldZeroBiEncoder, func(t *testing.T) any {
			var r BiEncoderRun
			require.NoError(t, json.Unmarshal([]byte(oldZeroBiEncoder), &r))
			assert.Equal(t, BiEncoderRun{RunCore: RunCore{ID: "bi-1", Status: runRunning}}, r)
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			again, err := json.Marshal(tc.decoded(t))
			require.NoError(t, err)
			var want, got map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.old), &want))
			require.NoError(t, json.Unmarshal(again, &got))
			assert.Equal(t, want, got)
		})
	}
}

func TestRunResumable(t *testing.T) {
	for _, tc := range []struct {
		status string
		ok     bool
	}{
		{runRunning, true}, {runFailed, true}, {train.StoppedCancelled, true},
		{train.StoppedFinished, false}, {train.StoppedEarly, false},
	} {
		err := biEncoderRuns.resumable(RunCore{ID: "bi-1", Status: tc.status})
		if tc.ok {
			assert.NoError(t, err, tc.status)
			continue
		}
		assert.EqualError(t, err, "bi-encoder run bi-1 already "+tc.status+"; start a new run")
	}
}

func TestStepsAndConfig(t *testing.T) {
	o := DefaultTrainOptions().RunOptions
	assert.Equal(t, 7, stepsFor(100, o), "ceil(100/16) steps in one epoch")
	o.Epochs = 3
	assert.Equal(t, 21, stepsFor(100, o))
	o.MaxSteps = 5
	assert.Equal(t, 5, stepsFor(100, o))
	assert.Equal(t, 5, trainConfig(o, 21, "dir").EvalEvery, "4 validations per run")
	assert.Equal(t, 1, trainConfig(o, 2, "dir").EvalEvery, "at least every step")
	o.EvalEvery = 3
	want := train.DefaultConfig()
	want.LR, want.BatchSize, want.Epochs, want.MaxSteps, want.Seed = o.LR, 16, 3, 5, 42
	want.EvalEvery, want.Patience, want.CheckpointEvery, want.Dir = 3, 3, 50, "dir"
	assert.Equal(t, want, trainConfig(o, 21, "dir"))
}

// tinyModel is a two-layer encoder too small to train anything, for the
// runner's out-of-memory advice.
func tinyModel(t *testing.T) *model.Model {
	m, err := model.FromScratch(hf.Config{ModelType: "bert", VocabSize: 50, HiddenSize: 16, NumHiddenLayers: 2, NumAttentionHeads: 2,
		IntermediateSize: 32, HiddenAct: "gelu", MaxPositionEmbeddings: 64, TypeVocabSize: 2, LayerNormEps: 1e-12}, model.CrossEncoder, 1)
	require.NoError(t, err)
	return m
}

// The runner's status transitions, records and errors, with a trainee
// that trains nothing.
func TestRunnerEnds(t *testing.T) {
	oom := errors.New("RESOURCE_EXHAUSTED: out of memory while allocating")
	for _, tc := range []struct {
		name       string
		kind       runKind
		res        train.Result
		err        error
		wantStatus string
		wantErr    string // "" = none
		saved      bool   // the trainee saved its model
	}{
		{"finished", crossEncoderRuns, train.Result{Steps: 8, BestStep: 4, BestMetric: 0.5, Stopped: train.StoppedFinished}, nil,
			train.StoppedFinished, "", true},
		{"early-stopped", biEncoderRuns, train.Result{Steps: 6, BestStep: 2, BestMetric: 0.4, Stopped: train.StoppedEarly}, nil,
			train.StoppedEarly, "", true},
		{"stopped at a checkpoint when cancelled", crossEncoderRuns, train.Result{Steps: 2, Stopped: train.StoppedCancelled}, nil,
			train.StoppedCancelled, "train run-1: context canceled", false},
		{"cancelled with an error", biEncoderRuns, train.Result{Steps: 2}, fmt.Errorf("step: %w", context.Canceled),
			train.StoppedCancelled, "train bi-encoder run-1: step: context canceled", false},
		{"failed", crossEncoderRuns, train.Result{Steps: 1}, errors.New("boom"), runFailed, "train run-1: boom", false},
		{"out of memory, with advice, for either model", biEncoderRuns, train.Result{}, oom, runFailed, "out of memory training at batch 16", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := RunCore{ID: "run-1", Examples: 100, Dir: t.TempDir()}
			var stored []RunCore
			var events []Event
			rn := &runner{kind: tc.kind, rec: &rec, store: func() error { stored = append(stored, rec); return nil },
				start: time.Now(), progress: func(e Event) { events = append(events, e) }}
			saved := false
			var cfg train.Config
			curve, recorded, err := rn.run(context.Background(), DefaultTrainOptions().RunOptions, trainee{
				model:     tinyModel(t),
				posWeight: 2,
				validate:  func(context.Context) (float64, error) { return 0.25, nil },
				fit: func(_ context.Context, c train.Config, _ train.Validate, onEvent func(train.Event)) (train.Result, error) {
					cfg = c
					onEvent(train.Event{Phase: train.PhaseCheckpoint, Step: 1, Best: 0.3})
					return tc.res, tc.err
				},
				save: func(train.Result) error { saved = true; rec.ModelDir = rec.Dir + "/model"; return nil },
			})
			assert.True(t, recorded)
			assert.Nil(t, curve)
			require.NotEmpty(t, stored)
			assert.Equal(t, runRunning, stored[0].Status, "saved as running before the first step")
			assert.Equal(t, 1, stored[1].Steps, "kept up to date at each checkpoint")
			end := stored[len(stored)-1]
			assert.Equal(t, rec, end, "the record's end is stored")
			assert.Equal(t, tc.wantStatus, rec.Status)
			assert.Equal(t, 0.25, rec.StartMRR)
			assert.Equal(t, 7, rec.TotalSteps)
			assert.Equal(t, tc.res.Steps, rec.Steps)
			assert.Equal(t, tc.res.BestMetric, rec.BestMRR)
			assert.Equal(t, 2.0, cfg.PosWeight)
			assert.Equal(t, 1, cfg.EvalEvery, "4 per run of 7 steps")
			assert.Equal(t, tc.saved, saved)
			assert.Equal(t, tc.kind.step, events[0].Step)
			last := events[len(events)-1]
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Empty(t, rec.Error)
				assert.NotEmpty(t, rec.ModelDir)
				assert.Equal(t, Event{Step: tc.kind.step, Phase: "done", Done: int64(rec.Steps), Total: 7, Final: true,
					Values: map[string]float64{"best_val_mrr@10": rec.BestMRR}}, last)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotEqual(t, "done", last.Phase)
			assert.Empty(t, rec.ModelDir)
			if tc.wantStatus == train.StoppedCancelled {
				assert.ErrorIs(t, err, context.Canceled)
			}
			if tc.err != nil {
				assert.Equal(t, strings.TrimPrefix(err.Error(), tc.kind.verb+" run-1: "), rec.Error)
			}
			if tc.err == oom {
				var advice *backend.OutOfMemoryError
				assert.ErrorAs(t, err, &advice)
				assert.ErrorIs(t, err, oom)
			}
		})
	}
}

// A resumed run validates nothing before its next step and refuses data
// that changed; a start that cannot be validated leaves no record.
func TestRunnerResumeAndStart(t *testing.T) {
	rec := RunCore{ID: "run-1", Fingerprint: "before", StartMRR: 0.2, Examples: 10}
	var stored []RunCore
	rn := &runner{kind: crossEncoderRuns, rec: &rec, store: func() error { stored = append(stored, rec); return nil }, resume: true, start: time.Now()}
	assert.EqualError(t, rn.trainsOn("after"), "run run-1: the training data changed since it started (mining, negatives or reviews); start a new run")
	require.NoError(t, rn.trainsOn("before"))
	m := tinyModel(t)
	assert.NoError(t, rn.fits(m, 1000), "a resumed run keeps the length it started with")
	_, recorded, err := rn.run(context.Background(), DefaultTrainOptions().RunOptions, trainee{model: m,
		validate: func(context.Context) (float64, error) {
			t.Fatal("a resumed run does not validate its start")
			return 0, nil
		},
		fit: func(context.Context, train.Config, train.Validate, func(train.Event)) (train.Result, error) {
			return train.Result{Steps: 1, BestStep: 1, BestMetric: 0.3, Stopped: train.StoppedFinished}, nil
		},
		save: func(train.Result) error { return nil }})
	require.NoError(t, err)
	assert.True(t, recorded)
	assert.Equal(t, 0.2, rec.StartMRR)

	fresh := RunCore{ID: "run-2", Examples: 10}
	stored = nil
	rn = &runner{kind: crossEncoderRuns, rec: &fresh, store: func() error { stored = append(stored, fresh); return nil }, start: time.Now()}
	var oe *OptionError
	require.ErrorAs(t, rn.fits(m, 65), &oe)
	assert.Equal(t, "max length (--max-len) 65: want at most 64 tokens, the starting model's positions", oe.Error())
	require.NoError(t, rn.trainsOn("any"))
	assert.Equal(t, "any", fresh.Fingerprint)
	_, recorded, err = rn.run(context.Background(), DefaultTrainOptions().RunOptions, trainee{model: m,
		validate: func(context.Context) (float64, error) { return 0, errors.New("no validation queries") }})
	assert.EqualError(t, err, "no validation queries")
	assert.False(t, recorded)
	assert.Empty(t, stored, "nothing stored before the run starts")
}
