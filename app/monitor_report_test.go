package app

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/precedent/precedent/ml/eval"
)

// TestFinalSystem checks that reports name the final system monitoring
// scored: before, they said "first stage + model" when it was the ranker.
func TestFinalSystem(t *testing.T) {
	fusion := eval.Fusion{Method: "score", Weight: 0.7}
	ranked := eval.Fusion{Method: "rrf", Weight: 0.5}
	for _, tc := range []struct {
		name string
		r    MonitorResult
		want string
	}{
		{"fusion", MonitorResult{FinalFrom: FinalFromFusion, Fusion: fusion}, "first stage + model (score 0.70)"},
		{"learned ranker", MonitorResult{FinalFrom: FinalFromRanker, Fusion: fusion, RankerFusion: &ranked}, "learned ranker + model (rrf 0.50)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.r.FinalSystem())
			md, _ := monitorReport(tc.r)
			assert.True(t, strings.Contains(md, "Final system: "+tc.want), md)
		})
	}
}
