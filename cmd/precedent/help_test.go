package main

import (
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noFigures are the commands that print records or serve, not figures:
// they need no --json. service prints the service manager's own text.
var noFigures = map[string]bool{"pairs": true, "serve": true, "service": true}

// captureStderr runs the CLI and returns its exit code and stderr.
func captureStderr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	code := run(args)
	os.Stderr = old
	require.NoError(t, w.Close())
	return code, string(<-done)
}

// helpPage is one command's --help, parsed.
type helpPage struct {
	synopsis string            // the Usage: line
	summary  string            // the text before Flags:
	flags    map[string]string // name → usage text
	repeated []string          // flag names listed more than once
}

var flagLine = regexp.MustCompile(`^  -([a-z0-9-]+)`)

func parseHelp(text string) helpPage {
	var h helpPage
	h.flags = map[string]string{}
	lines := strings.Split(text, "\n")
	inFlags, last := false, ""
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "Usage: "):
			h.synopsis = l
		case l == "Flags:":
			inFlags = true
		case inFlags && flagLine.MatchString(l):
			last = flagLine.FindStringSubmatch(l)[1]
			if _, ok := h.flags[last]; ok {
				h.repeated = append(h.repeated, last)
			}
			h.flags[last] = ""
		case inFlags && strings.HasPrefix(l, "    \t") && last != "":
			h.flags[last] = strings.TrimSpace(h.flags[last] + " " + strings.TrimSpace(l))
		case !inFlags && h.synopsis != "" && strings.TrimSpace(l) != "":
			h.summary += strings.TrimSpace(l) + " "
		}
	}
	return h
}

// subcommands are the commands whose --help pages are per subcommand.
var subcommands = map[string][]string{
	"negatives": {"mine", "list", "show", "mark"},
	"ca":        {"check", "export"},
	"model":     {"pull"},
	"service":   {"install", "status", "uninstall"},
}

// helpCommands are every command and subcommand that has a --help page.
func helpCommands() [][]string {
	var out [][]string
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if subs, ok := subcommands[n]; ok {
			for _, sub := range subs {
				out = append(out, []string{n, sub})
			}
			continue
		}
		out = append(out, []string{n})
	}
	return out
}

// TestEveryHelpPage reads every command's --help: a synopsis and summary,
// a usage text for every flag, no flag listed twice (in the list, or named
// as an optional [--flag] in the synopsis and again in the list), and
// --json on every command that prints figures.
func TestEveryHelpPage(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	for _, c := range helpCommands() {
		name := strings.Join(c, " ")
		t.Run(name, func(t *testing.T) {
			code, out := captureStderr(t, append(c, "--help")...)
			require.Equal(t, 0, code, out)
			h := parseHelp(out)
			assert.True(t, strings.HasPrefix(h.synopsis, "Usage: precedent "+name), "synopsis %q", h.synopsis)
			assert.NotEmpty(t, strings.TrimSpace(h.summary), "summary")
			assert.Empty(t, h.repeated, "flags listed twice")
			for f, usage := range h.flags {
				assert.NotEmpty(t, usage, "-%s has no usage text", f)
			}
			for _, m := range regexp.MustCompile(`\[--([a-z0-9-]+)`).FindAllStringSubmatch(h.synopsis, -1) {
				_, listed := h.flags[m[1]]
				assert.False(t, listed, "-%s is named in the synopsis and listed again under Flags", m[1])
			}
			if !noFigures[c[0]] {
				assert.Contains(t, h.flags, "json", "prints figures, so needs --json")
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	h := parseHelp("Usage: precedent x [--a N]\n\nDoes x.\n\nFlags:\n  -a int\n    \tthe a\n  -b\n  -a string\n    \tagain\n")
	assert.Equal(t, "Usage: precedent x [--a N]", h.synopsis)
	assert.Equal(t, "Does x. ", h.summary)
	assert.Equal(t, map[string]string{"a": "again", "b": ""}, h.flags)
	assert.Equal(t, []string{"a"}, h.repeated)
}
