package app

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			assert.Equal(t, RunRecord{RunCore: RunCore{ID: "run-1", Status: "running"}}, r)
			return r
		}},
		{"bi-encoder run, zero", oldZeroBiEncoder, func(t *testing.T) any {
			var r BiEncoderRun
			require.NoError(t, json.Unmarshal([]byte(oldZeroBiEncoder), &r))
			assert.Equal(t, BiEncoderRun{RunCore: RunCore{ID: "bi-1", Status: "running"}}, r)
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
