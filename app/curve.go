package app

import (
	"fmt"

	"github.com/precedent/precedent/ml/train"
)

// RunCurve returns the loss and validation points of a training run ("last"
// for the newest, "best", or a run ID), read from its folder as ml/train
// wrote them: empty while the run has not logged a step, and never failing
// on the torn last line a crash leaves.
func (p *Project) RunCurve(id string) ([]train.Point, error) {
	r, err := p.findRun(id)
	if err != nil {
		return nil, err
	}
	points, err := train.ReadCurve(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", r.ID, err)
	}
	return points, nil
}
