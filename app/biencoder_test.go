package app

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/ml/train"
)

// A bi-encoder is fine-tuned on a small synthetic project, saved in
// sentence-transformers layout, re-sorts stored lists, and serves as the
// dense first stage.
func TestTrainBiEncoderAndScores(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 1000)
	prepareTraining(t, p, 10)
	start, err := filepath.Abs(filepath.Join("..", "ml", "hf", "testdata", "bert-tiny"))
	require.NoError(t, err)
	if _, err := tokenizer.Load(filepath.Join(start, "tokenizer.json")); err != nil {
		testenv.SkipOrFail(t, "tokenizer library not available: %v", err)
	}
	// TrainBiEncoder switches to goSequential for training
	require.NoError(t, p.UpdateSettings(func(s *Settings) error { s.Backend = "go"; return nil }))

	// A promoted negative trains as a positive; the data knows every link.
	a, err := p.loadArchive()
	require.NoError(t, err)
	before, err := p.biEncoderData(a)
	require.NoError(t, err)
	var query, promoted string
	for q, negs := range before.negatives {
		var qc QueryCandidates
		_, _ = p.Store.GetRecord(collCandidates, q, &qc)
		if qc.Window == "train" && len(negs) > 0 {
			query, promoted = q, negs[0]
			break
		}
	}
	require.NotEmpty(t, query, "some train query has hard negatives")
	require.NoError(t, p.MarkReview(query, promoted, negatives.PromotedPositive))
	td, err := p.biEncoderData(a)
	require.NoError(t, err)
	assert.Contains(t, td.examples, biExample{query, promoted})
	assert.NotContains(t, td.negatives[query], promoted)
	assert.True(t, td.relevant[query][promoted])
	assert.Len(t, td.examples, len(before.examples)+1)

	events := map[string]int{}
	res, err := p.TrainBiEncoder(ctx, BiEncoderOptions{RunOptions: RunOptions{Model: start, MaxLen: 32, BatchSize: 8, MaxSteps: 4, EvalEvery: 2,
		ValQueries: 6, ValDepth: 5, LR: 1e-3}}, func(e Event) { events[e.Phase]++ })
	require.NoError(t, err)
	r := res.Run
	assert.Equal(t, "finished", r.Status)
	assert.Equal(t, 4, r.Steps)
	assert.Equal(t, len(td.examples), r.Examples)
	_, seq, err := Backend(goSequential)
	require.NoError(t, err)
	assert.Equal(t, seq.Description, r.Backend, "trained one op at a time on the pure-Go backend")
	assert.Positive(t, r.Negatives)
	assert.Equal(t, 4, events["train"])
	vals := 0
	for _, pt := range res.Curve {
		if pt.Val != nil {
			vals++
		}
	}
	assert.Equal(t, 2, vals, "validations at steps 2 and 4")
	assert.Positive(t, events["validate"])
	require.NotEmpty(t, r.ModelDir)
	for _, name := range []string{"config.json", "model.safetensors", "tokenizer.json", "modules.json",
		filepath.Join("1_Pooling", "config.json"), "sentence_bert_config.json", biEncoderConfigFile} {
		assert.FileExists(t, filepath.Join(r.ModelDir, name))
	}
	ck, err := hf.Load(r.ModelDir)
	require.NoError(t, err)
	assert.Equal(t, hf.PoolingMean, ck.Pooling)
	_, err = p.TrainBiEncoder(ctx, BiEncoderOptions{RunOptions: RunOptions{Resume: r.ID}}, nil)
	assert.ErrorContains(t, err, "already finished")
	runs, err := p.Runs()
	require.NoError(t, err)
	assert.Empty(t, runs, "bi-encoder runs stay out of the cross-encoder registry")

	// Re-sorting stored lists: one score per candidate, cosines, each
	// distinct ticket embedded once per side.
	lists, err := p.Candidates("test")
	require.NoError(t, err)
	lists = spread(lists, 5)
	want := map[string]bool{}
	for _, qc := range lists {
		want[biKey(qc.Query, biQuery)] = true
		for _, c := range qc.Candidates {
			want[biKey(c.ID, biDocument)] = true
		}
	}
	var total int64
	tuned, err := p.BiEncoderScores(ctx, r.ModelDir, lists, func(e Event) { total = e.Total })
	require.NoError(t, err)
	assert.Equal(t, int64(len(want)), total)
	require.Len(t, tuned, len(lists))
	off, err := p.biEncoderScores(ctx, start, lists, 32, 0, nil) // as the run embedded
	require.NoError(t, err)
	changed := false
	for i, qc := range lists {
		require.Len(t, tuned[i], len(qc.Candidates))
		for j, s := range tuned[i] {
			assert.Equal(t, qc.Candidates[j].ID, s.ID)
			assert.Equal(t, qc.Candidates[j].Rank, s.Rank0)
			assert.LessOrEqual(t, math.Abs(s.Score), 1+1e-5)
			if math.Abs(s.Score-off[i][j].Score) > 1e-6 {
				changed = true
			}
		}
	}
	assert.Equal(t, !r.KeptStart, changed, "the saved model is the trained one unless the start was kept")
	ev, err := p.BiEncoderEval(ctx, BiEncoderEvalOptions{Models: []string{start, r.ModelDir}, Depth: 10, MaxQueries: 5}, nil)
	require.NoError(t, err)
	require.Len(t, ev.Systems, 3)
	assert.Equal(t, 5, ev.Queries["test"])

	// The fine-tuned folder serves as the dense first stage.
	fs, err := p.FirstStage(ctx, FirstStageOptions{Source: "bi-encoder", Model: r.ModelDir, K: 10, MaxLen: 32}, nil)
	require.NoError(t, err)
	assert.Positive(t, fs.Queries["test"])

	bad := filepath.Join(t.TempDir(), "bad")
	require.NoError(t, os.CopyFS(bad, os.DirFS(r.ModelDir)))
	require.NoError(t, os.WriteFile(filepath.Join(bad, biEncoderConfigFile), []byte(`{"max_len": -3}`), 0o644))
	_, err = p.BiEncoderScores(ctx, bad, lists, nil)
	assert.ErrorContains(t, err, biEncoderConfigFile)
}

