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

// fitMemory lowers o's batch size, then max length, so a training step of
// m fits the memory budget, and says what it did.
// settingsLimitMB is the project's Settings.MemoryLimitMB when the job started.
func fitMemory(o *TrainOptions, m *model.Model, settingsLimitMB int) (backend.Fit, error) {
	budget := trainingBudget(o.MaxMemoryMB, settingsLimitMB, platform.TotalMemory())
	fit, err := backend.FitTraining(budget, backend.ShapeOf(m.Config()), o.BatchSize, o.MaxLen)
	if err != nil {
		return fit, err
	}
	o.BatchSize, o.MaxLen = fit.Batch, fit.MaxLen
	return fit, nil
}
