package platform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Service describes a long-running Precedent process (the team server) to
// the operating system's service manager: a systemd user unit on Linux, a
// launchd agent on macOS.
type Service struct {
	Name    string   // unit / agent name, e.g. "precedent-serve"
	Exe     string   // absolute path of the precedent binary
	Args    []string // e.g. serve --model /abs/dir --addr 127.0.0.1:8088
	Env     []string // KEY=VALUE, e.g. PRECEDENT_HOME
	WorkDir string
	LogDir  string // launchd: where stdout/stderr go (systemd uses the journal)
}

// Label is the launchd label (reverse-DNS) of the service.
func (s Service) Label() string { return "com.precedent." + s.Name }

// SystemdUnit is the unit file text. It restarts on failure, gives the
// server's graceful shutdown 40 s after SIGTERM, and sandboxes what a
// user unit can.
func (s Service) SystemdUnit() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[Unit]\nDescription=Precedent reranking service (%s)\nDocumentation=https://github.com/precedent/precedent#team-server\n", s.Name)
	b.WriteString("After=network.target\n\n[Service]\nType=simple\n")
	args := []string{systemdQuote(s.Exe)}
	for _, a := range s.Args {
		args = append(args, systemdQuote(a))
	}
	fmt.Fprintf(&b, "ExecStart=%s\n", strings.Join(args, " "))
	if s.WorkDir != "" {
		fmt.Fprintf(&b, "WorkingDirectory=%s\n", systemdQuote(s.WorkDir))
	}
	for _, e := range s.Env {
		fmt.Fprintf(&b, "Environment=%s\n", systemdQuote(e))
	}
	b.WriteString("Restart=on-failure\nRestartSec=5\nKillSignal=SIGTERM\nTimeoutStopSec=40\n")
	// No PrivateTmp: in a user unit it needs unprivileged user namespaces, which some servers lack.
	b.WriteString("NoNewPrivileges=yes\nUMask=0077\n\n[Install]\nWantedBy=default.target\n")
	return b.String()
}

