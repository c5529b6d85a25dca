// Package fynecross_test checks fyne-cross/check-app.sh, the verification a
// Mac owner runs on Precedent.app, against stand-in bundles built here: a
// real darwin/arm64 Go executable (pure Go cross-compiles without a Mac) and
// a Mach-O stand-in for the Metal plugin.
package fynecross_test

import (
	"debug/macho"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform/machofixture"
)

const plist = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleExecutable</key><string>precedent-desktop</string>
<key>CFBundleIdentifier</key><string>ID</string>
<key>CFBundleShortVersionString</key><string>VERSION</string>
</dict></plist>
`

// crossBuild compiles a trivial Go program for goos/goarch.
func crossBuild(t *testing.T, goos, goarch string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module stand.in/app\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
	out := filepath.Join(dir, "precedent-desktop")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	return out
}

func TestCheckApp(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("check-app.sh reads Info.plist with python3")
	}
	armExe := crossBuild(t, "darwin", "arm64")
	amdExe := crossBuild(t, "darwin", "amd64")
	type bundle struct {
		id, version string
		exe         string
		plugin      []byte // nil: none
	}
	good := bundle{"io.precedent.desktop", "0.1.0", armExe, machofixture.MetalPlugin()}
	cases := []struct {
		name    string
		mutate  func(b *bundle)
		wantErr string // "" = passes
	}{
		{"good bundle", func(*bundle) {}, ""},
		{"wrong bundle ID", func(b *bundle) { b.id = "com.example.other" }, "bundle ID com.example.other, FyneApp.toml says io.precedent.desktop"},
		{"stale version", func(b *bundle) { b.version = "0.0.9" }, "version 0.0.9, FyneApp.toml says 0.1.0"},
		{"Intel executable", func(b *bundle) { b.exe = amdExe }, "not built for darwin/arm64"},
		{"no Metal plugin", func(b *bundle) { b.plugin = nil }, "no Metal plugin in Contents/Frameworks"},
		{"x86_64 plugin", func(b *bundle) {
			b.plugin = machofixture.Build(macho.CpuAmd64, macho.TypeDylib, []machofixture.Symbol{machofixture.Exported("_GetPjrtApi")}, false)
		}, "built for x86_64 (Intel), this needs arm64"},
		{"truncated plugin", func(b *bundle) { b.plugin = b.plugin[:20] }, "not a Mach-O library"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := good
			c.mutate(&b)
			app := filepath.Join(t.TempDir(), "Precedent.app")
			contents := filepath.Join(app, "Contents")
			require.NoError(t, os.MkdirAll(filepath.Join(contents, "MacOS"), 0o755))
			p := strings.NewReplacer("ID", b.id, "VERSION", b.version).Replace(plist)
			require.NoError(t, os.WriteFile(filepath.Join(contents, "Info.plist"), []byte(p), 0o644))
			exe, err := os.ReadFile(b.exe)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(contents, "MacOS", "precedent-desktop"), exe, 0o755))
			if b.plugin != nil {
				require.NoError(t, os.MkdirAll(filepath.Join(contents, "Frameworks"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(contents, "Frameworks", "pjrt_c_api_metal_plugin.dylib"), b.plugin, 0o644))
			}
			out, err := exec.Command("bash", "check-app.sh", app).CombinedOutput()
			if c.wantErr == "" {
				require.NoError(t, err, "%s", out)
				assert.Contains(t, string(out), "check-app: ok: io.precedent.desktop 0.1.0, Contents/MacOS/precedent-desktop darwin/arm64, Metal plugin arm64 exporting GetPjrtApi")
				return
			}
			require.Error(t, err, "%s", out)
			assert.Contains(t, string(out), c.wantErr)
		})
	}
}
