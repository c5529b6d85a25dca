package app

import (
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/rerank"
)

// inferencePrecision is rerank.InferencePrecision: evaluation, training's
// validation and the dense first stages resolve the setting as serving does.
func inferencePrecision(setting string, info backend.Info) (model.Precision, string, error) {
	return rerank.InferencePrecision(setting, info)
}

// defaultPrecision is the inference precision of a job whose options and
// project settings name none: the backend's choice.
const defaultPrecision = rerank.PrecisionAuto

// PrecisionNote says which precision the project's settings give scoring
// and embedding on its backend, and why: what the Settings panel shows.
func (p *Project) PrecisionNote() (string, error) {
	s := p.SettingsSnapshot()
	_, info, err := p.backend(pick("", s.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return "", err
	}
	_, note, err := inferencePrecision(pick("", s.Precision, defaultPrecision), info)
	return note, err
}
