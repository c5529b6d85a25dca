package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// The test's goroutine plays Fyne's UI goroutine: background work queues its
// UI callbacks (uiDo, uiDoAndWait) and the test runs them while it waits
// (drainUI, waitJob, waitJobs, eventually), so widgets are only ever touched
// from one goroutine, as in the app. Fyne's test driver would run them on the
// job's goroutine, racing with the test.
var uiQueue = make(chan func(), 4096)

func init() {
	uiDo = func(f func()) { uiQueue <- f }
	uiDoAndWait = func(f func()) {
		done := make(chan struct{})
		uiQueue <- func() { defer close(done); f() }
		<-done
	}
}

// drainUI runs the UI callbacks queued so far.
func drainUI() {
	for {
		select {
		case f := <-uiQueue:
			f()
		default:
			return
		}
	}
}

// waitJob runs UI callbacks until j ends, then returns its error.
func waitJob(t *testing.T, j *app.Job) error {
	t.Helper()
	require.NotNil(t, j)
	for {
		select {
		case f := <-uiQueue:
			f()
		case <-j.Done():
			drainUI()
			return j.Wait()
		}
	}
}

// eventually runs UI callbacks until cond, checked on the test's goroutine,
// holds.
func eventually(t *testing.T, cond func() bool, wait time.Duration, msg ...any) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		drainUI()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			require.Fail(t, "condition never held", msg...)
		}
		select {
		case f := <-uiQueue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
