package app

import "time"

// Event is one progress report of a pipeline step.
type Event struct {
	Step    string             `json:"step"`            // "import", "mine", "embed", "negatives", "train", "evaluate"...
	Phase   string             `json:"phase,omitempty"` // a sub-stage of the step
	Done    int64              `json:"done"`
	Total   int64              `json:"total"` // 0 when unknown
	Message string             `json:"message,omitempty"`
	Values  map[string]float64 `json:"values,omitempty"` // live figures: loss, lr, val_mrr, examples_per_s...
	ETA     time.Duration      `json:"eta,omitempty"`
	Final   bool               `json:"final,omitempty"` // the step finished (or stopped)
}

// Progress receives events; it must be cheap and safe to call from any goroutine.
type Progress func(Event)

// emit calls p when it is set.
func (p Progress) emit(e Event) {
	if p != nil {
		p(e)
	}
}
