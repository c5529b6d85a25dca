package backend

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, env, wantName, wantErr string
	}{
		{name: "go", wantName: "go"},
		{name: "", env: "go:ops_sequential", wantName: "go:ops_sequential"},
		{name: "go:parallelism=1", env: "go:ops_sequential", wantName: "go:parallelism=1"},
		{name: "tpu", wantErr: `unknown backend "tpu"`},
		{name: "go:warp_drive", wantErr: `unknown configuration option "warp_drive"`},
	} {
		t.Run(tc.name+"|"+tc.env, func(t *testing.T) {
			t.Setenv(EnvVar, tc.env)
			b, info, err := New(tc.name)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantName, info.Name)
			assert.NotEmpty(t, info.Description)
			again, _, err := New(tc.wantName)
			require.NoError(t, err)
			assert.Same(t, b, again, "one instance per name, so tensors can be shared")
		})
	}
}

// Without any PJRT plugin, auto falls back to pure Go and says why.
func TestAutoFallsBackToGo(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(platform.PJRTDirEnv, empty)
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	t.Setenv(platform.HomeEnv, empty)
	t.Chdir(empty)
	e, err := openAuto()
	require.NoError(t, err)
	assert.Equal(t, "auto → go", e.info.Name)
	assert.False(t, e.info.Accelerated)
	assert.NotEmpty(t, e.info.Note)
	_, err = open("xla:cpu")
	require.Error(t, err)
	if newXLA != nil {
		assert.ErrorContains(t, err, "no PJRT cpu plugin found")
	} else {
		assert.ErrorContains(t, err, "not linked")
	}
}
