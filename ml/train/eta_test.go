package train

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ETA counts the validations still due, not only the steps: with a
// slow validation every 4 steps, the ETA after step 1 is at least the 4
// validations left (steps 4, 8, 12, 15) times the validation's duration.
func TestETAIncludesValidations(t *testing.T) {
	m := newBagModel(1, 0)
	cfg := toyConfig("")
	cfg.EvalEvery = 4
	const slow = 40 * time.Millisecond
	calls := 0
	validate := func(context.Context) (float64, error) {
		calls++
		time.Sleep(slow)
		return float64(calls), nil
	}
	var etas []time.Duration
	_, err := Train(context.Background(), testBackend(), m, newToySet(40, 1), cfg, validate, func(e Event) {
		if e.Phase == PhaseValidate && e.Step == 4 {
			etas = append(etas, e.ETA)
		}
	})
	require.NoError(t, err)
	require.Len(t, etas, 1)
	assert.GreaterOrEqual(t, etas[0], 3*slow, "after the validation at step 4, three more are due (8, 12, 15)")

	r := &run{cfg: cfg, n: 40, st: state{TotalSteps: 15}}
	for _, tc := range []struct{ step, want int }{{0, 4}, {3, 4}, {4, 3}, {12, 1}, {14, 1}, {15, 0}} {
		assert.Equal(t, tc.want, r.evalsAfter(tc.step), "after step %d", tc.step)
	}
	r.cfg.EvalEvery = 0 // once per epoch: 5 batches of 8
	assert.Equal(t, 3, r.evalsAfter(0))
	assert.Equal(t, 2, r.evalsAfter(5))
}
