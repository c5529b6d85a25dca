// Command precedent-desktop is the desktop app of Precedent: it opens the
// project (PRECEDENT_HOME or the platform data folder) in a window built by
// package ui.
package main

import (
	"flag"
	"os"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/ort"
	"github.com/precedent/precedent/ui"
)

func main() {
	started := time.Now() // the startup probe's fallback clock
	dataDir := flag.String("data", "", "project data directory (default: $PRECEDENT_HOME or the platform folder)")
	shots := flag.String("screenshot-dir", os.Getenv("PRECEDENT_SCREENSHOT_DIR"), "scripted mode: show each tab in turn for capture into this folder, then quit")
	flag.Parse()
	// How the app computes, decided once: the backend "Automatic" opens
	// ($PRECEDENT_BACKEND, else auto) and ONNX Runtime enabled; each project
	// opened applies its memory limit to it.
	rt := backend.NewRuntime(backend.Config{ORT: ort.Enable()})
	a := fyneapp.NewWithID("io.precedent.desktop")
	w := ui.NewWindow(a, ui.Options{DataDir: *dataDir, ScreenshotDir: *shots,
		StartupProbe: os.Getenv(ui.StartupProbeEnv), Started: started, Runtime: rt})
	w.SetMaster()
	w.ShowAndRun()
}
