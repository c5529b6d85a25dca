// Package testenv holds what the project's tests share about their
// environment: whether set-up assets (model weights, the PJRT plugin, the
// tokenizers library, PyTorch for the bench) must be present.
//
// A test whose asset is missing calls SkipOrFail. On a developer's machine
// before set-up that is a skip; under PRECEDENT_REQUIRE_ASSETS=1, which
// `make test` exports once set-up is done, it is a failure, so a test that
// promises a check can never pass by not running.
package testenv

import (
	"os"
	"testing"
)

// RequireAssetsEnv names the environment variable that turns a missing asset
// from a skip into a failure.
const RequireAssetsEnv = "PRECEDENT_REQUIRE_ASSETS"

// AssetsRequired reports whether RequireAssetsEnv is set to a non-empty value.
func AssetsRequired() bool { return os.Getenv(RequireAssetsEnv) != "" }

// SkipOrFail stops tb because an asset is missing: a failure (Fatalf) when
// AssetsRequired, a skip (Skipf) otherwise. It works for tests and
// benchmarks alike and never returns.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if AssetsRequired() {
		tb.Fatalf("asset required by "+RequireAssetsEnv+": "+format, args...)
		return
	}
	tb.Skipf(format, args...)
}
