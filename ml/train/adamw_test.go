package train

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecays(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/encoder/layer/0/attention/self/query/weight", true},
		{"/embeddings/word_embeddings/weight", true},
		{"/classifier/out_proj/weight", true},
		{"/encoder/layer/0/attention/self/query/bias", false},
		{"/encoder/layer/0/output/LayerNorm/weight", false},
		{"/embeddings/layernorm/weight", false},
		{"/final_norm/scale", false},
		{"/classifier/bias", false},
	} {
		assert.Equal(t, tc.want, decays(tc.path), tc.path)
	}
}

// adamWOneStep runs one AdamW update of a linear loss Σ c·p over three
// variables (a weight, a bias and a LayerNorm weight) and returns the
// store and the reported gradient norm.
func adamWOneStep(t *testing.T, cfg Config, lr float64, coef map[string][]float32) (*gmodel.Store, float64) {
	t.Helper()
	store := gmodel.NewStore()
	init := map[string][]float32{
		"/dense/weight":     {1, -2},
		"/dense/bias":       {0.5, 0.5},
		"/LayerNorm/weight": {3},
	}
	for _, p := range []string{"/dense/weight", "/dense/bias", "/LayerNorm/weight"} {
		_, err := store.CreateVariable(p, tensors.FromFlatDataAndDimensions(init[p], len(init[p])))
		require.NoError(t, err)
	}
	exec, err := gmodel.NewExec(testBackend(), store, func(scope *gmodel.Scope, lrN, stepN *Node) *Node {
		g := lrN.Graph()
		loss := ScalarZero(g, dtypes.Float32)
		for p, c := range coef {
			v := scope.Store().GetVariable(p).NodeValue(g)
			loss = Add(loss, ReduceAllSum(Mul(v, Const(g, c))))
		}
		return adamWUpdate(scope.Store(), loss, lrN, stepN, cfg)
	})
	require.NoError(t, err)
	norm, err := exec.Call1(tensors.FromScalar(float32(lr)), tensors.FromScalar(float32(1)))
	require.NoError(t, err)
	return store, float64(tensors.ToScalar[float32](norm))
}

func value(t *testing.T, store *gmodel.Store, path string) []float32 {
	t.Helper()
	v := store.GetVariable(path)
	require.NotNil(t, v, path)
	return tensors.MustCopyFlatData[float32](v.MustValue())
}

func TestAdamWDecayExcludesBiasAndLayerNorm(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WeightDecay = 0.5
	cfg.ClipNorm = 0
	const lr = 0.1
	// The first Adam step moves each coordinate by lr·sign(grad).
	store, _ := adamWOneStep(t, cfg, lr, map[string][]float32{
		"/dense/weight":     {2, -1},
		"/dense/bias":       {-3, 1},
		"/LayerNorm/weight": {4},
	})
	// weight: p − lr·sign(g) − lr·wd·p
	assert.InDeltaSlice(t, []float32{1 - 0.1 - 0.1*0.5*1, -2 + 0.1 - 0.1*0.5*-2}, value(t, store, "/dense/weight"), 1e-5)
	// bias and LayerNorm weight: no decay
	assert.InDeltaSlice(t, []float32{0.5 + 0.1, 0.5 - 0.1}, value(t, store, "/dense/bias"), 1e-5)
	assert.InDeltaSlice(t, []float32{3 - 0.1}, value(t, store, "/LayerNorm/weight"), 1e-5)
}

func TestAdamWClipping(t *testing.T) {
	coef := map[string][]float32{
		"/dense/weight":     {3, 0},
		"/dense/bias":       {0, 4},
		"/LayerNorm/weight": {0},
	} // global gradient norm 5
	tests := []struct {
		name  string
		clip  float64
		scale float32
	}{
		{"clipped to 1", 1, 1 / 5.0},
		{"clip above norm leaves it", 10, 1},
		{"clipping off", 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ClipNorm = tc.clip
			store, norm := adamWOneStep(t, cfg, 0.01, coef)
			assert.InDelta(t, 5, norm, 1e-5, "reported norm is before clipping")
			// First moment after one step: (1−β1)·clipped gradient.
			assert.InDeltaSlice(t, []float32{0.1 * 3 * tc.scale, 0}, value(t, store, "/adamw/m/dense/weight"), 1e-6)
			assert.InDeltaSlice(t, []float32{0, 0.1 * 4 * tc.scale}, value(t, store, "/adamw/m/dense/bias"), 1e-6)
			// Second moment: (1−β2)·clipped gradient².
			assert.InDeltaSlice(t, []float32{0.001 * 9 * tc.scale * tc.scale, 0}, value(t, store, "/adamw/v/dense/weight"), 1e-6) // 1−β2 in float32 is 0.00099999
			assert.False(t, store.GetVariable("/adamw/m/dense/weight").Trainable)
		})
	}
}
