package mining

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/synth"
)

// TestMineBuiltInArchivePrecision holds mining to its targets on the built-in
// 20k synthetic archive (negated citations, work notes and link fields
// included): mined-positive precision ≥ 0.97 overall and ≥ 0.95 for
// expanded pairs; negated pairs never positives.
func TestMineBuiltInArchivePrecision(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and mines the 20k archive")
	}
	a, err := synth.Generate(synth.Config{})
	require.NoError(t, err)
	res, err := Mine(a.Tickets, DefaultOptions())
	require.NoError(t, err)
	rep := EvaluateAgainstTruth(res, a.Tickets, a.Truth)
	t.Logf("funnel %+v", res.Funnel)
	t.Logf("final %+v", rep.Final)
	for _, s := range rep.Stages {
		t.Logf("stage %+v", s)
	}
	for _, c := range rep.Classes {
		t.Logf("class %+v", c)
	}
	assert.GreaterOrEqual(t, rep.Final.Precision, 0.97, "mined positives")
	byName := map[string]Score{}
	for _, s := range rep.Stages {
		byName[s.Name] = s
	}
	assert.GreaterOrEqual(t, byName["expanded"].Precision, 0.95, "expanded positives")
	for _, p := range res.Pairs {
		if p.Class == ClassNegated {
			assert.False(t, p.Training())
			assert.False(t, p.Relevant())
		}
	}
}
