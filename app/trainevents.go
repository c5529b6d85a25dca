package app

import "github.com/precedent/precedent/ml/train"

// trainEvents turns the training loop's events into pipeline events of
// step (with loss, learning rate, throughput and validation figures), and
// calls checkpoint at each checkpoint so the run's record keeps up.
func trainEvents(step string, progress Progress, checkpoint func(step int, best float64)) func(train.Event) {
	return func(e train.Event) {
		ev := Event{Step: step, Phase: e.Phase, Done: int64(e.Step), Total: int64(e.TotalSteps), ETA: e.ETA,
			Values: map[string]float64{"loss": e.Loss, "lr": e.LR, "examples_per_s": e.ExamplesPerSec, "epoch": float64(e.Epoch)}}
		if e.ValMetric != nil {
			ev.Values["val_mrr@10"] = *e.ValMetric
			ev.Values["best_val_mrr@10"] = e.Best
		}
		if e.Phase == train.PhaseCheckpoint {
			checkpoint(e.Step, e.Best)
		}
		progress.emit(ev)
	}
}
