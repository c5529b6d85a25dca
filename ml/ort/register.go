//go:build cgo

package ort

import (
	"github.com/gomlx/compute"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
)

func init() {
	backend.RegisterORT(func(b compute.Backend, lib string) (string, error) {
		version, err := Load(lib)
		if err != nil {
			return "", err
		}
		model.OffloadInference(b, Forward)
		return version, nil
	})
}
