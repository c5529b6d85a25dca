package bench

import (
	"os"
	"path/filepath"
	"testing"

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
