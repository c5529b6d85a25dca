package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/ltr"
)

// On the real vulnerability tracker (../shared/real/) the learned ranker,
// chosen and measured on rolling-origin folds of the training window, beats
// the first stage it reorders, and the rule pivot raises the ceiling.
func TestRankerBeatsFirstStageOnRealArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("real archive: -short")
	}
	csv := testenv.RealArchive(t)
	ctx := context.Background()
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, err = p.Import(ctx, csv, ImportOptions{}, nil)
	require.NoError(t, err)
	_, err = p.Mine(ctx, MineOptions{Presets: []string{"cve"}}, nil)
	require.NoError(t, err)

	plain, err := p.FirstStage(ctx, FirstStageOptions{K: DefaultFirstStageK, Pivot: DefaultPivot}, nil)
	require.NoError(t, err)
	res, err := p.FirstStage(ctx, FirstStageOptions{K: DefaultFirstStageK, Pivot: DefaultPivot, RulePivot: DefaultRulePivot}, nil)
	require.NoError(t, err)
	t.Logf("hit@50 test %.3f → %.3f, validation %.3f → %.3f (rule pivot)", plain.HitRate["test"], res.HitRate["test"], plain.HitRate["validation"], res.HitRate["validation"])
	assert.Greater(t, res.HitRate["test"], plain.HitRate["test"]+0.03, "the rule pivot raises the ceiling")
	assert.Greater(t, res.HitRate["validation"], plain.HitRate["validation"]+0.03)

	a, err := p.loadArchive()
	require.NoError(t, err)
	m, err := p.matcher()
	require.NoError(t, err)
	stops, err := p.StopEntities()
	require.NoError(t, err)
	ev := newEvidence(a, stops)
	lists := func(w string) []rankerQuery {
		qcs, err := p.evalLists(a, w, 0)
		require.NoError(t, err)
		return p.rankerQueries(a, ev, m, qcs, DefaultFirstStageK, nil)
	}
	fit, err := fitRanker(lists("train"), nil)
	require.NoError(t, err)
	t.Logf("learned ranker: %s", fit.Summary())
	require.GreaterOrEqual(t, fit.FoldQueries, 200, "choices rest on hundreds of queries")
	assert.Greater(t, fit.FoldRanker, fit.FoldFirstStage*1.05, "pooled over the folds, at least +5%% MRR@10")
	var val []ltr.Query
	for _, q := range lists("validation") {
		val = append(val, q.ltr)
	}
	t.Logf("validation (%d queries): first stage %.3f, learned ranker %.3f", len(val), firstStageRR10(val), ltr.MeanRR10(fit.Model, val))
	assert.Greater(t, ltr.MeanRR10(fit.Model, val), firstStageRR10(val))
}
