package ui

import (
	"fmt"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runScreenshots is the scripted mode behind --screenshot-dir: it opens each
// tab in turn with its first item selected, saves the window's own capture
// as DIR/NN-tab.canvas.png, then writes DIR/NN-tab.ready and waits (up to
// 30 s) for the capture script to delete it after grabbing the screen.
// Finally it closes the window, which ends the app.
func runScreenshots(d *desktop, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Printf("screenshots: %v", err)
		return
	}
	time.Sleep(2 * time.Second) // let the window map and settle
	for i := range d.panels {
		var name string
		uiDoAndWait(func() {
			d.tabs.SelectIndex(i)
			d.prepareScreenshot(d.panels[i])
			name = fmt.Sprintf("%02d-%s", i+1, strings.ToLower(d.panels[i].title()))
		})
		time.Sleep(1500 * time.Millisecond)
		uiDoAndWait(func() {
			img := d.win.Canvas().Capture()
			f, err := os.Create(filepath.Join(dir, name+".canvas.png"))
			if err != nil {
				log.Printf("screenshots: %v", err)
				return
			}
			defer f.Close()
			if err := png.Encode(f, img); err != nil {
				log.Printf("screenshots: %s: %v", name, err)
			}
		})
		ready := filepath.Join(dir, name+".ready")
		if err := os.WriteFile(ready, nil, 0o644); err != nil {
			log.Printf("screenshots: %v", err)
			continue
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(ready); os.IsNotExist(err) {
				break
			}
		}
		_ = os.Remove(ready)
	}
	_ = os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	uiDo(d.closeNow)
}

// prepareScreenshot selects a first item so the tab shows its detail view.
func (d *desktop) prepareScreenshot(p panel) {
	switch p {
	case d.archive:
		// The ticket box shows the first mined query, as the model sees it.
		if proj, err := d.project(); err == nil {
			if pairs, err := proj.Pairs(); err == nil && len(pairs) > 0 {
				d.archive.ticket.id.SetText(pairs[0].Query)
				d.archive.ticket.load()
			}
		}
	case d.mining:
		if len(d.mining.shown) > 0 {
			d.mining.list.Select(0)
		}
	case d.negatives:
		if len(d.negatives.queue) > 0 {
			d.negatives.nextQuery(1)
		}
	}
}
