package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPJRTPluginsFromEnv(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pjrt_c_api_cuda_plugin.so"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pjrt_c_api_cpu_plugin.so"), nil, 0o644)) // empty: ignored
	t.Setenv(PJRTDirEnv, dir)
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	t.Setenv(HomeEnv, t.TempDir())
	t.Chdir(t.TempDir())
	var names []string
	for _, p := range PJRTPlugins() {
		names = append(names, p.Name)
	}
	assert.Contains(t, names, "cuda")
	if len(names) > 0 {
		assert.Equal(t, "cuda", PJRTPlugins()[0].Name, "the env folder is searched first")
	}
}

func TestDataDirOverride(t *testing.T) {
	d := t.TempDir()
	t.Setenv(HomeEnv, d)
	got, err := DataDir()
	require.NoError(t, err)
	assert.Equal(t, d, got)
}
