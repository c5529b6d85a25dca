package mining

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/synth"
)

// TestMineBuiltInArchivePrecision holds mining to its targets on the built-in
// 20k synthetic archive (negated citations, work notes and link fields
// included, and citation noise at real rates: about 4% wrong keys, 5%
// citations of later tickets): mined-positive precision ≥ 0.95 overall and
// for expanded pairs; negated pairs never positives. The direct pairs carry
// the wrong keys themselves (about 0.95), so expansion must add no more noise
// than they have; merging groups through one citation gave 0.86 here.
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
	assert.GreaterOrEqual(t, rep.Final.Precision, 0.95, "mined positives")
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
