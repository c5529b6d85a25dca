package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// findButton returns the first button labelled text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		if b := findButton(k, text); b != nil {
			return b
		}
	}
	return nil
}

// TestReopenShowsState checks that a second session shows what the first did.
func TestReopenShowsState(t *testing.T) {
	d := newTestDesktop(t)
	dir := d.proj.Dir
	require.NoError(t, waitJob(t, d.archive.generate(300)))
	require.NoError(t, waitJob(t, d.mining.mine()))
	require.NoError(t, d.proj.Close())
	d.proj = nil

	d2 := newDesktop(test.NewTempApp(t), test.NewWindow(nil))
	require.NoError(t, d2.openProject(dir))
	defer d2.proj.Close()
	assert.Contains(t, d2.archive.summary.Text, "300 tickets", "the first panel loads on open")
	visitAll(d2)
	assert.Contains(t, d2.archive.summary.Text, "300 tickets")
	require.Len(t, d2.mining.funnel.bars, 8)
	assert.NotEmpty(t, d2.mining.pairs)
	assert.Contains(t, d2.negatives.summary.Text, "first stage")
}

// TestCloseAsksWhileJobRuns checks the close confirmation and the clean stop.
func TestCloseAsksWhileJobRuns(t *testing.T) {
	d := newTestDesktop(t)
	stopped := make(chan struct{})
	job := d.run("slow step", func(ctx context.Context, _ *app.Project, _ app.Progress) error {
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}, nil, nil)
	require.NotNil(t, job)
	d.requestClose()
	top := d.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "closing while a job runs must ask first")
	no := findButton(top, "No")
	require.NotNil(t, no)
	test.Tap(no)
	assert.Equal(t, []string{"slow step"}, d.jobs.Running(), "answering No keeps the job")

	d.requestClose()
	yes := findButton(d.win.Canvas().Overlays().Top(), "Yes")
	require.NotNil(t, yes)
	test.Tap(yes)
	<-stopped
	waitJobs(t, d)
	// The close runs on the UI goroutine once the jobs have stopped, after
	// the job list empties: wait for it there, not for the list alone.
	eventually(t, func() bool { return d.proj == nil }, time.Minute, "the project is closed after the jobs stop")
	eventually(t, func() bool { return strings.Contains(d.status.Text, "slow step stopped") }, time.Minute,
		"the status says the job stopped")
}

// TestSwitchProjectRefusedWhileRunning keeps a running job's project open.
func TestSwitchProjectRefusedWhileRunning(t *testing.T) {
	d := newTestDesktop(t)
	job := d.run("slow step", func(ctx context.Context, _ *app.Project, _ app.Progress) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil, nil)
	require.NotNil(t, job)
	err := d.openProject(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "slow step is still running")
	job.Cancel()
	_ = waitJob(t, job)
}

// TestBadFileRefused shows a dialog naming the reason, and imports nothing.
func TestBadFileRefused(t *testing.T) {
	d := newTestDesktop(t)
	path := filepath.Join(t.TempDir(), "empty.csv")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	d.archive.loadPreview(path)
	require.NotNil(t, d.win.Canvas().Overlays().Top(), "a bad file shows an error dialog")
	assert.True(t, d.archive.importBtn.Disabled())
}

// TestFailedJobShowsDialog reports a failing step instead of crashing.
func TestFailedJobShowsDialog(t *testing.T) {
	d := newTestDesktop(t)
	selectTab(d, d.mining)
	assert.Contains(t, d.mining.summary.Text, "Import an archive first")
	err := waitJob(t, d.mining.mine())
	require.Error(t, err)
	require.NotNil(t, d.win.Canvas().Overlays().Top())
	assert.Contains(t, d.status.Text, "mining failed")
}

// TestEvaluationRefusedKeepsButton: an evaluation that cannot start (one
// already runs) says why and leaves the button usable.
func TestEvaluationRefusedKeepsButton(t *testing.T) {
	d := newTestDesktop(t)
	job := d.run("evaluation", func(ctx context.Context, _ *app.Project, _ app.Progress) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil, nil)
	require.NotNil(t, job)
	selectTab(d, d.evaluation)
	assert.Nil(t, d.evaluation.evaluate())
	require.NotNil(t, d.win.Canvas().Overlays().Top(), "the reason is shown")
	assert.False(t, d.evaluation.runBtn.Disabled())
	job.Cancel()
	_ = waitJob(t, job)
}
