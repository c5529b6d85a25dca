package app

import (
	"sync"
	"time"
)

// etaClock estimates the time left in a phase from its progress reports.
// The clock starts at the first report of work done, not at the phase's
// start: the first batch of a model includes compiling its graph (seconds
// to a minute on XLA), and counting it would put hours on the first ETA.
type etaClock struct {
	mu    sync.Mutex
	now   func() time.Time
	t0    time.Time
	done0 int64
}

func newETAClock() *etaClock { return &etaClock{now: time.Now} }

// left returns the estimated time to finish, or 0 while unknown (before two
// reports with work done) and once done.
func (c *etaClock) left(done, total int64) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if done <= 0 || done >= total {
		return 0
	}
	if c.t0.IsZero() {
		c.t0, c.done0 = c.now(), done
		return 0
	}
	if done <= c.done0 {
		return 0
	}
	el := c.now().Sub(c.t0)
	return time.Duration(float64(el) * float64(total-done) / float64(done-c.done0))
}

// workUnits turns a share of work done (0 to 1) into the integer counts
// etaClock takes, fine enough for any phase.
func workUnits(share float64) int64 { return int64(share * 1e6) }
