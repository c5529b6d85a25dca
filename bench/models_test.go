package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/internal/testenv"
)

// miniLMDir is models/all-MiniLM-L6-v2 in the first folder above the
// working directory that has it (make weights puts it in the checkout);
// the test skips, or fails under PRECEDENT_REQUIRE_ASSETS, without it.
func miniLMDir(t *testing.T) string {
	t.Helper()
	for d, _ := os.Getwd(); ; d = filepath.Dir(d) {
		dir := filepath.Join(d, "models", app.DefaultModel)
		if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "vocab.txt")); err == nil {
				return dir
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	testenv.SkipOrFail(t, "models/%s not found above the working directory (make weights)", app.DefaultModel)
	return ""
}

// envRounds reads the timing rounds a test runs from the environment
// variable name (0 when unset: the test only checks correctness).
func envRounds(t *testing.T, name string) int {
	t.Helper()
	rounds := 0
	if s := os.Getenv(name); s != "" {
		_, err := fmt.Sscan(s, &rounds)
		require.NoError(t, err, name)
	}
	return rounds
}
