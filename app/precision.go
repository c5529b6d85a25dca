package app

import (
	"fmt"
	"strings"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
)

// PrecisionAuto lets the backend choose the inference precision: bfloat16
// products where they are measured to be faster (XLA CPU on a CPU with
// bfloat16 instructions), float32 elsewhere.
const PrecisionAuto = "auto"

// Precisions lists the precision settings, for flags and the Settings panel.
var Precisions = []string{PrecisionAuto, string(model.F32), string(model.BF16)}

// inferencePrecision resolves a precision setting ("" or "auto", "f32",
// "bf16") on a backend, with the reason in words for reports. It applies
// to scoring and embedding (evaluation, validation during training,
// serving, dense first stages); training's own steps stay float32.
func inferencePrecision(setting string, info backend.Info) (model.Precision, string, error) {
	s := strings.ToLower(strings.TrimSpace(setting))
	if s == "" || s == PrecisionAuto {
		if info.FastBF16 {
			return model.BF16, "bf16 (auto: " + info.BF16Note + ")", nil
		}
		note := info.BF16Note
		if note == "" {
			note = "bfloat16 not measured on this backend"
		}
		return model.F32, "f32 (auto: " + note + ")", nil
	}
	p, err := model.ParsePrecision(s)
	if err != nil {
		return "", "", fmt.Errorf("%w (or %s)", err, PrecisionAuto)
	}
	return p, p.String() + " (chosen)", nil
}

// PrecisionNote says which precision the project's settings give scoring
// and embedding on its backend, and why: what the Settings panel shows.
func (p *Project) PrecisionNote() (string, error) {
	s := p.SettingsSnapshot()
	_, info, err := Backend(s.Backend)
	if err != nil {
		return "", err
	}
	_, note, err := inferencePrecision(s.Precision, info)
	return note, err
}
