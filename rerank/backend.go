package rerank

import (
	"sync"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/ml/backend"
	_ "github.com/precedent/precedent/ml/ort" // backend "ort": ONNX Runtime inference, auto's CPU fallback (cgo builds)
)

var (
	backendMu    sync.Mutex
	backends     = map[string]compute.Backend{}
	backendInfos = map[string]backend.Info{}
)

// Backend returns the compute backend named by name ("" = automatic: the
// fastest available), created once per process and shared by serving,
// training and evaluation.
func Backend(name string) (compute.Backend, backend.Info, error) {
	backendMu.Lock()
	defer backendMu.Unlock()
	if b, ok := backends[name]; ok {
		return b, backendInfos[name], nil
	}
	b, info, err := backend.New(name)
	if err != nil {
		return nil, backend.Info{}, err
	}
	backends[name], backendInfos[name] = b, info
	return b, info, nil
}
