package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/retrieve"
	"github.com/precedent/precedent/ml/tokenizer"
)

// newTestProject imports a small synthetic archive into a fresh project.
func newTestProject(t *testing.T, tickets int) *Project {
	t.Helper()
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	res, err := Synth(ctx, synth.Config{Tickets: tickets, Seed: 3}, filepath.Join(dir, "export"), nil)
	require.NoError(t, err)
	require.Equal(t, tickets, res.Tickets)
	rep, err := p.Import(ctx, filepath.Join(dir, "export", synth.TicketsCSVName), ImportOptions{}, nil)
	require.NoError(t, err)
	require.Equal(t, tickets, rep.Imported)
	return p
}

// prepareTraining runs the steps before training on p: mining, the first
// stage (k candidates per query) and hard negatives.
func prepareTraining(t *testing.T, p *Project, k int) {
	t.Helper()
	ctx := context.Background()
	_, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	_, err = p.FirstStage(ctx, FirstStageOptions{K: k}, nil)
	require.NoError(t, err)
	_, err = p.MineNegatives(ctx, NegativesOptions{}, nil)
	require.NoError(t, err)
}

// haveRealModel skips tests that need the weights `make weights` fetches.
func haveRealModel(t *testing.T, p *Project) string {
	t.Helper()
	dir, err := p.ResolveModel("")
	if err != nil {
		testenv.SkipOrFail(t, "no starting model: %v", err)
	}
	if _, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json")); err != nil {
		testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
	}
	return dir
}

