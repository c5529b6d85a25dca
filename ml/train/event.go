package train

import "time"

// Phases reported in Event.Phase.
const (
	PhaseTrain      = "train"      // a step finished
	PhaseValidate   = "validate"   // a validation finished; ValMetric is set
	PhaseCheckpoint = "checkpoint" // a checkpoint was written
	PhaseDone       = "done"       // the run stopped; Result follows
)

// Event reports progress to the caller's callback, from Train's goroutine.
type Event struct {
	Step, TotalSteps, Epoch int
	Loss, LR                float64 // of the last step
	ExamplesPerSec          float64 // smoothed over recent steps
	ETA                     time.Duration
	ValMetric               *float64 // the validation just run (PhaseValidate)
	Best                    float64  // best validation metric so far (0 before the first)
	Phase                   string
}

// Stop reasons reported in Result.Stopped.
const (
	StoppedFinished  = "finished"
	StoppedEarly     = "early-stopped"
	StoppedCancelled = "cancelled"
)

// Result summarizes a run; after "finished" or "early-stopped" the model's
// store holds the best validated weights (the last ones without validation).
type Result struct {
	Steps      int
	BestStep   int // 0 when no validation ran
	BestMetric float64
	Stopped    string
	BestDir    string // Config.Dir/best, "" when nothing was validated or Dir is empty
	Curve      []Point
}
