package app

import (
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform"
)

// trainingBudget is the memory, in bytes, a training run may plan for: the
// run's --max-memory, else the project's MemoryLimitMB, else three quarters
// of the machine's memory (on Apple silicon the GPU shares it with macOS
// and the desktop app); 0 when none of these is known.
func trainingBudget(runMB, settingMB int, total int64) int64 {
	mib := func(mb int) int64 { return int64(max(mb, 0)) << 20 } // a negative limit is unset
	return pick(mib(runMB), mib(settingMB), total/4*3)
}

// fitMemory lowers o's micro-batch, then batch, then max length, so a
// training step of m fits the memory budget, and says what it did. A run
// that accumulates its batch over passes (MicroBatch < BatchSize) lowers
// its micro-batch first and keeps its batch, so what is optimised does not
// change; a run in one pass (MicroBatch ≥ BatchSize, as --micro-batch 0
// asks) lowers its batch, as before micro-batches existed.
// settingsLimitMB is the project's Settings.MemoryLimitMB when the job started.
func fitMemory(o *TrainOptions, m *model.Model, settingsLimitMB int) (backend.Fit, error) {
	budget := trainingBudget(o.MaxMemoryMB, settingsLimitMB, platform.TotalMemory())
	fit, err := backend.FitMicroBatch(budget, backend.ShapeOf(m.Config()), o.BatchSize, o.MicroBatch, o.MaxLen)
	if err != nil {
		return fit, err
	}
	o.BatchSize, o.MaxLen, o.MicroBatch = fit.Batch, fit.MaxLen, fit.Micro
	if fit.Micro == 0 {
		o.MicroBatch = fit.Batch // one pass
	}
	return fit, nil
}
