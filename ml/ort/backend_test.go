//go:build cgo

package ort

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform"
)

// Runs first in this package (file and declaration order), before any
// test loads the real library.
func TestLoadRefusesBadLibrary(t *testing.T) {
	if env.lib != "" {
		t.Skip("ONNX Runtime already loaded in this process: only the first Load can fail this way")
	}
	bad := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(bad, []byte("<html>not a library</html>"), 0o644))
	_, err := Load(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad)
	assert.ErrorContains(t, loaded(), "not loaded", "a failed load leaves nothing loaded")
}

// TestAutoFallsBackToORT: with no PJRT plugin anywhere, "auto" runs
// inference on ONNX Runtime and says so; model.Scorer and model.Embedder
// on that backend give ONNX Runtime's numbers.
func TestAutoFallsBackToORT(t *testing.T) {
	loadORT(t)
	lib := platform.ORTLibrary()
	abs := func(p string) string { a, err := filepath.Abs(p); require.NoError(t, err); return a }
	fixture := abs(filepath.Join(fixtureDir, "bert-tiny-cross"))
	t.Setenv(platform.ORTLibEnv, lib)
	t.Setenv(platform.PJRTDirEnv, "")
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	t.Setenv(platform.HomeEnv, t.TempDir())
	t.Chdir(t.TempDir()) // no third_party/pjrt above

	be, info, err := backend.NewRuntime(backend.Config{ORT: Enable()}).Backend("auto")
	require.NoError(t, err)
	if len(platform.PJRTPlugins()) > 0 {
		t.Skipf("a PJRT plugin is beside the test binary: %v", platform.PJRTPlugins())
	}
	assert.Equal(t, "auto → ort + go", info.Name)
	assert.Equal(t, backend.ORTName, info.Inference)
	assert.Contains(t, info.Note, "training stays on the pure-Go backend")
	assert.Contains(t, info.Note, "no PJRT plugin found")

	ck, err := hf.Load(fixture)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	_, b := readReference(t, filepath.Join(fixture, "expected.json"))
	sc, err := model.NewScorer(m, be, model.F32)
	require.NoError(t, err)
	got, err := sc.Score(b)
	require.NoError(t, err)
	want, _ := run(t, m, false, b)
	assert.Equal(t, want, got, "the Scorer ran on ONNX Runtime")

	em, err := model.NewEmbedder(m, be, model.F32)
	require.NoError(t, err)
	vecs, err := em.Embed(b)
	require.NoError(t, err)
	flat, dims := run(t, m, true, b)
	for r := range vecs {
		assert.Equal(t, flat[r*dims[1]:(r+1)*dims[1]], vecs[r], "the Embedder ran on ONNX Runtime, row %d", r)
	}

	_, err = sc.Score(model.Batch{IDs: []int32{1 << 30}, TypeIDs: []int32{0}, Mask: []int32{1}, Rows: 1, Len: 1})
	assert.ErrorContains(t, err, "outside vocab_size", "ids are checked before ONNX Runtime sees them")
}

func TestORTBackendWithoutLibrary(t *testing.T) {
	t.Setenv(platform.ORTLibEnv, "")
	t.Setenv(platform.HomeEnv, t.TempDir())
	t.Chdir(t.TempDir())
	if platform.ORTLibrary() != "" {
		t.Skipf("an ONNX Runtime library is beside the test binary: %s", platform.ORTLibrary())
	}
	_, _, err := backend.NewRuntime(backend.Config{ORT: Enable()}).Backend("ort")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make onnxruntime")
}

// ONNX Runtime is enabled by the runtime a main builds, not by linking this
// package: without Enable, "ort" says it is not enabled; with it, "ort"
// runs the Scorer on ONNX Runtime (or the test skips without the library).
func TestORTNeedsEnable(t *testing.T) {
	_, _, err := backend.NewRuntime(backend.Config{}).Backend("ort")
	require.ErrorIs(t, err, backend.ErrORTNotEnabled)
	assert.ErrorContains(t, err, `backend "ort": ONNX Runtime is not enabled`)

	loadORT(t) // skips without the library
	t.Setenv(platform.ORTLibEnv, platform.ORTLibrary())
	be, info, err := backend.NewRuntime(backend.Config{ORT: Enable()}).Backend("ort")
	require.NoError(t, err)
	assert.Equal(t, backend.ORTName, info.Inference)
	fixture, err := filepath.Abs(filepath.Join(fixtureDir, "bert-tiny-cross"))
	require.NoError(t, err)
	ck, err := hf.Load(fixture)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	_, b := readReference(t, filepath.Join(fixture, "expected.json"))
	sc, err := model.NewScorer(m, be, model.F32)
	require.NoError(t, err)
	got, err := sc.Score(b)
	require.NoError(t, err)
	want, _ := run(t, m, false, b)
	assert.Equal(t, want, got, "the Scorer ran on ONNX Runtime")
}
