package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAddChainCounts(t *testing.T) {
	for _, n := range []int64{1, 7, 1000} {
		assert.Equal(t, n*chainAdds, addChain(n), "n=%d", n)
	}
}

func TestMeasureClockPlausible(t *testing.T) {
	if !haveAddChain {
		t.Skip("no add chain for this architecture")
	}
	ghz := measureClock()
	// Load on the machine can only lower it; no CPU core runs above ~6 GHz.
	assert.Greater(t, ghz, 0.1)
	assert.Less(t, ghz, 7.0)
}
