package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// StartupProbeEnv names the measurement-only switch of the desktop binary:
// when it holds a file path, the app writes a StartupReport there once the
// first frame is drawn, the Archive panel with its figures, then quits. Not for users: the
// cold-start bench (package bench) sets it.
const StartupProbeEnv = "PRECEDENT_STARTUP_PROBE"

// StartupReport is what the startup probe writes, as JSON.
type StartupReport struct {
	// MS is the time from process start to the painting of the window's
	// first frame (the Archive panel with the archive's figures), in
	// milliseconds.
	MS float64 `json:"ms"`
	// Clock says where the start was taken: "/proc/self/stat" (the kernel's
	// process start time, exec and dynamic loading included) or "main"
	// (time.Now() at the top of main, where /proc cannot be read).
	Clock string `json:"clock"`
	// Summary is the Archive panel's summary as drawn.
	Summary string `json:"summary"`
	Error   string `json:"error,omitempty"`
}

// installStartupProbe lays a transparent raster over the window's content:
// the GL painter calls a raster's generator while it paints the frame
// that first shows it, which is the first frame of the window, drawn after
// openProject filled the Archive panel. The generator notes the time and
// the summary on that frame; the report is written and the app quits
// outside the paint. mainStart is the fallback clock.
func installStartupProbe(d *desktop, file string, mainStart time.Time) {
	start, clock := mainStart, "main"
	if t, err := processStart(); err == nil {
		start, clock = t, "/proc/self/stat"
	} else {
		log.Printf("startup probe: %v; timing from main", err)
	}
	var once sync.Once
	marker := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			rep := StartupReport{MS: float64(time.Since(start).Microseconds()) / 1000, Clock: clock, Summary: d.archive.summary.Text}
			if !showsFigures(rep.Summary) {
				rep.Error = fmt.Sprintf("the first drawn frame shows no archive figures: %q", rep.Summary)
			}
			go finishStartupProbe(d, file, rep)
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1)) // fully transparent
	})
	d.win.SetContent(container.NewStack(d.win.Content(), marker))
}

func finishStartupProbe(d *desktop, file string, rep StartupReport) {
	raw, _ := json.Marshal(rep)
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		log.Printf("startup probe: %v", err)
	}
	// Quit the app rather than close the window: glfw crashes on a pointer
	// event for a window destroyed this early (seen under Xvfb).
	uiDo(func() {
		if d.proj != nil {
			_ = d.proj.Close()
			d.proj = nil
		}
		d.fyneApp.Quit()
	})
}

// showsFigures reports whether an Archive summary states the archive's
// figures ("N tickets, opened …") rather than a message.
func showsFigures(summary string) bool {
	n, _, ok := strings.Cut(summary, " tickets, opened ")
	if !ok {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// userHZ is Linux's USER_HZ, the unit of /proc/self/stat's starttime: 100
// on every architecture Go supports.
const userHZ = 100

// processStart is the wall-clock time this process started, from the
// kernel's start time (/proc/self/stat) and the uptime (/proc/uptime).
func processStart() (time.Time, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return time.Time{}, err
	}
	up, err := os.ReadFile("/proc/uptime")
	now := time.Now()
	if err != nil {
		return time.Time{}, err
	}
	age, err := processAge(string(stat), string(up), userHZ)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-age), nil
}

// processAge is the time since the process of stat (the text of
// /proc/PID/stat) started, given the system uptime (the text of
// /proc/uptime) and the clock ticks per second. Its resolution is one tick.
func processAge(stat, uptime string, hz int) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may hold spaces or
	// parentheses; the fields after the last ')' start at field 3.
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc/self/stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	const startField = 22 - 3
	if len(f) <= startField {
		return 0, fmt.Errorf("/proc/self/stat: %d fields after the command name, want > %d", len(f), startField)
	}
	ticks, err := strconv.ParseInt(f[startField], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/self/stat: field 22 (starttime): %w", err)
	}
	u, _, _ := strings.Cut(strings.TrimSpace(uptime), " ")
	secs, err := strconv.ParseFloat(u, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/uptime: %w", err)
	}
	if hz <= 0 {
		return 0, fmt.Errorf("clock ticks per second %d", hz)
	}
	age := time.Duration((secs - float64(ticks)/float64(hz)) * float64(time.Second))
	if age < 0 {
		return 0, fmt.Errorf("process starts %s after the uptime", -age)
	}
	return age, nil
}
