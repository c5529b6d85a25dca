package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/backend"
)

// startupProbeEnv and startupReport mirror ui.StartupProbeEnv and
// ui.StartupReport: the bench reads the desktop binary's report without
// linking the UI into the CLI (a test checks they agree).
const startupProbeEnv = "PRECEDENT_STARTUP_PROBE"

type startupReport struct {
	MS      float64 `json:"ms"`
	Clock   string  `json:"clock"`
	Summary string  `json:"summary"`
	Error   string  `json:"error,omitempty"`
}

// DesktopEnv names the desktop binary the cold-start row runs; unset, the
// row builds it (`go build` of the module root, found above the working
// directory) into the bench cache.
const DesktopEnv = "PRECEDENT_DESKTOP_BIN"

// coldStartRow measures the desktop app as a user meets it: a fresh process
// of the desktop binary opening a project of Sizes.ColdStartTickets tickets,
// whose files were evicted from the page cache, up to the first drawn
// Archive panel with its figures (the binary's startup probe, startupProbeEnv).
// It runs under $DISPLAY, or under an Xvfb it starts. Without a display or a
// binary the row is skipped and says why; under PRECEDENT_REQUIRE_ASSETS it fails.
func (b *runner) coldStartRow(ctx context.Context) (Row, error) {
	n, runs := b.sizes.ColdStartTickets, max(1, b.sizes.ColdStartRuns)
	what := fmt.Sprintf("desktop cold start, %s tickets: fresh process to first drawn Archive panel", count(n))
	skip := func(why error) (Row, error) {
		if testenv.AssetsRequired() {
			return Row{}, fmt.Errorf("%w (required by %s)", why, testenv.RequireAssetsEnv)
		}
		return Row{What: what, Verdict: "n/a (skipped)", Note: "skipped: " + why.Error()}, nil
	}
	cache, err := benchCache()
	if err != nil {
		return Row{}, err
	}
	bin, err := desktopBinary(ctx, cache)
	if err != nil {
		return skip(err)
	}
	display, stop, err := startDisplay(ctx)
	if err != nil {
		return skip(err)
	}
	defer stop()
	home, err := coldStartProject(ctx, b.rt, filepath.Join(cache, fmt.Sprintf("coldstart-%d", n)), n)
	if err != nil {
		return Row{}, err
	}
	tmp, err := os.MkdirTemp("", "precedent-coldstart-*")
	if err != nil {
		return Row{}, fmt.Errorf("cold start: %w", err)
	}
	defer os.RemoveAll(tmp)
	var ms []float64
	clock := ""
	for i := range runs {
		if err := evictTree(home); err != nil {
			return Row{}, err
		}
		rep, err := probeOnce(ctx, bin, home, display, tmp, i)
		if err != nil {
			return Row{}, fmt.Errorf("run %d of %d: %w", i+1, runs, err)
		}
		if !strings.HasPrefix(rep.Summary, fmt.Sprint(n)+" tickets") {
			return Row{}, fmt.Errorf("run %d: the Archive panel shows %q, want %d tickets", i+1, rep.Summary, n)
		}
		ms, clock = append(ms, rep.MS), rep.Clock
	}
	med, hi := median(ms), slices.Max(ms)
	return Row{What: what, Value: med / 1000, Unit: "s", Target: "< 1.5 s",
		Note: fmt.Sprintf("median of %d fresh processes, max %.0f ms; clock: %s; project files evicted from the page cache (fsync + fadvise DONTNEED) before each run, binary and libraries not; display %s",
			runs, hi, clock, display)}, nil
}

// probeOnce runs the desktop binary once with the startup probe and reads its report.
func probeOnce(ctx context.Context, bin, home, display, tmp string, i int) (startupReport, error) {
	out := filepath.Join(tmp, fmt.Sprintf("probe-%d.json", i))
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin)
	cmd.Env = append(os.Environ(), "PRECEDENT_HOME="+home, startupProbeEnv+"="+out, "DISPLAY="+display,
		"XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "LIBGL_ALWAYS_SOFTWARE=1")
	log, err := cmd.CombinedOutput()
	if err != nil {
		return startupReport{}, fmt.Errorf("%s: %w: %s", bin, err, lastLines(string(log), 5))
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return startupReport{}, fmt.Errorf("%s wrote no startup report: %w: %s", bin, err, lastLines(string(log), 5))
	}
	var rep startupReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return rep, fmt.Errorf("startup report %s: %w", out, err)
	}
	if rep.Error != "" {
		return rep, fmt.Errorf("startup probe: %s", rep.Error)
	}
	return rep, nil
}

