package backend

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/platform"
)

// TestRuntimeBackend: an empty name opens the runtime's choice, read from
// the environment when the runtime is built; each runtime opens one
// instance per name.
func TestRuntimeBackend(t *testing.T) {
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
			r := NewRuntime(Config{})
			b, info, err := r.Backend(tc.name)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantName, info.Name)
			assert.NotEmpty(t, info.Description)
			again, _, err := r.Backend(tc.wantName)
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
	r := NewRuntime(Config{})
	e, err := r.openAuto()
	require.NoError(t, err)
	assert.Equal(t, "auto → go", e.info.Name)
	assert.False(t, e.info.Accelerated)
	assert.NotEmpty(t, e.info.Note)
	assert.Contains(t, e.info.Note, "ONNX Runtime", "says why the ONNX Runtime fallback was not taken")
	_, err = r.open("xla:cpu")
	require.Error(t, err)
	if newXLA != nil {
		assert.ErrorContains(t, err, "no PJRT cpu plugin found")
	} else {
		assert.ErrorContains(t, err, "not linked")
	}
}

// A .dylib plugin is checked as Mach-O before it is loaded, so a corrupt
// or wrong-arch Metal plugin is refused with what is wrong with the file.
func TestXLAChecksDylibBeforeLoading(t *testing.T) {
	if newXLA == nil {
		t.Skip("XLA not linked into this build")
	}
	bad := filepath.Join(t.TempDir(), "pjrt_c_api_metal_plugin.dylib")
	require.NoError(t, os.WriteFile(bad, []byte("<html>404</html>"), 0o644))
	_, err := NewRuntime(Config{}).open("xla:" + bad)
	require.Error(t, err)
	assert.ErrorIs(t, err, platform.ErrBadPlugin)
	assert.ErrorContains(t, err, bad)
	assert.ErrorContains(t, err, "not a Mach-O library")
}

func TestAutoReason(t *testing.T) {
	for _, tc := range []struct {
		plugin  string
		skipped []string
		want    string
	}{
		{"metal", nil, "auto: the Apple GPU through the XLA Metal plugin (jax-metal)"},
		{"cpu", []string{`backend "xla:cuda": no GPU`}, `auto: the XLA CPU plugin, faster than pure Go; skipped: backend "xla:cuda": no GPU`},
		{"rocm", nil, "auto: the XLA rocm plugin"},
	} {
		assert.Equal(t, tc.want, autoReason(tc.plugin, tc.skipped), tc.plugin)
	}
}

// With the XLA CPU plugin installed, auto takes it and says why.
func TestAutoSaysWhyXLA(t *testing.T) {
	if newXLA == nil {
		t.Skip("XLA not linked into this build")
	}
	found := false
	for _, p := range platform.PJRTPlugins() {
		found = found || p.Name == "cpu"
	}
	if !found {
		testenv.SkipOrFail(t, "no XLA CPU plugin installed (make pjrt)")
	}
	e, err := NewRuntime(Config{}).openAuto()
	require.NoError(t, err)
	assert.Equal(t, "auto → xla:cpu", e.info.Name)
	assert.Equal(t, "auto: the XLA CPU plugin, faster than pure Go", e.info.Note)
	assert.Contains(t, e.info.Description, "(auto: the XLA CPU plugin")
}
