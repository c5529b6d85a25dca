package ui

import "fyne.io/fyne/v2"

// uiDo and uiDoAndWait hand f to the UI goroutine, as fyne.Do and
// fyne.DoAndWait do; background work (jobs, the backend probe, the close
// after jobs stop) reaches widgets only through them. Tests replace them:
// Fyne's test driver runs f at once on the calling goroutine, which would
// let a job goroutine touch widgets while the test's goroutine does.
var (
	uiDo        = fyne.Do
	uiDoAndWait = fyne.DoAndWait
)