func TestKeepStart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    float64
		res      train.Result
		keepBase bool
	}{
		{"a step beat the start", 0.40, train.Result{BestStep: 19, BestMetric: 0.42}, false},
		{"no step beat the start", 0.394, train.Result{BestStep: 19, BestMetric: 0.379}, true},
		{"a tie keeps the start", 0.40, train.Result{BestStep: 5, BestMetric: 0.40}, true},
		{"nothing validated", 0.40, train.Result{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.keepBase, keepStart(tc.start, tc.res))
		})
	}
}

// BiEncoderScores embeds through the project's vector cache: scoring the
// same lists again embeds nothing and gives the same cosines, and the
// learned ranker's evidence, embedded with the same model and another
// document text, does not displace the bi-encoder's document vectors.
func TestBiEncoderScoresCached(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 100)
	haveRealModel(t, p)
	a, err := p.loadArchive()
	require.NoError(t, err)
	mt, err := p.matcher()
	require.NoError(t, err)
	q := a.Tickets[len(a.Tickets)-1]
	var list []negatives.Candidate
	for i, c := range a.Tickets[:5] {
		list = append(list, negatives.Candidate{ID: c.ID, Score: float32(5 - i), Rank: i + 1})
	}
	lists := []QueryCandidates{{Query: q.ID, Candidates: list}}
	embedded := func(step string) Progress {
		return func(e Event) {
			if e.Step == step && e.Phase == "embed" {
				assert.Fail(t, "embedded again", "%s: %d of %d", step, e.Done, e.Total)
			}
		}
	}
	var done int64
	first, err := p.BiEncoderScores(ctx, DefaultModel, lists, func(e Event) { done = e.Done })
	require.NoError(t, err)
	assert.Equal(t, int64(6), done, "the query and its five candidates")
	again, err := p.BiEncoderScores(ctx, DefaultModel, lists, embedded("bi-encoder"))
	require.NoError(t, err)
	assert.Equal(t, first, again)

	done = 0
	require.NoError(t, p.embedEvidence(ctx, newEvidence(a, nil), mt, func(e Event) { done = e.Done }, rankedLists{lists, len(list)}))
	assert.Equal(t, int64(6), done, "the evidence's query and five candidates")
	_, err = p.BiEncoderScores(ctx, DefaultModel, lists, embedded("bi-encoder"))
	require.NoError(t, err)
}
