package platform

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMallocNote(t *testing.T) {
	tests := []struct {
		state int
		tuned bool
		note  string
	}{
		{1, true, "1 arena"},
		{2, false, "PRECEDENT_MALLOC=system"},
		{3, false, "GLIBC_TUNABLES"},
		{-1, false, "refused"},
		{0, false, "defaults"},
	}
	for _, tt := range tests {
		got := mallocNote(tt.state)
		assert.Equal(t, tt.tuned, got.Tuned, "state %d", tt.state)
		assert.Contains(t, got.Note, tt.note, "state %d", tt.state)
	}
}

// glibcCgo reports whether this test binary runs the glibc constructor:
// elsewhere the note is the C library's defaults whatever the environment.
func glibcCgo() bool { return Malloc().Note != mallocNote(0).Note }

// TestMallocHelper prints this process's Malloc note; the tests below run
// it in a child with another environment.
func TestMallocHelper(t *testing.T) {
	if os.Getenv("PRECEDENT_MALLOC_HELPER") != "1" {
		t.Skip("run by TestMallocFollowsEnvironment")
	}
	info := Malloc()
	t.Logf("tuned=%v note=%s", info.Tuned, info.Note)
	if info.Tuned {
		ReleaseMemory()
	}
}

func TestMallocFollowsEnvironment(t *testing.T) {
	if !glibcCgo() {
		t.Skip("the heap is tuned only on Linux with glibc and cgo")
	}
	tests := []struct {
		name, env, want string
	}{
		{"default", "", "tuned=true"},
		{"opt-out", MallocEnvVar + "=system", "tuned=false note=glibc defaults (PRECEDENT_MALLOC=system)"},
		{"own tunables", "GLIBC_TUNABLES=glibc.malloc.arena_max=2", "tuned=false note=glibc defaults with the GLIBC_TUNABLES"},
		{"other tunables", "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX_Usable", "tuned=true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMallocHelper$", "-test.v")
			env := []string{"PRECEDENT_MALLOC_HELPER=1"}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, MallocEnvVar+"=") && !strings.HasPrefix(kv, "GLIBC_TUNABLES=") {
					env = append(env, kv)
				}
			}
			if tt.env != "" {
				env = append(env, tt.env)
			}
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			assert.Contains(t, string(out), tt.want)
		})
	}
}
