package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ui"
)

// TestStartupReportMirrorsUI keeps the bench's copy of the probe's switch
// and report in step with package ui's.
func TestStartupReportMirrorsUI(t *testing.T) {
	assert.Equal(t, ui.StartupProbeEnv, startupProbeEnv)
	want := ui.StartupReport{MS: 812.5, Clock: "/proc/self/stat", Summary: "1000 tickets, opened …", Error: "e"}
	assert.Equal(t, startupReport(want), startupReport{MS: 812.5, Clock: "/proc/self/stat", Summary: "1000 tickets, opened …", Error: "e"})
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, median(tt.in), 1e-12, "%v", tt.in)
	}
}

func TestETAWatch(t *testing.T) {
	w := etaWatch{phase: "finetuned test"}
	assert.Contains(t, w.String(), "no \"finetuned test\" progress")
	w.event(app.Event{Step: "evaluate", Phase: "baseline test", Done: 50, Total: 100, ETA: time.Hour})
	w.event(app.Event{Step: "evaluate", Phase: "finetuned test", Done: 0, Total: 100})
	w.event(app.Event{Step: "evaluate", Phase: "finetuned test", Done: 10, Total: 100}) // no ETA yet
	assert.Contains(t, w.String(), "showed no ETA by 10%")
	w.event(app.Event{Step: "evaluate", Phase: "finetuned test", Done: 20, Total: 100, ETA: 40 * time.Second})
	w.event(app.Event{Step: "evaluate", Phase: "finetuned test", Done: 60, Total: 100, ETA: 10 * time.Second})
	got := w.String()
	assert.Contains(t, got, "ETA at 10% of \"finetuned test\" (20/100): 40.0 s, actual:")
	assert.Equal(t, 40*time.Second, w.eta, "the first ETA at or past 10% is kept")
}

// TestEvictTree writes a file (its pages are then in the page cache),
// evicts the tree and checks with mincore(2) that no page stays resident.
func TestEvictTree(t *testing.T) {
	dir := t.TempDir()
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &st))
	if st.Type == unix.TMPFS_MAGIC {
		t.Skipf("%s is tmpfs: its pages cannot be evicted", dir)
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	path := filepath.Join(dir, "sub", "store.db")
	content := bytes.Repeat([]byte("precedent"), 1<<17) // ~1.1 MiB
	require.NoError(t, os.WriteFile(path, content, 0o644))
	before := residentPages(t, path)
	require.Positive(t, before, "a file just written is in the page cache")
	require.NoError(t, evictTree(dir))
	assert.Zero(t, residentPages(t, path), "resident pages after eviction (%d before)", before)
	assert.ErrorContains(t, evictFile(filepath.Join(dir, "missing")), "missing")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, content, raw, "eviction loses nothing")
}

// residentPages counts the pages of path in the page cache (mincore(2)).
func residentPages(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore %s: %v", path, e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestColdStartQuick runs the cold-start row at quick sizes: a fresh
// desktop process on a 1000-ticket project under Xvfb (or $DISPLAY).
func TestColdStartQuick(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if _, err := exec.LookPath("Xvfb"); err != nil {
			testenv.SkipOrFail(t, "no DISPLAY and no Xvfb for the desktop cold start")
		}
	}
	t.Setenv(CacheEnv, t.TempDir())
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Sizes: QuickSizes(), Quick: true, Only: "coldstart", Log: &log})
	require.NoError(t, err)
	require.Len(t, rep.Rows, 1)
	r := rep.Rows[0]
	require.Empty(t, r.Error, log.String())
	assert.Positive(t, r.Value)
	assert.Less(t, r.Value, 180.0, "seconds")
	assert.Contains(t, r.Note, "median of 1 fresh processes")
	assert.Equal(t, "n/a (quick)", r.Verdict)
}

// TestEvalRowQuick runs the evaluation row at quick sizes (1000 tickets,
// a 2-step training): it needs the bundled model and the tokenizers.
func TestEvalRowQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and evaluates a model")
	}
	p, err := app.Open(t.TempDir())
	require.NoError(t, err)
	_, merr := p.ResolveModel("")
	p.Close()
	if merr != nil {
		testenv.SkipOrFail(t, "%v", merr)
	}
	t.Setenv(CacheEnv, t.TempDir())
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Sizes: QuickSizes(), Quick: true, Only: "eval", Log: &log})
	require.NoError(t, err)
	require.Len(t, rep.Rows, 1)
	r := rep.Rows[0]
	require.Empty(t, r.Error, log.String())
	assert.Positive(t, r.Value)
	assert.Contains(t, r.Note, "second evaluation (scores cached)")
	assert.True(t, strings.Contains(r.Note, "ETA at 10%") || strings.Contains(r.Note, "showed no ETA"), r.Note)
}
