package platform

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testService(t *testing.T) Service {
	exe, err := os.Executable()
	require.NoError(t, err)
	return Service{Name: "precedent-serve", Exe: exe,
		Args: []string{"serve", "--model", "/srv/models/My Model 100%", "--addr", "127.0.0.1:8088", "--token-file", "/etc/precedent/$token"},
		Env:  []string{"PRECEDENT_HOME=/var/lib/precedent"}, LogDir: "/tmp/logs"}
}

func TestSystemdUnit(t *testing.T) {
	s := testService(t)
	unit := s.SystemdUnit()
	assert.Contains(t, unit, `"/srv/models/My Model 100%%"`, "spaces quoted, specifiers escaped")
	assert.Contains(t, unit, "/etc/precedent/$$token")
	assert.Contains(t, unit, "Restart=on-failure")
	assert.Contains(t, unit, "TimeoutStopSec=40")
	assert.Contains(t, unit, "WantedBy=default.target")
	assert.Contains(t, unit, "Environment=PRECEDENT_HOME=/var/lib/precedent")

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: unit not verified by systemd")
		return
	}
	path := filepath.Join(t.TempDir(), s.Name+".service")
	require.NoError(t, os.WriteFile(path, []byte(unit), 0o644))
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	assert.NoError(t, err, "systemd-analyze verify: %s", out)
	assert.NotContains(t, string(out), "Unknown key")

	// And it does catch a broken unit, so the check above means something.
	bad := strings.Replace(unit, "ExecStart="+s.Exe, "ExecStart=/nonexistent/precedent", 1)
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	_, err = exec.Command(sa, "verify", path).CombinedOutput()
	assert.Error(t, err)
}

func TestLaunchdPlist(t *testing.T) {
	s := testService(t)
	s.Args = append(s.Args, "--x", "a<b&c")
	plist := s.LaunchdPlist()
	var doc struct {
		Dict struct {
			Inner []string `xml:",any"`
		} `xml:"dict"`
	}
	require.NoError(t, xml.Unmarshal([]byte(plist), &doc), plist)
	assert.Contains(t, plist, "<string>com.precedent.precedent-serve</string>")
	assert.Contains(t, plist, "<string>a&lt;b&amp;c</string>")
	assert.Contains(t, plist, "<string>/srv/models/My Model 100%</string>")
	assert.Contains(t, plist, "<key>KeepAlive</key>")
	assert.Contains(t, plist, "/tmp/logs/precedent-serve.log")
	if pl, err := exec.LookPath("plutil"); err == nil {
		path := filepath.Join(t.TempDir(), "a.plist")
		require.NoError(t, os.WriteFile(path, []byte(plist), 0o644))
		out, err := exec.Command(pl, "-lint", path).CombinedOutput()
		assert.NoError(t, err, "%s", out)
	}
}

type recorded struct {
	calls []string
	codes map[string]int
}

func (r *recorded) run(name string, args ...string) (string, int, error) {
	c := name + " " + strings.Join(args, " ")
	r.calls = append(r.calls, c)
	for prefix, code := range r.codes {
		if strings.HasPrefix(c, prefix) {
			return "Bootstrap failed: 5: Input/output error", code, nil
		}
	}
	return "", 0, nil
}

func TestServiceManagerLinux(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", "")
	r := &recorded{}
	m := ServiceManager{GOOS: "linux", HomeDir: home, UID: 1000, Run: r.run}
	s := testService(t)
	path, err := m.Install(s)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, ".config", "systemd", "user", "precedent-serve.service"), path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, s.SystemdUnit(), string(b))
	assert.Equal(t, []string{"systemctl --user daemon-reload", "systemctl --user enable --now precedent-serve.service"}, r.calls)

	r.calls = nil
	_, err = m.Uninstall(s)
	require.NoError(t, err)
	assert.NoFileExists(t, path)
	assert.Equal(t, []string{"systemctl --user disable --now precedent-serve.service", "systemctl --user daemon-reload"}, r.calls)
}

func TestServiceManagerMacOS(t *testing.T) {
	home := t.TempDir()
	s := testService(t)
	s.LogDir = filepath.Join(home, "Library", "Logs", "Precedent")
	r := &recorded{}
	m := ServiceManager{GOOS: "darwin", HomeDir: home, UID: 501, Run: r.run}
	path, err := m.Install(s)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, "Library", "LaunchAgents", "com.precedent.precedent-serve.plist"), path)
	assert.Equal(t, []string{"launchctl bootstrap gui/501 " + path}, r.calls, "bootstrap, not the deprecated load")

	r = &recorded{codes: map[string]int{"launchctl bootstrap": 5}}
	m.Run = r.run
	_, err = m.Install(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exit 5")
	assert.Contains(t, err.Error(), "already loaded", "the exit code is explained")

	r = &recorded{codes: map[string]int{"launchctl bootout": 113}}
	m.Run = r.run
	_, err = m.Uninstall(s)
	require.NoError(t, err, "not loaded is fine when uninstalling")
	assert.NoFileExists(t, path)
}

func TestLaunchctlHint(t *testing.T) {
	for code, want := range map[int]string{1: "sudo", 5: "already loaded", 37: "in progress", 125: "GUI session", 113: "not loaded", 999: ""} {
		assert.Contains(t, LaunchctlHint(code), want, code)
	}
	assert.Empty(t, LaunchctlHint(999))
}

func TestServiceStatusExitCodes(t *testing.T) {
	for _, tc := range []struct {
		goos, cmd string
		code      int
		wantErr   string
	}{
		{"linux", "systemctl", 0, ""},
		{"linux", "systemctl", 3, "not running"},
		{"linux", "systemctl", 4, "not installed"},
		{"linux", "systemctl", 1, "systemctl --user status failed: exit 1"}, // e.g. "Failed to connect to bus"
		{"darwin", "launchctl", 0, ""},
		{"darwin", "launchctl", 113, "exit 113"},
	} {
		r := &recorded{codes: map[string]int{tc.cmd: tc.code}}
		m := ServiceManager{GOOS: tc.goos, HomeDir: t.TempDir(), UID: 1000, Run: r.run}
		_, err := m.Status(testService(t))
		if tc.wantErr == "" {
			assert.NoError(t, err, "%s exit %d", tc.cmd, tc.code)
		} else if assert.Error(t, err, "%s exit %d", tc.cmd, tc.code) {
			assert.Contains(t, err.Error(), tc.wantErr)
		}
	}
}
