package mining

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvaluateAgainstFakeArchive(t *testing.T) {
	tickets, truth := fakeArchive(5000, 1)
	opts := DefaultOptions()
	opts.MaxPerRule, opts.MaxPerRulePair = -1, -1
	res, err := Mine(tickets, opts)
	require.NoError(t, err)
	rep := EvaluateAgainstTruth(res, tickets, truth)
	t.Logf("funnel %+v", res.Funnel)
	t.Logf("missing %v", res.Missing)
	t.Logf("revealable %d final %+v", rep.Revealable, rep.Final)
	for _, v := range rep.Variants {
		t.Logf("  %+v", v)
	}
	assert.GreaterOrEqual(t, rep.Final.Precision, 0.95)
	assert.GreaterOrEqual(t, rep.Final.QueryRecall, 0.8, "most revealable queries get a positive")
	whole := rep.Variants[len(rep.Variants)-1]
	assert.GreaterOrEqual(t, whole.Recall, 0.8, "groups reveal most related pairs")
	seen := map[string]bool{}
	for _, p := range res.Pairs {
		k := p.Query + ">" + p.Positive
		assert.False(t, seen[k], "pair %s made twice", k)
		seen[k] = true
		assert.NotEqual(t, p.Query, p.Positive)
	}
}
