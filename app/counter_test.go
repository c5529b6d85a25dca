package app

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgressCounter(t *testing.T) {
	var mu sync.Mutex
	var events []Event
	p := Progress(func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	add := p.counter("evaluate", "learned ranker: fits", 1000)
	var wg sync.WaitGroup
	for range 4 { // from several goroutines, as the fits report
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				add(1)
			}
		}()
	}
	wg.Wait()
	require.NotEmpty(t, events)
	assert.Less(t, len(events), 100, "reports are spaced out, not one per unit")
	last := events[len(events)-1]
	assert.Equal(t, Event{Step: "evaluate", Phase: "learned ranker: fits", Done: 1000, Total: 1000}, last, "the end is always reported")
	for i := 1; i < len(events); i++ {
		assert.GreaterOrEqual(t, events[i].Done, events[i-1].Done)
	}

	// Work spread over time gets an ETA from the pace since the first report.
	events = nil
	add = p.counter("ranker", "folds", 4)
	for range 3 {
		add(1)
		time.Sleep(counterEvery + 20*time.Millisecond)
	}
	require.Len(t, events, 3)
	assert.Zero(t, events[0].ETA, "unknown at the first report")
	// One unit left, at one unit per interval slept (longer under load).
	assert.GreaterOrEqual(t, events[2].ETA, counterEvery)
	assert.Less(t, events[2].ETA, 10*time.Second)
	add(1)
	assert.Equal(t, int64(4), events[len(events)-1].Done)
	assert.Zero(t, events[len(events)-1].ETA)

	Progress(nil).counter("x", "y", 1)(1) // no receiver: nothing to report to, no panic
}
