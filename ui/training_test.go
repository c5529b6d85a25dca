package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// TestTrainEvaluateExport runs a tiny from-scratch training through the
// Training tab, evaluates it and exports it.
func TestTrainEvaluateExport(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	d := newTestDesktop(t)
	require.NoError(t, waitJob(t, d.archive.generate(600)))
	require.NoError(t, waitJob(t, d.mining.mine()))
	require.NoError(t, waitJob(t, d.negatives.firstStage()))
	require.NoError(t, waitJob(t, d.negatives.mineNegatives()))

	tp := d.training
	selectTab(d, tp)
	assert.Contains(t, tp.status.Text, "Ready")
	tp.scratch.SetChecked(true)
	assert.Equal(t, "0.0005", tp.lr.Text, "from scratch takes its own default learning rate")
	tp.scratch.SetChecked(false)
	assert.Equal(t, "0.0001", tp.lr.Text)
	tp.keep.SetText("1")
	tp.maxLen.SetText("48")
	tp.batch.SetText("4")
	o, err := tp.options()
	require.NoError(t, err)
	want := app.DemoTrainOptions() // the panel's defaults are app's
	want.BatchSize, want.MaxLen, want.KeepLayers = 4, 48, 1
	assert.Equal(t, want, o)
	o.MaxSteps, o.ValQueries, o.ValDepth, o.EvalEvery = 3, 5, 5, 3
	job := tp.train(o)
	require.NotNil(t, job)
	assert.True(t, tp.startBtn.Disabled())
	require.NoError(t, waitJob(t, job))
	assert.False(t, tp.startBtn.Disabled())
	assert.NotEmpty(t, tp.loss.ys, "loss points plotted")
	assert.Contains(t, tp.status.Text, "Finished")
	assert.Contains(t, tp.history.Text, "run-")

	// A reopened panel replots the last run from app's reading of its curve.
	tp.loss.reset()
	tp.mrr.reset()
	tp.showRuns(d.proj)
	curve, err := d.proj.RunCurve("last")
	require.NoError(t, err)
	require.Len(t, curve, 3, "one point per step")
	require.Len(t, tp.loss.ys, len(curve))
	for i, pt := range curve {
		assert.InDelta(t, pt.Loss, tp.loss.ys[i], 1e-12, "step %d", pt.Step)
	}

	ep := d.evaluation
	selectTab(d, ep)
	assert.Contains(t, ep.status.Text, "Run evaluation")
	require.NoError(t, waitJob(t, ep.evaluate()))
	last, ok, err := d.proj.LastEval()
	require.NoError(t, err)
	require.True(t, ok)
	require.GreaterOrEqual(t, len(ep.rows), 4, "first stage, starting model, fine-tuned alone, final")
	assert.Contains(t, ep.uplift.Text, last.Verdict, "the verdict in words, against the best baseline")
	assert.Equal(t, last.Final.Label, ep.rows[len(ep.rows)-2][0], "the final system's row, before the leak probe")
	assert.Contains(t, ep.rows[len(ep.rows)-1][0], "leak probe")

	// "Why this match" renders app's evidence for the selected query.
	require.NotEmpty(t, ep.qids)
	ep.showQuery(0)
	why, err := d.proj.WhyMatch(ep.qids[0])
	require.NoError(t, err)
	require.NotNil(t, why.Precedent, "evaluated queries have a relevant ticket")
	var shown strings.Builder
	for _, seg := range ep.why.Segments {
		shown.WriteString(seg.Textual())
	}
	assert.Contains(t, shown.String(), "Precedent "+why.Precedent.ID)
	if len(why.SharedTerms) > 0 {
		assert.Contains(t, shown.String(), "Shared terms: "+strings.Join(why.SharedTerms, ", "))
	}

	xp := d.export
	selectTab(d, xp)
	require.NotEmpty(t, xp.run.Options)
	out := filepath.Join(t.TempDir(), "model")
	xp.dir.SetText(out)
	assert.Equal(t, serveCommand(out), xp.serveCmd.Text)
	require.NoError(t, waitJob(t, xp.export()))
	_, err = os.Stat(filepath.Join(out, "config.json"))
	assert.NoError(t, err)
}

// Progress and run status reach the widgets through their bindings.
func TestTrainingStateIsBound(t *testing.T) {
	d := newTestDesktop(t)
	tp := d.training
	tp.onEvent(app.Event{Phase: "train", Done: 5, Total: 20, Values: map[string]float64{"loss": 0.7}})
	v, err := tp.progressVal.Get()
	require.NoError(t, err)
	assert.InDelta(t, 0.25, v, 1e-12)
	assert.InDelta(t, 0.25, tp.progress.Value, 1e-12)
	s, err := tp.statusText.Get()
	require.NoError(t, err)
	assert.Equal(t, "train · step 5 of 20", s)
	assert.Equal(t, s, tp.status.Text)

	d.setStatus("hello")
	line, err := d.statusLine.Get()
	require.NoError(t, err)
	assert.Contains(t, line, "hello")
	assert.Equal(t, line, d.status.Text)
}
