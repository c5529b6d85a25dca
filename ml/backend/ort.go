package backend

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"

	"github.com/precedent/precedent/platform"
)

// ORTName is the backend that runs inference (model.Scorer, model.Embedder)
// on ONNX Runtime and everything else, training included, on the pure-Go
// backend.
const ORTName = "ort"

// ortAttach loads ONNX Runtime from the library file lib and routes the
// inference of models run on b through it, returning ONNX Runtime's
// version; nil until package ml/ort, linked into cgo builds by whoever
// imports it, registers it (RegisterORT).
var ortAttach func(b compute.Backend, lib string) (version string, err error)

// RegisterORT is called by package ml/ort when it is linked in; other code
// has no reason to call it. It lives here, not in ml/ort, because ml/ort
// depends on ml/model, whose tests depend on this package.
func RegisterORT(attach func(b compute.Backend, lib string) (version string, err error)) {
	ortAttach = attach
}

// openORT returns a fresh pure-Go backend whose inference runs on ONNX
// Runtime, the library found by platform.ORTLibrary.
func openORT(name string) (entry, error) {
	if ortAttach == nil {
		return entry{}, fmt.Errorf("backend %q: ONNX Runtime is not linked into this build (built without cgo)", name)
	}
	lib := platform.ORTLibrary()
	if lib == "" {
		return entry{}, fmt.Errorf("backend %q: no ONNX Runtime library found (run `make onnxruntime`, or set %s to %s)",
			name, platform.ORTLibEnv, platform.ORTLibraryFile())
	}
	e, err := openGo(gobackend.BackendName, "")
	if err != nil {
		return entry{}, err
	}
	version, err := ortAttach(e.b, lib)
	if err != nil {
		return entry{}, fmt.Errorf("backend %q: %w", name, err)
	}
	e.info = Info{
		Name:        name,
		Description: fmt.Sprintf("ONNX Runtime %s (inference) + pure Go (training) — %s", version, e.b.Description()),
		Inference:   ORTName,
		Note:        "inference (rerank, embed) on ONNX Runtime " + version + "; training stays on the pure-Go backend",
	}
	return e, nil
}
