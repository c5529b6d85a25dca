package app

import (
	"fmt"
	"time"
)

// RetrainFrom makes o continue from a deployed model: ref is a run ID
// ("best", "last") or an export folder. The run starts from that model's
// weights and reranking head, and keeps its pair format and max length
// (where o leaves them unset), so the retrained model reads pairs as the
// deployed one did; no layers are cut again. It trains on the project's
// current train window: re-mine with later split dates first so the new
// labels fall in it (see README, Monitoring).
func (p *Project) RetrainFrom(ref string, o TrainOptions) (TrainOptions, error) {
	mm, err := p.monitoredModel(ref)
	if err != nil {
		return o, fmt.Errorf("train --from %s: %w", ref, err)
	}
	mined, ok, err := p.LastMine()
	if err != nil {
		return o, err
	}
	if ok && !mm.validationEnd.IsZero() && !mined.Split.TrainEnd.After(mm.validationEnd) {
		return o, fmt.Errorf("train --from %s: the train window ends %s, before the deployed model's data ended (%s): re-mine with a later --train-end so the new labels are trained on",
			ref, mined.Split.TrainEnd.Format(time.DateOnly), mm.validationEnd.Format(time.DateOnly))
	}
	o.Model, o.FromScratch, o.KeepLayers = mm.dir, false, 0
	if o.PairFormat == "" {
		o.PairFormat = mm.format.Name
	}
	if o.MaxLen == 0 {
		o.MaxLen = mm.maxLen
	}
	return o, nil
}
