//go:build linux

package bench

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr string
	}{
		{"present", "Name:\tx\nVmPeak:\t  900 kB\nVmHWM:\t  1234 kB\nVmRSS:\t 1000 kB\n", 1234, ""},
		{"missing", "Name:\tx\nVmRSS:\t 1000 kB\n", 0, "no VmHWM line"},
		{"bad unit", "VmHWM:\t 12 MB\n", 0, `want "<n> kB"`},
		{"bad number", "VmHWM:\t x kB\n", 0, "invalid syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM(bufio.NewScanner(strings.NewReader(tt.status)))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// touch allocates n bytes and writes every page, so they count as
// resident.
func touch(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		b[i] = 1
	}
	return b
}

// TestPeakRSSIsPerStep runs a large step then a small one: the small step
// must not inherit the large one's peak.
func TestPeakRSSIsPerStep(t *testing.T) {
	const big, small = 256 << 20, 16 << 20
	step := func(n int) func(context.Context) (Row, error) {
		return func(context.Context) (Row, error) {
			b := touch(n)
			return Row{Value: float64(b[0])}, nil
		}
	}
	rb, err := withPeakRSS(step(big))(context.Background())
	require.NoError(t, err)
	rs, err := withPeakRSS(step(small))(context.Background())
	require.NoError(t, err)
	require.Equal(t, "step", rb.PeakRSSScope, "clear_refs refused: cannot check the reset here")
	assert.Equal(t, "step", rs.PeakRSSScope)
	assert.Greater(t, rb.PeakRSS, int64(big))
	assert.Less(t, rs.PeakRSS, rb.PeakRSS-big/2, "small step %s after big step %s", fmtBytes(rs.PeakRSS), fmtBytes(rb.PeakRSS))
}
