package backend

import (
	"errors"
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"

	"github.com/precedent/precedent/platform"
)

// ORTName is the backend that runs inference (model.Scorer, model.Embedder)
// on ONNX Runtime and everything else, training included, on the pure-Go
// backend.
const ORTName = "ort"

// ORTAttach loads ONNX Runtime from the library file lib and routes the
// inference of models run on b through it, returning ONNX Runtime's
// version. Package ml/ort provides it (ort.Enable), for a main to pass as
// Config.ORT; it is a value here, not an import, because ml/ort depends on
// ml/model, whose tests depend on this package.
type ORTAttach func(b compute.Backend, lib string) (version string, err error)

// ErrORTNotEnabled is wrapped when backend "ort" is asked of a runtime
// built without Config.ORT.
var ErrORTNotEnabled = errors.New("ONNX Runtime is not enabled in this runtime (a build without cgo, or a main that did not pass ort.Enable())")

// openORT returns a fresh pure-Go backend whose inference runs on ONNX
// Runtime, the library found by platform.ORTLibrary.
func (r *Runtime) openORT(name string) (entry, error) {
	if r.ort == nil {
		return entry{}, fmt.Errorf("backend %q: %w", name, ErrORTNotEnabled)
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
	version, err := r.ort(e.b, lib)
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
