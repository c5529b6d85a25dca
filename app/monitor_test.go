package app

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/rerank"
)

// Monitoring scenario on a 2-year synthetic archive: the model is trained
// on the first year's tickets; the rest is re-imported later, and the
// drifting archive drifts 17 months in.
var (
	monitorFirstImport = synth.DefaultStart.AddDate(1, 0, 0)
	monitorDrift       = synth.DefaultStart.AddDate(1, 5, 0)
)

// monitoredProject imports the first year of a synthetic archive, mines,
// trains a tiny model on it, then re-imports the whole archive, as a team
// does months after deploying.
func monitoredProject(t *testing.T, drift bool) (*Project, RunRecord) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	cfg := synth.Config{Tickets: 1600, Seed: 3}
	if drift {
		cfg.DriftAt = monitorDrift
	}
	_, err = Synth(ctx, cfg, filepath.Join(dir, "export"), nil)
	require.NoError(t, err)
	full := filepath.Join(dir, "export", synth.TicketsJSONLName)
	early := filepath.Join(dir, "early.jsonl")
	writeOpenedBefore(t, full, early, monitorFirstImport)
	_, err = p.Import(ctx, early, ImportOptions{}, nil)
	require.NoError(t, err)
	prepareTraining(t, p, 20)
	haveRealModel(t, p)
	tr, err := p.Train(ctx, TrainOptions{RunOptions: RunOptions{MaxLen: 48, BatchSize: 8, MaxSteps: 4,
		EvalEvery: 4, ValQueries: 10, ValDepth: 10, Backend: "go", LR: 1e-3}, FromScratch: true, ScratchLayers: 1, ScratchHidden: 32}, nil)
	require.NoError(t, err)
	require.False(t, tr.Run.ValEnd.IsZero(), "a run records the end of its validation window")
	rep, err := p.Import(ctx, full, ImportOptions{}, nil)
	require.NoError(t, err)
	require.Positive(t, rep.Added, "the re-import adds the newer tickets")
	return p, tr.Run
}

// writeOpenedBefore copies the JSON lines of tickets opened before at.
func writeOpenedBefore(t *testing.T, src, dst string, at time.Time) {
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(dst)
	require.NoError(t, err)
	defer out.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var tk struct{ Opened time.Time }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &tk))
		if tk.Opened.Before(at) {
			_, err = out.Write(append(sc.Bytes(), '\n'))
			require.NoError(t, err)
		}
	}
	require.NoError(t, sc.Err())
}

// monitorOpts keep statistics cheap.
var monitorOpts = MonitorOptions{Depth: 10, Permutations: 100, Resamples: 100, Backend: "go"}

// TestMonitorExportAndRetrain monitors an exported model, retrains from it
// with the new labels (`train --from`) and compares both on the same months.
func TestMonitorExportAndRetrain(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny models")
	}
	ctx := context.Background()
	p, run := monitoredProject(t, true)
	exp := filepath.Join(t.TempDir(), "deployed")
	_, err := p.Export(run.ID, exp)
	require.NoError(t, err)
	card, ok, err := rerank.ReadModelCard(exp)
	require.NoError(t, err)
	require.True(t, ok)
	assert.NotEmpty(t, card.Rules, "the card lists the rules serve counts unseen ones against")
	assert.NotContains(t, card.Rules, synth.DriftRuleName(card.Rules[0]), "replacement rules came after training")

	byRun, err := p.Monitor(ctx, monitorOpts, nil)
	require.NoError(t, err)
	byExport, err := p.Monitor(ctx, MonitorOptions{Model: exp, Depth: 10, Permutations: 100, Resamples: 100, Backend: "go"}, nil)
	require.NoError(t, err)
	assert.Contains(t, byExport.Model, run.ID)
	assert.Equal(t, byRun.Since, byExport.Since, "the export's card carries the same validation end")
	require.Equal(t, len(byRun.Rows), len(byExport.Rows))
	for i := range byRun.Rows {
		assert.InDelta(t, byRun.Rows[i].Final, byExport.Rows[i].Final, 1e-6, byRun.Rows[i].Period)
	}

	// Retraining on the split the deployed model used would not see the new labels.
	_, err = p.RetrainFrom(exp, TrainOptions{})
	assert.ErrorContains(t, err, "re-mine with a later --train-end")
	trainEnd := monitorDrift.AddDate(0, 4, 0)
	_, err = p.Mine(ctx, MineOptions{TrainEnd: trainEnd, ValEnd: trainEnd.AddDate(0, 2, 0)}, nil)
	require.NoError(t, err)
	_, err = p.FirstStage(ctx, FirstStageOptions{K: 20}, nil)
	require.NoError(t, err)
	_, err = p.MineNegatives(ctx, NegativesOptions{}, nil)
	require.NoError(t, err)
	o, err := p.RetrainFrom(exp, TrainOptions{RunOptions: RunOptions{BatchSize: 8, MaxSteps: 4, EvalEvery: 4, ValQueries: 10, ValDepth: 10,
		Backend: "go", LR: 1e-3}})
	require.NoError(t, err)
	assert.Equal(t, exp, o.Model)
	assert.Equal(t, run.Options.MaxLen, o.MaxLen, "the deployed model's max length")
	re, err := p.Train(ctx, o, nil)
	require.NoError(t, err)
	assert.Equal(t, exp, re.Run.StartModel)

	cmp, err := p.Monitor(ctx, MonitorOptions{Model: exp, Compare: re.Run.ID, Depth: 10, Permutations: 100, Resamples: 100, Backend: "go"}, nil)
	require.NoError(t, err)
	assert.Equal(t, re.Run.ID, cmp.Compare)
	assert.Equal(t, re.Run.ValEnd, cmp.Since, "both models are compared only after the retrained one's data")
	compared := 0
	for _, r := range cmp.Rows {
		if r.Queries == 0 {
			continue
		}
		require.NotNil(t, r.Compare, r.Period)
		compared++
		assert.InDelta(t, r.Compare.Final-r.Final, r.Compare.VsCurrent.Delta, 1e-9)
	}
	assert.Positive(t, compared)
}

func TestMonitorSeesDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny models")
	}
	ctx := context.Background()
	results := map[bool]MonitorResult{}
	for _, drift := range []bool{false, true} {
		p, run := monitoredProject(t, drift)
		res, err := p.Monitor(ctx, monitorOpts, nil)
		require.NoError(t, err)
		results[drift] = res
		assert.Equal(t, run.ID, res.Model)
		assert.Equal(t, run.ValEnd, res.Since, "monitoring starts where the model's data ended")
		require.Len(t, res.Refreshed, 2, "the re-import is re-mined and the first stage re-run: %v", res.Refreshed)
		mined, _, err := p.LastMine()
		require.NoError(t, err)
		assert.Equal(t, run.ValEnd, mined.Split.ValEnd, "re-mining keeps the model's split dates")

		// One row per month, from the model's data end to the archive's end,
		// with labels mined from the newly imported tickets.
		require.GreaterOrEqual(t, len(res.Rows), 11)
		labelled := 0
		for i, r := range res.Rows {
			s, _, l := eval.Month.Bucket(r.Start)
			assert.Equal(t, s, r.Start)
			assert.Equal(t, l, r.Period)
			if i > 0 {
				assert.Equal(t, res.Rows[i-1].End, r.Start, "months follow each other")
			}
			if r.Queries > 0 {
				labelled++
				assert.GreaterOrEqual(t, r.Labels, r.Queries)
				assert.InDelta(t, r.Final-r.FirstStage, r.VsFirst.Delta, 1e-9)
				assert.LessOrEqual(t, r.VsFirst.CILow, r.VsFirst.Delta)
				assert.GreaterOrEqual(t, r.VsFirst.CIHigh, r.VsFirst.Delta)
			}
		}
		assert.GreaterOrEqual(t, labelled, 10)

		// Monitoring again scores nothing new: the cache answers, same figures.
		again, err := p.Monitor(ctx, monitorOpts, nil)
		require.NoError(t, err)
		assert.Empty(t, again.Refreshed)
		assert.Equal(t, res.Rows[len(res.Rows)-1].Final, again.Rows[len(again.Rows)-1].Final)
		assert.FileExists(t, res.ReportMD)
		md, err := os.ReadFile(res.ReportMD)
		require.NoError(t, err)
		assert.Contains(t, string(md), res.Advice.Text)
	}

	// Label-free signals: rules unseen in training appear after the drift
	// date in the drifting archive only, and descriptions grow longer.
	signals := func(res MonitorResult, after bool) (unseen, lengthKS float64) {
		n := 0
		for _, r := range res.Rows {
			if r.Start.Before(monitorDrift) == after || r.Tickets == 0 {
				continue
			}
			unseen += r.Signals.UnseenRules
			lengthKS += r.Signals.Length.KS
			n++
		}
		return unseen / float64(n), lengthKS / float64(n)
	}
	driftUnseen, driftKS := signals(results[true], true)
	plainUnseen, plainKS := signals(results[false], true)
	beforeUnseen, _ := signals(results[true], false)
	// A rare rule firing for the first time counts too: a small archive
	// has a few percent of those without any drift.
	assert.Greater(t, driftUnseen, plainUnseen+0.2, "about synth.RetireShare of tickets come from replacement rules")
	assert.Less(t, plainUnseen, 0.15)
	assert.Less(t, beforeUnseen, 0.15, "no replacement rules before the drift date")
	assert.Greater(t, driftKS, plainKS+0.1, "text lengths move with the drift")

	// Advice: retrain on the drifting archive, for the new rules and for
	// a labelled drop: the weekly scanner's batches put other hosts'
	// findings, minutes old, in front of the host's own from last week,
	// and the learned preference for recent look-alikes misleads where
	// keyword search, matching the host, does not. The non-drifting
	// archive has no reason to retrain.
	drifted, plain := results[true].Advice, results[false].Advice
	for _, d := range []bool{true, false} {
		for _, r := range results[d].Rows {
			t.Logf("drift %-5v %s: %3d queries, first stage %.3f, final %.3f, Δ %+.3f", d, r.Period, r.Queries, r.FirstStage, r.Final, r.VsFirst.Delta)
		}
		t.Logf("drift %-5v advice: %s", d, results[d].Advice.Text)
	}
	assert.Equal(t, AdviceRetrain, drifted.Level, drifted.Text)
	assert.True(t, drifted.Drop, "the drop is detected: %s", drifted.Text)
	assert.Contains(t, drifted.Text, "the final system's lead over the first stage shrank")
	assert.Contains(t, drifted.Text, "come from rules added since training")
	var before, after []float64
	for _, r := range results[true].Rows {
		if r.Start.Before(monitorDrift) {
			before = append(before, leads(r.first, r.final)...)
		} else {
			after = append(after, leads(r.first, r.final)...)
		}
	}
	assert.Greater(t, mean(before), mean(after)+0.15, "the lead falls after the drift date")
	assert.False(t, plain.Drop, plain.Text)
	assert.Equal(t, AdviceOK, plain.Level, plain.Text)
	assert.NotContains(t, plain.Text, "come from rules added since training")
}
