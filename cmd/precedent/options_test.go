package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every command's options out of range are a usage error naming the flag,
// refused before the project is opened (app's Validate, one per options
// type).
func TestOptionFlagErrors(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"monitor", "--depth", "-1"}, "precedent monitor: --depth -1: want candidates per query"},
		{[]string{"monitor", "--bootstrap", "-5"}, "precedent monitor: --bootstrap -5: want bootstrap resamples"},
		{[]string{"monitor", "--period", "year"}, "precedent monitor: --period year: want week, month or quarter"},
		{[]string{"monitor", "--shift", "2"}, "precedent monitor: --shift 2: want a Kolmogorov-Smirnov distance, 0 to 1"},
		{[]string{"monitor", "--min-queries", "-1"}, "precedent monitor: --min-queries -1"},
	} {
		code, stderr := captureStderr(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}
