package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestORTLibraryEnvWins(t *testing.T) {
	t.Setenv(ORTLibEnv, "/nowhere/libonnxruntime.so")
	assert.Equal(t, "/nowhere/libonnxruntime.so", ORTLibrary(), "a set override is returned even when missing, so loading it fails loudly")
}

func TestORTLibrarySourceCheckout(t *testing.T) {
	root := t.TempDir()
	lib := filepath.Join(root, "third_party", "onnxruntime", ORTLibraryFile())
	require.NoError(t, os.MkdirAll(filepath.Dir(lib), 0o755))
	require.NoError(t, os.WriteFile(lib, []byte("x"), 0o644))
	sub := filepath.Join(root, "ml", "ort")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	t.Setenv(ORTLibEnv, "")
	t.Setenv(HomeEnv, t.TempDir())
	t.Chdir(sub)
	assert.Equal(t, lib, ORTLibrary(), "found above the working directory")

	require.NoError(t, os.WriteFile(lib, nil, 0o644))
	assert.Empty(t, ORTLibrary(), "an empty (partial) file is not a library")
}

func TestORTLibraryInAppBundle(t *testing.T) {
	app := filepath.Join(t.TempDir(), "Precedent.app", "Contents")
	exe := filepath.Join(app, "MacOS", "precedent-desktop")
	lib := filepath.Join(app, "Frameworks", "libonnxruntime.dylib")
	for _, f := range []string{exe, lib} {
		require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o755))
	}
	dirs := ortBesideExecutable(exe)
	require.NotEmpty(t, dirs)
	assert.Equal(t, filepath.Join(app, "Frameworks"), dirs[0], "the bundle is searched first")
	assert.Equal(t, lib, firstLibrary(dirs, "libonnxruntime.dylib"))
	assert.Empty(t, firstLibrary(dirs, "libonnxruntime.so"), "a Linux build does not pick up a dylib")
	assert.Equal(t, []string{"/opt/p/bin/onnxruntime", "/opt/p/third_party/onnxruntime"}, ortBesideExecutable("/opt/p/bin/precedent"))
}

func TestSysfsCores(t *testing.T) {
	root := t.TempDir()
	// 4 logical CPUs: two cores with two hyper-threads each.
	for cpu, ids := range [][2]string{{"0", "0"}, {"0", "1"}, {"0", "0"}, {"0", "1"}} {
		d := filepath.Join(root, "cpu"+string(rune('0'+cpu)), "topology")
		require.NoError(t, os.MkdirAll(d, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(d, "physical_package_id"), []byte(ids[0]+"\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "core_id"), []byte(ids[1]+"\n"), 0o644))
	}
	assert.Equal(t, 2, sysfsCores(root))
	assert.Equal(t, 0, sysfsCores(t.TempDir()), "no sysfs: unknown")
	assert.GreaterOrEqual(t, PhysicalCores(), 1)
}
