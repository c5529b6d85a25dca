package backend

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform"
)

// withORT is a runtime enabling a fake ml/ort: attach answers err and
// records the libraries it was asked to load.
func withORT(t *testing.T, err error) (*Runtime, *[]string) {
	t.Helper()
	var loaded []string
	r := NewRuntime(Config{ORT: func(_ compute.Backend, lib string) (string, error) {
		loaded = append(loaded, lib)
		return "1.29.0", err
	}})
	return r, &loaded
}

// noPJRT leaves no PJRT plugin to find and returns an empty folder.
func noPJRT(t *testing.T) string {
	t.Helper()
	empty := t.TempDir()
	t.Setenv(platform.PJRTDirEnv, empty)
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	t.Setenv(platform.HomeEnv, empty)
	t.Chdir(empty)
	return empty
}

func TestAutoChoosesORTWithoutPJRT(t *testing.T) {
	dir := noPJRT(t)
	lib := filepath.Join(dir, platform.ORTLibraryFile())
	require.NoError(t, os.WriteFile(lib, []byte("x"), 0o644))
	t.Setenv(platform.ORTLibEnv, lib)

	cases := []struct {
		name      string
		attachErr error
		wantName  string
		wantNote  []string
	}{
		{"library loads", nil, "auto → ort + go", []string{"ONNX Runtime 1.29.0", "training stays on the pure-Go backend", "no PJRT plugin found"}},
		{"library refused", errors.New("onnxruntime: load: bad ELF"), "auto → go", []string{"bad ELF", "no PJRT plugin found"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, loaded := withORT(t, c.attachErr)
			e, err := r.openAuto()
			require.NoError(t, err)
			assert.Equal(t, c.wantName, e.info.Name)
			assert.Equal(t, []string{lib}, *loaded)
			for _, w := range c.wantNote {
				assert.Contains(t, e.info.Note, w)
			}
			if c.attachErr == nil {
				assert.Equal(t, ORTName, e.info.Inference)
			} else {
				assert.Empty(t, e.info.Inference)
			}
		})
	}
}

func TestORTBackendNeedsLibrary(t *testing.T) {
	noPJRT(t)
	t.Setenv(platform.ORTLibEnv, "")
	r, loaded := withORT(t, nil)
	if platform.ORTLibrary() != "" {
		t.Skipf("an ONNX Runtime library is beside the test binary: %s", platform.ORTLibrary())
	}
	_, err := r.open(ORTName)
	assert.ErrorContains(t, err, "no ONNX Runtime library found (run `make onnxruntime`")
	assert.Empty(t, *loaded)
	assert.Contains(t, r.Available(), ORTName)
}
