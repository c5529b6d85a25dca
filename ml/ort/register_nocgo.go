//go:build !cgo

package ort

import "github.com/precedent/precedent/ml/backend"

// Enable is nil without cgo: ONNX Runtime's C API cannot be called, so it
// stays off (see the cgo build's Enable).
func Enable() backend.ORTAttach { return nil }