func TestPipelineEndToEnd(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 1500)

	// Re-importing the same file changes nothing.
	rep, err := p.Import(ctx, filepath.Join(p.Dir, "export", synth.TicketsCSVName), ImportOptions{}, nil)
	require.NoError(t, err)
	assert.Zero(t, rep.Added)
	n, err := p.Store.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, 1500, n)

	mr, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	assert.Positive(t, mr.Funnel.Sampled)
	require.NotNil(t, mr.Truth, "a synth export carries its ground truth")
	assert.GreaterOrEqual(t, mr.Truth.Final.Precision, 0.9)
	require.Len(t, mr.Windows, 3)
	assert.True(t, mr.Split.TrainEnd.Before(mr.Split.ValEnd))

	fs, err := p.FirstStage(ctx, FirstStageOptions{K: 20}, nil)
	require.NoError(t, err)
	assert.Positive(t, fs.Queries["train"])
	assert.Positive(t, fs.Queries["test"])
	a, err := p.loadArchive()
	require.NoError(t, err)
	all, err := p.Candidates("")
	require.NoError(t, err)
	for _, qc := range all {
		q, _ := a.get(qc.Query)
		assert.LessOrEqual(t, len(qc.Candidates), 20)
		for _, c := range qc.Candidates {
			d, ok := a.get(c.ID)
			require.True(t, ok)
			require.True(t, d.Opened.Before(q.Opened), "candidate %s of %s opened after it", c.ID, q.ID)
		}
		for _, r := range qc.Relevant {
			d, _ := a.get(r)
			require.True(t, d.Opened.Before(q.Opened))
		}
	}

	nr, err := p.MineNegatives(ctx, NegativesOptions{}, nil)
	require.NoError(t, err)
	assert.Positive(t, nr.Negatives)
	require.NotNil(t, nr.FalseNegativeShare)
	assert.NotEmpty(t, nr.Ablation)

	// Reviews change what training sees.
	queue, err := p.ReviewQueue(ReviewFilter{State: "unreviewed"})
	require.NoError(t, err)
	var qr QueryReview
	for _, q := range queue {
		qr, err = p.NegativesFor(q)
		require.NoError(t, err)
		var c QueryCandidates
		_, _ = p.Store.GetRecord(collCandidates, q, &c)
		if c.Window == "train" && len(qr.Negatives) >= 2 && !qr.Negatives[0].Held && !qr.Negatives[1].Held {
			break
		}
	}
	require.GreaterOrEqual(t, len(qr.Negatives), 2)
	promoted, excluded := qr.Negatives[0].Candidate, qr.Negatives[1].Candidate
	require.NoError(t, p.MarkReview(qr.Query.ID, promoted, negatives.PromotedPositive))
	require.NoError(t, p.MarkReview(qr.Query.ID, excluded, negatives.Excluded))
	assert.ErrorContains(t, p.MarkReview(qr.Query.ID, "INC9999999", negatives.Excluded), "not a mined negative")
	assert.ErrorContains(t, p.MarkReview(qr.Query.ID, promoted, "maybe"), "unknown review state")
	exs, err := p.trainingExamples(a)
	require.NoError(t, err)
	label := map[string]float32{}
	for _, e := range exs {
		if e.Query == qr.Query.ID {
			label[e.Doc] = e.Label
		}
	}
	assert.Equal(t, float32(1), label[promoted], "a promoted negative trains as a positive")
	_, present := label[excluded]
	assert.False(t, present, "an excluded negative is not trained on")
	st, err := p.ReviewStatus()
	require.NoError(t, err)
	assert.Equal(t, 2, st.Reviewed)
	require.NoError(t, p.MarkReview(qr.Query.ID, excluded, negatives.Unreviewed))
	st, _ = p.ReviewStatus()
	assert.Equal(t, 1, st.Reviewed)

	haveRealModel(t, p)
	opts := TrainOptions{RunOptions: RunOptions{MaxLen: 48, BatchSize: 8, MaxSteps: 6, EvalEvery: 3, CheckpointEvery: 2,
		ValQueries: 5, ValDepth: 5, Backend: "go", LR: 1e-3}, FromScratch: true, ScratchLayers: 1, ScratchHidden: 32, PlainShare: 0.5}

	// A memory limit too small for the model refuses the run before it
	// starts; a tight one lowers the batch to what fits, and says so.
	tooSmall := opts
	tooSmall.MaxMemoryMB = 1
	_, err = p.Train(ctx, tooSmall, nil)
	require.ErrorIs(t, err, backend.ErrTooBig)
	runs, err := p.Runs()
	require.NoError(t, err)
	require.Empty(t, runs, "a refused run is not recorded")
	sm, _, _, err := p.startModel(opts.withDefaults())
	require.NoError(t, err)
	shape := backend.ShapeOf(sm.Config())
	opts.MaxMemoryMB = int((backend.TrainingBytes(shape, opts.BatchSize, opts.MaxLen) - 1) >> 20) // the whole MB just below batch 8
	fit, err := backend.FitTraining(int64(opts.MaxMemoryMB)<<20, shape, opts.BatchSize, opts.MaxLen)
	require.NoError(t, err)
	require.Less(t, fit.Batch, opts.BatchSize)
	var memNote string

	// Cancel after the first checkpoint, then resume to the end.
	cctx, cancel := context.WithCancel(ctx)
	_, err = p.Train(cctx, opts, func(e Event) {
		if strings.HasPrefix(e.Message, "memory:") {
			memNote = e.Message
		}
		if e.Phase == "checkpoint" && e.Done >= 2 {
			cancel()
		}
	})
	cancel()
	require.ErrorIs(t, err, context.Canceled)
	runs, err = p.Runs()
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, "cancelled", runs[0].Status)
	assert.Equal(t, fit.Batch, runs[0].Options.BatchSize, "the batch lowered to fit the memory limit")
	assert.Equal(t, "memory: lowered to "+fit.String(), memNote)
	tr, err := p.Train(ctx, TrainOptions{RunOptions: RunOptions{Resume: "last", Backend: "go"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, tr.Run.Steps)
	assert.Equal(t, runs[0].ID, tr.Run.ID, "resume continues the same run")
	assert.Equal(t, 0.5, tr.Run.Options.PlainShare, "the plain share is recorded and kept on resume")
	assert.FileExists(t, filepath.Join(tr.Run.ModelDir, "model.safetensors"))
	_, err = p.Train(ctx, TrainOptions{RunOptions: RunOptions{Resume: tr.Run.ID}}, nil)
	assert.ErrorContains(t, err, "already")

	var mu sync.Mutex
	lastOf := map[string]Event{} // the learned ranker's phases: their last report
	ev, err := p.Evaluate(ctx, EvalOptions{MaxQueries: 8, Depth: 10, Permutations: 200, Resamples: 100, Backend: "go"}, func(e Event) {
		if strings.HasPrefix(e.Phase, "learned ranker: ") {
			mu.Lock()
			lastOf[e.Phase] = e
			mu.Unlock()
		}
	})
	require.NoError(t, err)
	assert.Equal(t, 8, ev.Queries)
	// Its two long phases count to their end.
	require.NotNil(t, ev.RankerFit, "a learned ranker was fitted")
	for _, phase := range []string{"learned ranker: evidence", "learned ranker: fits"} {
		e, ok := lastOf[phase]
		require.True(t, ok, phase)
		assert.Equal(t, "evaluate", e.Step)
		assert.Positive(t, e.Total, phase)
		assert.Equal(t, e.Total, e.Done, "%s ends at its total", phase)
	}
	// The starting checkpoint has no trained reranking head: it is no
	// baseline unless asked for, and the report says why.
	assert.Nil(t, ev.Baseline)
	assert.Contains(t, ev.BaselineSkipped, "from scratch")
	checkEvalFigures(t, p, ev, 10)
	ev, err = p.Evaluate(ctx, EvalOptions{MaxQueries: 8, Depth: 10, Permutations: 200, Resamples: 100, Backend: "go", Baseline: true}, nil)
	require.NoError(t, err)
	require.NotNil(t, ev.Baseline, "--baseline scores it anyway")
	assert.Empty(t, ev.BaselineSkipped)
	checkEvalFigures(t, p, ev, 10)
	assert.FileExists(t, ev.ReportHTML)
	assert.FileExists(t, filepath.Join(ev.TRECDir, "qrels.txt"))
	assert.FileExists(t, filepath.Join(ev.TRECDir, "run.finetuned.txt"))

	out := filepath.Join(t.TempDir(), "exported")
	_, err = p.Export("best", out)
	require.NoError(t, err)
	_, err = p.Export("best", out)
	assert.ErrorContains(t, err, "not empty")
	checkExport(t, p, out)
}

func TestOpenInUse(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	defer p.Close()
	_, err = Open(dir)
	require.Error(t, err)
	assert.True(t, IsInUse(err), "got %v", err)
}

func TestStepsNeedTheirInputs(t *testing.T) {
	ctx := context.Background()
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, err = p.Mine(ctx, MineOptions{}, nil)
	assert.ErrorContains(t, err, "archive is empty")
	p2 := newTestProject(t, 300)
	_, err = p2.FirstStage(ctx, FirstStageOptions{}, nil)
	assert.ErrorContains(t, err, "run mining first")
	_, err = p2.Mine(ctx, MineOptions{Patterns: []string{"INC(\\d{7}"}}, nil)
	assert.ErrorContains(t, err, "INC(\\d{7}")
	_, err = p2.Demo(ctx, DemoOptions{Tickets: 500}, nil)
	assert.ErrorContains(t, err, "already holds an archive")
	_, err = p2.Evaluate(ctx, EvalOptions{}, nil)
	assert.ErrorContains(t, err, "no training runs")
}

func TestImportRejectsAndKeepsStore(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 300)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("Number,Opened,Short description\nINC0000001,not a time,x\nINC0000002,2024-01-01 10:00:00,ok\n"), 0o644))
	rep, err := p.Import(ctx, bad, ImportOptions{}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Rejected)
	assert.Equal(t, 1, rep.Imported)
	assert.FileExists(t, rep.RejectsFile)
	n, _ := p.Store.CountTickets()
	assert.Equal(t, 301, n, "the earlier archive is intact")
	_, err = p.Import(ctx, bad, ImportOptions{Mapping: "id=Nope"}, nil)
	assert.ErrorContains(t, err, "Nope")
}