// CacheEnv names the folder where the bench keeps what it builds once
// (the desktop binary, the cold-start and eval projects); unset, the user's
// cache folder's precedent/bench.
const CacheEnv = "PRECEDENT_BENCH_CACHE"

// benchCache is the folder where the bench keeps what it builds once.
func benchCache() (string, error) {
	dir := os.Getenv(CacheEnv)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "precedent", "bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bench cache: %w", err)
	}
	return dir, nil
}

// readyMark marks a cached folder as complete.
const readyMark = ".bench-ready"

// coldStartProject returns dir holding a project of n synthetic tickets,
// building it with rt when dir is not marked complete.
func coldStartProject(ctx context.Context, rt *backend.Runtime, dir string, n int) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, readyMark)); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("cold-start project: %w", err)
	}
	export := dir + ".synth"
	defer os.RemoveAll(export)
	res, err := app.Synth(ctx, synth.Config{Tickets: n, Seed: 1}, export, nil)
	if err != nil {
		return "", fmt.Errorf("cold-start project: %w", err)
	}
	p, err := app.OpenWith(dir, rt)
	if err != nil {
		return "", fmt.Errorf("cold-start project: %w", err)
	}
	rep, err := p.Import(ctx, filepath.Join(res.Dir, synth.TicketsCSVName), app.ImportOptions{}, nil)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("cold-start project: %w", err)
	}
	if rep.Imported != n {
		return "", fmt.Errorf("cold-start project: imported %d tickets, want %d", rep.Imported, n)
	}
	return dir, os.WriteFile(filepath.Join(dir, readyMark), nil, 0o644)
}

// evictTree writes back and drops from the page cache every regular file
// under dir, so the next open reads them from disk. Only these files are
// evicted, never the machine's whole cache.
func evictTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		return evictFile(path)
	})
}

func evictFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evict %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("evict %s: fsync: %w", path, err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("evict %s: fadvise: %w", path, err)
	}
	return nil
}

// desktopBinary returns $PRECEDENT_DESKTOP_BIN, or builds the desktop app
// from the module root above the working directory into cache.
func desktopBinary(ctx context.Context, cache string) (string, error) {
	if bin := os.Getenv(DesktopEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%s: %w", DesktopEnv, err)
		}
		return bin, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("no desktop binary: set %s or run the bench inside the source tree: %w", DesktopEnv, err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no desktop binary: set %s, or install go to build it: %w", DesktopEnv, err)
	}
	bin := filepath.Join(cache, "precedent-desktop")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build of the desktop app in %s: %w: %s", root, err, lastLines(string(out), 5))
	}
	return bin, nil
}

// moduleRoot is the folder above the working directory holding main.go
// and the module's go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		mod, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(mod), "module github.com/precedent/precedent\n") {
			if _, err := os.Stat(filepath.Join(d, "main.go")); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no module github.com/precedent/precedent above %s", wd)
		}
	}
}

// startDisplay returns $DISPLAY, or starts Xvfb on a free display number
// and returns it with the function that stops it.
func startDisplay(ctx context.Context) (string, func(), error) {
	if d := os.Getenv("DISPLAY"); d != "" {
		return d, func() {}, nil
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		return "", nil, errors.New("DISPLAY is unset and Xvfb is not installed (scripts/install-deps.sh installs it)")
	}
	for num := 90; num < 130; num++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", num)); err == nil {
			continue
		}
		display, stop, taken, err := startXvfb(ctx, xvfb, num)
		if taken {
			continue
		}
		return display, stop, err
	}
	return "", nil, errors.New("no free X display number in :90–:129 for Xvfb")
}

// startXvfb starts Xvfb on display num and waits for its socket; taken
// reports that the server exited at once (another one holds the number).
func startXvfb(ctx context.Context, xvfb string, num int) (display string, stop func(), taken bool, err error) {
	display, sock := fmt.Sprintf(":%d", num), fmt.Sprintf("/tmp/.X11-unix/X%d", num)
	if _, err := os.Stat(sock); err == nil {
		return "", nil, true, nil
	}
	cmd := exec.Command(xvfb, display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	if err := cmd.Start(); err != nil {
		return "", nil, false, fmt.Errorf("starting Xvfb: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			return "", nil, true, nil
		case <-ctx.Done():
			stop()
			return "", nil, false, ctx.Err()
		default:
		}
		if _, err := os.Stat(sock); err == nil {
			return display, stop, false, nil
		}
	}
	stop()
	return "", nil, false, fmt.Errorf("Xvfb %s did not open %s within 15 s", display, sock)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
