package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// service install takes every serve flag and writes each into the unit's
// command line, where serve parses back the same values.
func TestServiceInstallPassesEveryServeFlag(t *testing.T) {
	_, serveHelp := captureStderr(t, "serve", "--help")
	_, installHelp := captureStderr(t, "service", "install", "--help")
	serveFlags, installFlags := parseHelp(serveHelp).flags, parseHelp(installHelp).flags
	require.NotEmpty(t, serveFlags)
	for name, usage := range serveFlags {
		assert.Equal(t, usage, installFlags[name], "service install takes serve's --%s, with serve's help", name)
	}

	given := map[string]string{"model": "m", "addr": "127.0.0.1:9", "backend": "go", "precision": "bf16", "token-file": "tok",
		"tls-cert": "c.pem", "tls-key": "k.pem", "max-batch": "8", "max-wait": "7ms", "queue": "3", "max-texts": "9",
		"timeout": "11s", "read-timeout": "12s", "drain-delay": "13s", "lift-plain": "true"}
	fs := flag.NewFlagSet("service install", flag.ContinueOnError)
	o := addServeFlags(fs)
	var args []string
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := given[f.Name]
		require.True(t, ok, "the test gives every serve flag a non-default value: add --%s", f.Name)
		require.NotEqual(t, f.DefValue, v, "--%s", f.Name)
		args = append(args, "--"+f.Name+"="+v)
	})
	require.NoError(t, fs.Parse(args))
	unit, err := o.serviceArgs()
	require.NoError(t, err)
	require.Equal(t, "serve", unit[0])

	back := flag.NewFlagSet("serve", flag.ContinueOnError)
	addServeFlags(back)
	require.NoError(t, back.Parse(unit[1:]))
	back.VisitAll(func(f *flag.Flag) {
		want := given[f.Name]
		if servePathFlags[f.Name] {
			abs, err := filepath.Abs(want)
			require.NoError(t, err)
			want = abs
		}
		assert.Equal(t, want, f.Value.String(), "--%s reaches the unit", f.Name) // durations print as given ("7ms", "11s")
	})
}

// serve and service take no --home or --json: they would do nothing.
func TestServeHelpListsOnlyUsedFlags(t *testing.T) {
	for _, c := range [][]string{{"serve"}, {"service", "install"}, {"service", "status"}, {"service", "uninstall"}} {
		code, out := captureStderr(t, append(c, "--help")...)
		require.Equal(t, 0, code, out)
		flags := parseHelp(out).flags
		names := make([]string, 0, len(flags))
		for n := range flags {
			names = append(names, n)
		}
		sort.Strings(names)
		assert.NotContains(t, names, "home", c)
		assert.NotContains(t, names, "json", c)
	}
	_, out := captureStderr(t, "serve", "--help")
	assert.Contains(t, parseHelp(out).flags["precision"], "f32", "the precision default is stated")
	assert.Contains(t, out, `(default "f32")`)
}

// A missing certificate fails before the model loads and before
// "serving on https://" is printed.
func TestServeMissingTLSFailsFirst(t *testing.T) {
	dir := t.TempDir()
	code, out := captureStderr(t, "serve", "--model", filepath.Join(dir, "no-model"),
		"--tls-cert", filepath.Join(dir, "missing-cert.pem"), "--tls-key", filepath.Join(dir, "missing-key.pem"))
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "TLS certificate and key")
	assert.NotContains(t, out, "serving on")
	assert.NotContains(t, out, "no-model", "the certificate is checked before the model is opened")
}

// `service status` exits non-zero when systemctl itself fails (here: no
// user bus), not only when the unit is missing.
func TestServiceStatusFailsWhenSystemctlFails(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd is Linux's")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "systemctl"), []byte(script), 0o755))
	t.Setenv("PATH", bin)
	code, out := captureStderr(t, "service", "status")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, out, "exit 1")
}

// The Kubernetes example's serve arguments are serve's flags, and give a
// configuration serve accepts (off loopback: token from the environment, TLS).
func TestKubernetesExampleUsesServeFlags(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes.yaml"))
	require.NoError(t, err)
	text := string(b)
	var args []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- (--[a-z-]+=\S+)\s*$`).FindAllStringSubmatch(text, -1) {
		args = append(args, m[1])
	}
	require.NotEmpty(t, args)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	o := addServeFlags(fs)
	require.NoError(t, fs.Parse(args))
	cfg := o.config("token from PRECEDENT_SERVE_TOKEN")
	assert.NoError(t, cfg.Check())
	assert.Contains(t, text, "name: PRECEDENT_SERVE_TOKEN")
	assert.Regexp(t, `readinessProbe:\s+httpGet: \{path: /health`, text)
	assert.GreaterOrEqual(t, cfg.DrainDelay.Seconds(), 2.0*2, "the drain outlasts two failed readiness probes 2s apart")
}
