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
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
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

// RealArchive returns the gunzipped real development archive
// (../shared/real/uct-pre2020.csv.gz beside the checkout, see its README),
// written to a temporary folder of tb. Without it the test is skipped with
// a message — even under PRECEDENT_REQUIRE_ASSETS: it is data that lives
// beside the checkout, not a set-up asset, and a clean clone elsewhere does
// not have it.
func RealArchive(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("real archive: %v", err)
	}
	var src string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			src = filepath.Join(filepath.Dir(d), "shared", "real", "uct-pre2020.csv.gz")
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	f, err := os.Open(src)
	if err != nil {
		tb.Skipf("real archive absent (%s): this test measures the learned ranker on ../shared/real/; %v", src, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("real archive %s: %v", src, err)
	}
	out := filepath.Join(tb.TempDir(), "uct.csv")
	w, err := os.Create(out)
	if err != nil {
		tb.Fatalf("real archive: %v", err)
	}
	if _, err := io.Copy(w, zr); err != nil {
		tb.Fatalf("real archive %s: %v", src, err)
	}
	if err := w.Close(); err != nil {
		tb.Fatalf("real archive: %v", err)
	}
	return out
}
