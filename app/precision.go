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

// PrecisionNote says which precision the project's settings give scoring
// and embedding on its backend, and why: what the Settings panel shows.
func (p *Project) PrecisionNote() (string, error) {
	s := p.SettingsSnapshot()
	_, info, err := p.backend(s.Backend)
	if err != nil {
		return "", err
	}
	_, note, err := inferencePrecision(s.Precision, info)
	return note, err
}
