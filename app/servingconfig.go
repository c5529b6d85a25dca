package app

import (
	"github.com/precedent/precedent/rerank"
)

// writeServingConfig writes a run's precedent.json beside its model (see
// rerank.ServingConfig).
func writeServingConfig(dir string, c rerank.ServingConfig) error {
	return rerank.WriteServingConfig(dir, c)
}

// servingConfigFor is the full serving config of a run as the project would
// render its pairs today: the run's format and the project's ID patterns.
func (p *Project) servingConfigFor(r RunRecord) (rerank.ServingConfig, error) {
	f, err := p.pairFormat(r.Options.PairFormat)
	if err != nil {
		return rerank.ServingConfig{}, err
	}
	presets, patterns := p.idPatterns()
	f.Mask = nil
	return rerank.ServingConfig{
		PairFormat: f.Name, Format: &f, IDPresets: presets, IDPatterns: patterns, IDMask: rerank.IDMaskToken,
		Visibility: rerank.VisibilityAsOfQuery, MaxLen: r.Options.MaxLen, Run: r.ID,
	}, nil
}

// idPatterns are the project's ID presets and custom expressions as the last
// mining used them (the settings' when nothing was mined yet).
func (p *Project) idPatterns() (presets, patterns []string) {
	o := p.mineDefaults(MineOptions{})
	if r, ok, err := p.LastMine(); err == nil && ok {
		o = r.Options
	}
	return o.Presets, o.Patterns
}
