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

// Inside Precedent.app the Metal plugin sits in Contents/Frameworks.
func TestPluginsInAppBundle(t *testing.T) {
	app := filepath.Join(t.TempDir(), "Precedent.app", "Contents")
	exe := filepath.Join(app, "MacOS", "precedent-desktop")
	for _, f := range []string{exe, filepath.Join(app, "Frameworks", "pjrt_c_api_metal_plugin.dylib")} {
		require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o755))
	}
	dirs := besideExecutable(exe)
	require.NotEmpty(t, dirs)
	assert.Equal(t, filepath.Join(app, "Frameworks"), dirs[0], "the bundle is searched before anything beside it")
	got := pluginsIn(dirs, ".dylib")
	require.Len(t, got, 1)
	assert.Equal(t, Plugin{Name: "metal", Path: filepath.Join(app, "Frameworks", "pjrt_c_api_metal_plugin.dylib")}, got[0])
	assert.Empty(t, pluginsIn(dirs, ".so"), "a Linux build does not pick up a dylib")

	plain := besideExecutable("/opt/precedent/bin/precedent")
	assert.Equal(t, []string{"/opt/precedent/bin/pjrt", "/opt/precedent/third_party/pjrt"}, plain, "outside a bundle: as before")
}
