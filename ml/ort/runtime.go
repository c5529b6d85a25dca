//go:build cgo

package ort

import (
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// env is the process's one ONNX Runtime environment: the C library allows
// one, bound to the library file first loaded.
var env struct {
	sync.Mutex
	lib     string // "" until a Load succeeded
	version string
}

// Load loads the ONNX Runtime shared library at lib (once per process) and
// returns its version. Once a library loaded, loading a different file is
// an error (the first stays in use); a failed load can be retried.
func Load(lib string) (string, error) {
	env.Lock()
	defer env.Unlock()
	if env.lib != "" {
		if lib != env.lib {
			return "", fmt.Errorf("onnxruntime: %s already loaded, cannot also load %s", env.lib, lib)
		}
		return env.version, nil
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return "", fmt.Errorf("onnxruntime: load %s: %w (a library for another OS or CPU, or older than 1.24? run `make onnxruntime`)", lib, err)
	}
	env.lib, env.version = lib, ort.GetVersion()
	return env.version, nil
}

// loaded reports an error unless a Load succeeded.
func loaded() error {
	env.Lock()
	defer env.Unlock()
	if env.lib == "" {
		return fmt.Errorf("onnxruntime: not loaded (call Load first)")
	}
	return nil
}
