//go:build cgo

package ort

import (
	"github.com/gomlx/compute"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
)

// Enable is what a main passes as backend.Config.ORT to enable ONNX
// Runtime: backend "ort", and auto's fallback to it. When one of them is
// opened, it loads the library (Load) and routes the inference of every
// model.Scorer and model.Embedder on that backend through Forward. In a
// build without cgo it is nil: ONNX Runtime stays off.
func Enable() backend.ORTAttach {
	return func(b compute.Backend, lib string) (string, error) {
		version, err := Load(lib)
		if err != nil {
			return "", err
		}
		model.OffloadInference(b, Forward)
		return version, nil
	}
}
