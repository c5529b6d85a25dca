package rerank

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
)

func TestInferencePrecision(t *testing.T) {
	fast := backend.Info{Name: "xla:cpu", FastBF16: true, BF16Note: "the CPU has AVX512-BF16"}
	slow := backend.Info{Name: "xla:cpu", BF16Note: "the CPU has no bfloat16 instructions: float32"}
	for _, tc := range []struct {
		name, setting string
		info          backend.Info
		want          model.Precision
		note          string
		err           bool
	}{
		{"auto where bf16 is fast", "", fast, model.BF16, "bf16 (auto: the CPU has AVX512-BF16)", false},
		{"auto spelled out", "auto", fast, model.BF16, "bf16 (auto", false},
		{"auto where it is not", "", slow, model.F32, "f32 (auto: the CPU has no bfloat16", false},
		{"auto, backend says nothing", "auto", backend.Info{Name: "go"}, model.F32, "not measured", false},
		{"forced f32", "f32", fast, model.F32, "f32 (chosen)", false},
		{"forced bf16", "BF16", slow, model.BF16, "bf16 (chosen)", false},
		{"unknown", "int8", fast, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, note, err := InferencePrecision(tc.setting, tc.info)
			if tc.err {
				assert.ErrorContains(t, err, "auto")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Contains(t, note, tc.note)
		})
	}
}
