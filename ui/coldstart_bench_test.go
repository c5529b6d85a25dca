package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
)

// BenchmarkColdStart140k measures a WARM start: opening a project of
// 140,000 tickets up to the first panel showing its figures (open the
// store, build every panel, load the Archive panel) in a process that is
// already running, with the store in the page cache. The cold start as a
// user meets it (a fresh desktop process, the store evicted from the page
// cache, up to the first drawn frame) is the bench's coldstart row
// (`precedent bench --only coldstart`). Target of both: under 1.5 s.
func BenchmarkColdStart140k(b *testing.B) {
	dir := b.TempDir()
	p, err := app.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	res, err := app.Synth(context.Background(), synth.Config{Tickets: 140000, Seed: 1}, filepath.Join(dir, "export"), nil)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := p.Import(context.Background(), res.Files[0], app.ImportOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if rep.Imported != 140000 {
		b.Fatalf("imported %d tickets, want 140000", rep.Imported)
	}
	p.Close()
	a := test.NewTempApp(b)
	b.ResetTimer()
	for b.Loop() {
		w := test.NewWindow(nil)
		w.Resize(fyne.NewSize(1280, 800))
		d := newDesktop(a, w)
		if err := d.openProject(dir); err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(d.archive.summary.Text, "140") {
			b.Fatalf("the Archive panel shows %q", d.archive.summary.Text)
		}
		b.StopTimer()
		_ = d.proj.Close()
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
}
