// Package scripts_test runs the set-up scripts' macOS branches on any
// machine, so CI on Linux checks what a Mac owner runs first.
package scripts_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
)

// fakeMac is a PATH holding the system tools the scripts use plus stubs
// for the macOS commands named in stubs (name → script body).
func fakeMac(t *testing.T, stubs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"bash", "uname", "tr", "sed", "grep", "dirname", "cat"} {
		p, err := exec.LookPath(tool)
		require.NoError(t, err, "the scripts need %s", tool)
		require.NoError(t, os.Symlink(p, filepath.Join(dir, tool)))
	}
	for name, body := range stubs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!"+filepath.Join(dir, "bash")+"\n"+body+"\n"), 0o755))
	}
	return dir
}

// runScript runs a script of this folder with env (after a fresh HOME).
func runScript(t *testing.T, script string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	require.NoError(t, err)
	cmd := exec.Command(bash, append([]string{script}, args...)...)
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return o.String(), e.String(), 0
}

func TestInstallDepsMacOS(t *testing.T) {
	present := map[string]string{
		"xcode-select": `echo /Library/Developer/CommandLineTools`,
		"go":           `[ "$1 $2" = "env GOVERSION" ] && echo go1.26.8`,
		"cargo":        `echo cargo 1.83.0`,
		"python3":      `echo pip 24.0`,
	}
	without := func(name string, replace ...string) map[string]string {
		m := map[string]string{}
		for k, v := range present {
			if k != name {
				m[k] = v
			}
		}
		if len(replace) > 0 {
			m[name] = replace[0]
		}
		return m
	}
	cases := []struct {
		name     string
		stubs    map[string]string
		wantCode int
		want     []string // in stdout on success, stderr on failure
	}{
		{"all present", present, 0, []string{"go1.26.8", "nothing to install for Fyne"}},
		{"no command line tools", without("xcode-select", "exit 2"), 1, []string{"missing 1 of 4", "xcode-select --install"}},
		{"no cargo", without("cargo"), 1, []string{"missing 1 of 4", "cargo (Rust)", "rustup"}},
		{"Go too old", without("go", `echo go1.22.5`), 1, []string{"Go 1.26 or newer (found go1.22.5)", "go.dev/dl"}},
		{"no Go", without("go"), 1, []string{"Go 1.26 or newer: install"}},
		{"python3 without pip", without("python3", "exit 1"), 1, []string{"python3 with pip"}},
		{"nothing", map[string]string{}, 1, []string{"missing 4 of 4", "xcode-select --install", "Go 1.26", "cargo", "python3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := fakeMac(t, c.stubs)
			out, errOut, code := runScript(t, "install-deps.sh", []string{"PATH=" + path, "PRECEDENT_OS=darwin", "PRECEDENT_ARCH=arm64"}, "--dry-run")
			assert.Equal(t, c.wantCode, code, "stdout: %s\nstderr: %s", out, errOut)
			text := out
			if c.wantCode != 0 {
				text = errOut
			}
			for _, w := range c.want {
				assert.Contains(t, text, w)
			}
			assert.NotContains(t, out+errOut, "apt-get", "the macOS branch installs nothing")
		})
	}
}

func TestInstallDepsMacOSIntelNote(t *testing.T) {
	path := fakeMac(t, map[string]string{"xcode-select": "true", "go": "echo go1.26.0", "cargo": "true", "python3": "true"})
	_, errOut, code := runScript(t, "install-deps.sh", []string{"PATH=" + path, "PRECEDENT_OS=darwin", "PRECEDENT_ARCH=x86_64"})
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "pure-Go backend")
}

// TestFetchPJRTMetalDryRun resolves the pinned jax-metal wheel for macOS
// arm64 on PyPI (metadata only) through the script's darwin branch and
// checks that a dry run writes nothing. It needs python3 and PyPI; without
// them it skips, unless PRECEDENT_REQUIRE_ASSETS is set (make test).
func TestFetchPJRTMetalDryRun(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		testenv.SkipOrFail(t, "python3 not found")
	}
	dest := filepath.Join(t.TempDir(), "pjrt")
	// The whole environment: pip may need the proxy and CA settings of make's PRECEDENT_CA_BUNDLE.
	out, errOut, code := runScript(t, "fetch-pjrt.sh", append(os.Environ(), "PRECEDENT_PJRT_OS=darwin", "PRECEDENT_PJRT_ARCH=arm64"), "--dry-run", dest)
	if code != 0 {
		testenv.SkipOrFail(t, "PyPI not reachable? %s", errOut)
	}
	assert.Contains(t, out, "resolved jax_metal-0.1.1-py3-none-macosx_13_0_arm64.whl (sha256=")
	assert.Contains(t, out, "pjrt_plugin_metal_14.dylib as "+filepath.Join(dest, "pjrt_c_api_metal_plugin.dylib"))
	assert.NoDirExists(t, dest, "a dry run writes nothing")
}

func TestFetchPJRTIntelMacSkips(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "pjrt")
	_, errOut, code := runScript(t, "fetch-pjrt.sh", []string{"PATH=" + os.Getenv("PATH"), "PRECEDENT_PJRT_OS=darwin", "PRECEDENT_PJRT_ARCH=x86_64"}, dest)
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "Apple silicon only")
	assert.NoDirExists(t, dest)
}

// TestFetchOnnxRuntimeMacDryRun resolves the pinned onnxruntime wheel for
// macOS arm64 on PyPI (metadata only) through the script's darwin branch
// and checks that a dry run writes nothing. It needs python3 and PyPI;
// without them it skips, unless PRECEDENT_REQUIRE_ASSETS is set (make test).
func TestFetchOnnxRuntimeMacDryRun(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		testenv.SkipOrFail(t, "python3 not found")
	}
	dest := filepath.Join(t.TempDir(), "onnxruntime")
	out, errOut, code := runScript(t, "fetch-onnxruntime.sh", append(os.Environ(), "PRECEDENT_ORT_OS=darwin", "PRECEDENT_ORT_ARCH=arm64"), "--dry-run", dest)
	if code != 0 {
		testenv.SkipOrFail(t, "PyPI not reachable? %s", errOut)
	}
	assert.Contains(t, out, "resolved onnxruntime-1.29.0-cp312-cp312-macosx_14_0_arm64.whl (sha256=")
	assert.Contains(t, out, "onnxruntime/capi/libonnxruntime.1.29.0.dylib as "+filepath.Join(dest, "libonnxruntime.dylib"))
	assert.NoDirExists(t, dest, "a dry run writes nothing")
}

func TestFetchOnnxRuntimeUnsupportedSkips(t *testing.T) {
	for _, c := range []struct{ os, arch string }{{"darwin", "x86_64"}, {"windows", "x86_64"}, {"linux", "riscv64"}} {
		t.Run(c.os+"-"+c.arch, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "onnxruntime")
			_, errOut, code := runScript(t, "fetch-onnxruntime.sh", []string{"PATH=" + os.Getenv("PATH"), "PRECEDENT_ORT_OS=" + c.os, "PRECEDENT_ORT_ARCH=" + c.arch}, dest)
			assert.Equal(t, 0, code)
			assert.Contains(t, errOut, "no PyPI wheel for "+c.os+"-"+c.arch)
			assert.NoDirExists(t, dest)
		})
	}
}
