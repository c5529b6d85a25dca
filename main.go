// Command precedent-desktop is the desktop app of Precedent: it opens the
// project (PRECEDENT_HOME or the platform data folder) in a window built by
// package ui.
package main

import (
	"flag"
	"os"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/precedent/precedent/ui"
)

func main() {
	started := time.Now() // the startup probe's fallback clock
	dataDir := flag.String("data", "", "project data directory (default: $PRECEDENT_HOME or the platform folder)")
	shots := flag.String("screenshot-dir", os.Getenv("PRECEDENT_SCREENSHOT_DIR"), "scripted mode: show each tab in turn for capture into this folder, then quit")
	flag.Parse()
	a := fyneapp.NewWithID("io.precedent.desktop")
	w := ui.NewWindow(a, ui.Options{DataDir: *dataDir, ScreenshotDir: *shots,
		StartupProbe: os.Getenv(ui.StartupProbeEnv), Started: started})
	w.SetMaster()
	w.ShowAndRun()
}
