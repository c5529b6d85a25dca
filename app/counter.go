package app

import (
	"sync"
	"time"
)

// counterEvery is the shortest interval between two reports of a counter,
// so that work counted in small pieces does not flood the progress bar.
const counterEvery = 200 * time.Millisecond

// counter returns a function that adds work done to a phase of total units
// and reports it, with its ETA, at most every counterEvery and always at the
// end. It is safe to call from several goroutines.
func (p Progress) counter(step, phase string, total int64) func(n int64) {
	clock := newETAClock()
	var (
		mu   sync.Mutex
		done int64
		last time.Time
	)
	return func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		now := time.Now()
		if done < total && now.Sub(last) < counterEvery {
			return
		}
		last = now
		p.emit(Event{Step: step, Phase: phase, Done: done, Total: total, ETA: clock.left(done, total)})
	}
}
