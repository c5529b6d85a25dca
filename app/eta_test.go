package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestETAClockIgnoresTheFirstBatch(t *testing.T) {
	now := time.Unix(0, 0)
	c := &etaClock{now: func() time.Time { return now }}
	now = now.Add(60 * time.Second) // compiling the graph: one slow first batch
	assert.Zero(t, c.left(10, 100), "one report: no rate yet")
	now = now.Add(10 * time.Second) // then 10 items per 10 s
	assert.Equal(t, 80*time.Second, c.left(20, 100), "the rate counts from the first report, not the phase start")
	now = now.Add(10 * time.Second)
	assert.Equal(t, 70*time.Second, c.left(30, 100))
	assert.Zero(t, c.left(100, 100), "finished")
}
