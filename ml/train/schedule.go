package train

import "math"

// Schedule is the learning rate of each step: linear warmup from 0 to Peak
// over Warmup steps, then linear decay to 0 at Total.
type Schedule struct {
	Peak          float64
	Warmup, Total int
}

// newSchedule rounds the warmup fraction to whole steps.
func newSchedule(peak, warmupFrac float64, total int) Schedule {
	return Schedule{Peak: peak, Warmup: int(math.Round(warmupFrac * float64(total))), Total: total}
}

// At returns the learning rate used by step (0-based). Warmup step s uses
// Peak·(s+1)/Warmup, so the first update is not wasted at rate 0; decay step
// s uses Peak·(Total−s)/(Total−Warmup), reaching Peak/(Total−Warmup) on the
// last step.
func (s Schedule) At(step int) float64 {
	switch {
	case step < 0 || step >= s.Total:
		return 0
	case step < s.Warmup:
		return s.Peak * float64(step+1) / float64(s.Warmup)
	default:
		return s.Peak * float64(s.Total-step) / float64(s.Total-s.Warmup)
	}
}