// A user's own cross-encoder folder (BERT or XLM-R, with its head) is
// fine-tuned and compared off-the-shelf vs fine-tuned; the export keeps its
// architecture.
func TestFineTuneCrossEncoderFolder(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 1000)
	prepareTraining(t, p, 10)
	for _, tc := range []struct{ folder, arch string }{
		{"bert-tiny-cross", "BertForSequenceClassification"},
		{"xlmr-tiny-cross", "XLMRobertaForSequenceClassification"},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("..", "ml", "hf", "testdata", tc.folder))
			require.NoError(t, err)
			if _, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json")); err != nil {
				testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
			}
			tr, err := p.Train(ctx, TrainOptions{RunOptions: RunOptions{Model: dir, MaxLen: 48, BatchSize: 8, MaxSteps: 4, EvalEvery: 2,
				ValQueries: 4, ValDepth: 5, Backend: "go", LR: 1e-3}}, nil)
			require.NoError(t, err)
			assert.Equal(t, dir, tr.Run.StartModel)
			ev, err := p.Evaluate(ctx, EvalOptions{Run: tr.Run.ID, MaxQueries: 5, Depth: 5, Permutations: 100, Resamples: 50, Backend: "go"}, nil)
			require.NoError(t, err)
			require.NotNil(t, ev.Baseline, "the off-the-shelf cross-encoder is the baseline")
			cfg, err := os.ReadFile(filepath.Join(tr.Run.ModelDir, "config.json"))
			require.NoError(t, err)
			assert.Contains(t, string(cfg), tc.arch)
		})
	}
}

