package testenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder is a testing.TB that records how SkipOrFail stopped it.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = format
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	r.msg = format
}

func TestSkipOrFail(t *testing.T) {
	for _, tc := range []struct {
		env                string
		wantFail, wantSkip bool
	}{
		{"", false, true},
		{"1", true, false},
	} {
		t.Run("env="+tc.env, func(t *testing.T) {
			t.Setenv(RequireAssetsEnv, tc.env)
			r := &recorder{TB: t}
			SkipOrFail(r, "weights missing")
			assert.Equal(t, tc.wantFail, r.failed, "failed")
			assert.Equal(t, tc.wantSkip, r.skipped, "skipped")
			assert.Contains(t, r.msg, "weights missing")
		})
	}
}