// systemdQuote quotes one word for ExecStart/Environment: specifiers (%)
// and variables ($) are escaped so paths are taken literally.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// LaunchdPlist is the agent's property list: run at load, restarted when
// it exits with a failure, 40 s to stop gracefully, logs under LogDir.
func (s Service) LaunchdPlist() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`)
	fmt.Fprintf(&b, "  <key>Label</key>\n  <string>%s</string>\n  <key>ProgramArguments</key>\n  <array>\n", xmlEscape(s.Label()))
	for _, a := range append([]string{s.Exe}, s.Args...) {
		fmt.Fprintf(&b, "    <string>%s</string>\n", xmlEscape(a))
	}
	b.WriteString("  </array>\n")
	if len(s.Env) > 0 {
		b.WriteString("  <key>EnvironmentVariables</key>\n  <dict>\n")
		for _, e := range s.Env {
			k, v, _ := strings.Cut(e, "=")
			fmt.Fprintf(&b, "    <key>%s</key>\n    <string>%s</string>\n", xmlEscape(k), xmlEscape(v))
		}
		b.WriteString("  </dict>\n")
	}
	if s.WorkDir != "" {
		fmt.Fprintf(&b, "  <key>WorkingDirectory</key>\n  <string>%s</string>\n", xmlEscape(s.WorkDir))
	}
	b.WriteString("  <key>RunAtLoad</key>\n  <true/>\n  <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>\n  </dict>\n")
	b.WriteString("  <key>ExitTimeOut</key>\n  <integer>40</integer>\n  <key>ProcessType</key>\n  <string>Background</string>\n")
	if s.LogDir != "" {
		log := filepath.Join(s.LogDir, s.Name+".log")
		fmt.Fprintf(&b, "  <key>StandardOutPath</key>\n  <string>%s</string>\n  <key>StandardErrorPath</key>\n  <string>%s</string>\n", xmlEscape(log), xmlEscape(log))
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// ServiceManager installs, inspects and removes a Service with the
// platform's service manager. Run executes a command and returns its
// combined output and exit code (tests replace it).
type ServiceManager struct {
	GOOS    string
	HomeDir string
	UID     int
	Run     func(name string, args ...string) (out string, code int, err error)
}

// NewServiceManager is the manager of this machine and user.
func NewServiceManager() (ServiceManager, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return ServiceManager{}, err
	}
	return ServiceManager{GOOS: runtime.GOOS, HomeDir: home, UID: os.Getuid(), Run: runCommand}, nil
}

func runCommand(name string, args ...string) (string, int, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode(), nil
	}
	if err != nil {
		return string(out), -1, err
	}
	return string(out), 0, nil
}

// ErrUnsupportedOS is returned where neither systemd nor launchd applies.
var ErrUnsupportedOS = errors.New("services are supported on Linux (systemd) and macOS (launchd)")

// File is where the unit or agent of s lives.
func (m ServiceManager) File(s Service) (string, error) {
	switch m.GOOS {
	case "linux":
		base := os.Getenv("XDG_CONFIG_HOME")
		if base == "" {
			base = filepath.Join(m.HomeDir, ".config")
		}
		return filepath.Join(base, "systemd", "user", s.Name+".service"), nil
	case "darwin":
		return filepath.Join(m.HomeDir, "Library", "LaunchAgents", s.Label()+".plist"), nil
	}
	return "", ErrUnsupportedOS
}

// Install writes the unit or agent and starts it now and at each login.
// It returns the file written; when the manager refuses, the error says
// why and the file stays for inspection.
func (m ServiceManager) Install(s Service) (string, error) {
	path, err := m.File(s)
	if err != nil {
		return "", err
	}
	text := s.SystemdUnit()
	if m.GOOS == "darwin" {
		text = s.LaunchdPlist()
		if s.LogDir != "" {
			if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
				return "", err
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", err
	}
	if m.GOOS == "linux" {
		if err := m.step("systemctl", "--user", "daemon-reload"); err != nil {
			return path, err
		}
		return path, m.step("systemctl", "--user", "enable", "--now", s.Name+".service")
	}
	out, code, err := m.Run("launchctl", "bootstrap", "gui/"+strconv.Itoa(m.UID), path)
	if err != nil {
		return path, fmt.Errorf("launchctl: %w", err)
	}
	if code != 0 {
		return path, fmt.Errorf("launchctl bootstrap gui/%d %s: exit %d: %s%s", m.UID, path, code, strings.TrimSpace(out), LaunchctlHint(code))
	}
	return path, nil
}

// Status is the manager's own report on the service; the error is non-nil
// unless the service runs (systemctl's exit code 0, launchctl print's 0).
func (m ServiceManager) Status(s Service) (string, error) {
	switch m.GOOS {
	case "linux":
		out, code, err := m.Run("systemctl", "--user", "status", "--no-pager", s.Name+".service")
		if err != nil {
			return out, err
		}
		switch code {
		case 0:
			return out, nil
		case 3: // LSB: not running; the text says why
			return out, fmt.Errorf("%s is installed but not running (systemctl exit 3)", s.Name)
		case 4:
			return out, fmt.Errorf("%s is not installed (precedent service install)", s.Name)
		default: // systemctl itself failed: no user bus, no session (loginctl enable-linger), ...
			return out, fmt.Errorf("systemctl --user status failed: exit %d", code)
		}
	case "darwin":
		out, code, err := m.Run("launchctl", "print", "gui/"+strconv.Itoa(m.UID)+"/"+s.Label())
		if err != nil {
			return out, err
		}
		if code != 0 {
			return out, fmt.Errorf("launchctl print: exit %d%s", code, LaunchctlHint(code))
		}
		return out, nil
	}
	return "", ErrUnsupportedOS
}

// Uninstall stops the service, disables it and removes its file.
func (m ServiceManager) Uninstall(s Service) (string, error) {
	path, err := m.File(s)
	if err != nil {
		return "", err
	}
	if m.GOOS == "linux" {
		if err := m.step("systemctl", "--user", "disable", "--now", s.Name+".service"); err != nil {
			return path, err
		}
	} else {
		out, code, err := m.Run("launchctl", "bootout", "gui/"+strconv.Itoa(m.UID)+"/"+s.Label())
		if err != nil {
			return path, fmt.Errorf("launchctl: %w", err)
		}
		if code != 0 && code != 3 && code != 113 { // not loaded: nothing to stop
			return path, fmt.Errorf("launchctl bootout: exit %d: %s%s", code, strings.TrimSpace(out), LaunchctlHint(code))
		}
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return path, err
	}
	if m.GOOS == "linux" {
		return path, m.step("systemctl", "--user", "daemon-reload")
	}
	return path, nil
}

func (m ServiceManager) step(name string, args ...string) error {
	out, code, err := m.Run(name, args...)
	if err != nil {
		return fmt.Errorf("%s: %w (is systemd running for this user? on a server without a login session: loginctl enable-linger $USER)", name, err)
	}
	if code != 0 {
		return fmt.Errorf("%s %s: exit %d: %s", name, strings.Join(args, " "), code, strings.TrimSpace(out))
	}
	return nil
}

// LaunchctlHint explains launchctl's exit codes (errno values and its own).
func LaunchctlHint(code int) string {
	switch code {
	case 1:
		return " (operation not permitted: run as the logged-in user, not with sudo)"
	case 2:
		return " (no such file: the plist path or the precedent binary is missing)"
	case 3, 113:
		return " (the agent is not loaded: nothing to stop, or install it first)"
	case 5:
		return " (input/output error: usually the agent is already loaded — run `precedent service uninstall` first — or the plist is invalid: plutil -lint it)"
	case 17, 37:
		return " (already loaded or in progress: run `precedent service uninstall`, then install again)"
	case 125:
		return " (this domain does not support the action: no GUI session for this user, e.g. over ssh; log in at the console once)"
	}
	return ""
}