// The dense first stages: a bi-encoder checkpoint run by the engine (cached:
// a second run embeds nothing), and vectors imported from another index.
func TestDenseFirstStages(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 600)
	_, err := p.Mine(ctx, MineOptions{}, nil)
	require.NoError(t, err)
	dir, err := filepath.Abs(filepath.Join("..", "ml", "hf", "testdata", "bert-tiny"))
	require.NoError(t, err)
	if _, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json")); err != nil {
		testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
	}
	require.NoError(t, p.UpdateSettings(func(s *Settings) error { s.Backend = "go"; return nil }))
	embeds := 0
	count := func(e Event) {
		if e.Phase == "embed" {
			embeds++
		}
	}
	fs, err := p.FirstStage(ctx, FirstStageOptions{Source: "bi-encoder", Model: dir, K: 10, MaxLen: 32}, count)
	require.NoError(t, err)
	assert.Positive(t, embeds)
	assert.Equal(t, 600, fs.Docs)
	assert.Positive(t, fs.Queries["test"])
	a, _ := p.loadArchive()
	qcs, err := p.Candidates("")
	require.NoError(t, err)
	for _, qc := range qcs {
		q, _ := a.get(qc.Query)
		for _, c := range qc.Candidates {
			d, _ := a.get(c.ID)
			require.True(t, d.Opened.Before(q.Opened), "dense candidates are time-aware")
		}
	}
	embeds = 0
	again, err := p.FirstStage(ctx, FirstStageOptions{Source: "bi-encoder", Model: dir, K: 10, MaxLen: 32}, count)
	require.NoError(t, err)
	assert.Zero(t, embeds, "a second run reuses the cached embeddings")
	assert.Equal(t, fs.MRR10, again.MRR10)
	half, err := p.FirstStage(ctx, FirstStageOptions{Source: "bi-encoder", Model: dir, K: 10, MaxLen: 32, Float16: true}, nil)
	require.NoError(t, err)
	assert.InDelta(t, fs.MRR10["test"], half.MRR10["test"], 0.05, "half floats rank nearly the same")

	// Imported vectors: one JSONL line per ticket (here: hashed tokens).
	vecs := filepath.Join(t.TempDir(), "vectors.jsonl")
	f, err := os.Create(vecs)
	require.NoError(t, err)
	for _, tk := range a.Tickets {
		v := make([]float32, 16)
		for tok := range data.Tokens(tk.Title) {
			v[len(tok)%16]++
		}
		v[0] += 0.1
		b, _ := json.Marshal(map[string]any{"id": tk.ID, "vector": v})
		_, _ = f.Write(append(b, '\n'))
	}
	require.NoError(t, f.Close())
	fv, err := p.FirstStage(ctx, FirstStageOptions{Source: "vectors", VectorsPath: vecs, K: 10}, nil)
	require.NoError(t, err)
	assert.Positive(t, fv.Queries["test"])
	_, err = p.FirstStage(ctx, FirstStageOptions{Source: "vectors"}, nil)
	assert.ErrorContains(t, err, "--vectors")
	bad := filepath.Join(t.TempDir(), "few.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id":"`+a.Tickets[0].ID+`","vector":[1,2]}`+"\n"), 0o644))
	_, err = p.FirstStage(ctx, FirstStageOptions{Source: "vectors", VectorsPath: bad}, nil)
	assert.ErrorContains(t, err, "cover only 1 of 600")
}

func TestEntityPivot(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	tk := func(id, user string, ago time.Duration) data.Ticket {
		return data.Ticket{ID: id, User: user, Opened: t0.Add(-ago), Title: "alert " + id}
	}
	ts := []data.Ticket{
		tk("OLD", "j.smith", 40*day), // outside the window
		tk("A", "j.smith", 5*day),
		tk("B", "ACME\\jsmith", 2*day), // the same user, written by another product
		tk("C", "k.liu", 1*day),        // another user
		tk("BM", "x.y", 3*day),
		tk("Q", "john.smith", 0),
		tk("LATER", "j.smith", -day), // opened after the query
	}
	slices.SortFunc(ts, func(a, b data.Ticket) int { return a.Opened.Compare(b.Opened) })
	a := &archive{Tickets: ts, Index: map[string]int{}}
	for i, x := range ts {
		a.Index[x.ID] = i
	}
	qs := []retrieve.Query{{ID: "Q", Before: t0}}
	list := func() [][]negatives.Candidate {
		return [][]negatives.Candidate{{{ID: "BM", Score: 3, Rank: 1}, {ID: "C", Score: 2, Rank: 2}, {ID: "A", Score: 1, Rank: 3}}}
	}
	cands := list()
	entityPivot(a, qs, cands, 3, 2, 30*day, nil)
	var ids []string
	for _, c := range cands[0] {
		ids = append(ids, c.ID)
	}
	// B is added (A is already listed); the list keeps k entries, so the tail gives way.
	assert.Equal(t, []string{"BM", "C", "B"}, ids)
	assert.Equal(t, 3, cands[0][2].Rank)
	assert.Equal(t, float32(2), cands[0][2].Score, "added candidates carry the list's lowest score")

	// The query's user as a stop-entity (on most of the archive): no pivot.
	cands = list()
	entityPivot(a, qs, cands, 3, 2, 30*day, pairtext.StopsOf([]pairtext.Entity{{Kind: pairtext.User, Value: "john.smith"}}))
	ids = nil
	for _, c := range cands[0] {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"BM", "C", "A"}, ids)
}

// checkEvalFigures recomputes an evaluation's figures by hand from what it
// rests on: the first stage's rank of each query's first relevant ticket
// from the stored candidate lists (in first-stage rank order, cut at
// depth), each system's MRR@10 as the mean of 1/rank over the per-query
// ranks, and the comparisons (against the first stage and the headline
// against the best baseline) from those means.
func checkEvalFigures(t *testing.T, p *Project, ev EvalResult, depth int) {
	t.Helper()
	qcs, err := p.Candidates("test")
	require.NoError(t, err)
	byQuery := map[string]QueryCandidates{}
	for _, qc := range qcs {
		byQuery[qc.Query] = qc
	}
	require.Len(t, ev.Details, ev.Queries)
	mrr := map[string]float64{}
	for _, d := range ev.Details {
		qc, ok := byQuery[d.Query]
		require.True(t, ok, "query %s has a stored candidate list", d.Query)
		cands := slices.Clone(qc.Candidates)
		slices.SortFunc(cands, func(a, b negatives.Candidate) int { return a.Rank - b.Rank })
		rel := map[string]bool{}
		for _, id := range qc.Relevant {
			rel[id] = true
		}
		want := 0
		for i, c := range cands[:min(depth, len(cands))] {
			if rel[c.ID] {
				want = i + 1
				break
			}
		}
		assert.Equal(t, want, d.Ranks["first_stage"], "query %s: first stage's rank of its first relevant ticket", d.Query)
		for n, r := range d.Ranks {
			if r >= 1 && r <= 10 {
				mrr[n] += 1 / float64(r) / float64(ev.Queries)
			}
		}
	}
	systems := map[string]*SystemEval{SysFirstStage: &ev.FirstStage, SysBaseline: ev.Baseline, SysBaselineFusion: ev.BaselineFusion,
		SysFinetuned: &ev.Finetuned, SysFinal: &ev.Final, SysLeakProbe: ev.LeakProbe}
	for n, se := range systems {
		if se != nil {
			assert.InDelta(t, mrr[n], se.MRR10, 1e-12, "%s MRR@10 from the per-query ranks", n)
		}
	}
	assert.InDelta(t, ev.Finetuned.MRR10-ev.FirstStage.MRR10, ev.PureVsFirst.Delta, 1e-12, "fine-tuned vs first stage")
	assert.InDelta(t, ev.Final.MRR10-ev.FirstStage.MRR10, ev.VsFirst.Delta, 1e-12, "final vs first stage")
	best := systems[ev.BestBaseline]
	require.NotNil(t, best, "best baseline %q is a reported system", ev.BestBaseline)
	for _, n := range []string{SysFirstStage, SysBaseline, SysBaselineFusion} {
		if se := systems[n]; se != nil {
			assert.GreaterOrEqual(t, best.MRR10, se.MRR10, "%s is the best baseline", ev.BestBaseline)
		}
	}
	assert.InDelta(t, ev.Final.MRR10-best.MRR10, ev.VsBest.Delta, 1e-12, "the headline: final vs best baseline")
	if best.MRR10 > 0 {
		assert.InDelta(t, 100*ev.VsBest.Delta/best.MRR10, ev.UpliftPct, 1e-9)
	}
	assert.Equal(t, [2]float64{ev.VsBest.CILow, ev.VsBest.CIHigh}, ev.CI95)
	assert.LessOrEqual(t, ev.CI95[0], ev.VsBest.Delta+1e-12)
	assert.GreaterOrEqual(t, ev.CI95[1], ev.VsBest.Delta-1e-12)
}

// TestMineWithoutGroundTruthFile: a synthetic export moved away after the
// import leaves mining unscored, not failed.
func TestMineWithoutGroundTruthFile(t *testing.T) {
	p := newTestProject(t, 600)
	truth := filepath.Join(p.Dir, "export", synth.TruthName)
	require.NoError(t, os.Remove(truth))
	mr, err := p.Mine(context.Background(), MineOptions{}, nil)
	require.NoError(t, err)
	assert.Nil(t, mr.Truth)
	assert.Contains(t, mr.TruthNote, truth)
	assert.Contains(t, mr.TruthNote, "is gone")
	assert.Positive(t, mr.Funnel.Sampled)
	pairs, err := p.Pairs()
	require.NoError(t, err)
	assert.NotEmpty(t, pairs, "the mined pairs are stored")
}
