package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/precedent/precedent/data/importer"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/data/synth"
)

// Import reads an export file into the project's store. Rejected rows are
// reported and written to a rejects file under the project's imports/
// folder. Visibility choices in o are remembered in the project's settings
// once the import succeeds, and every later import and preview uses them.
func (p *Project) Import(ctx context.Context, path string, o ImportOptions, progress Progress) (importer.Report, error) {
	opts, err := o.options(p.SettingsSnapshot().Visibility)
	if err != nil {
		return importer.Report{}, fmt.Errorf("import %s: %w", path, err)
	}
	if err := os.MkdirAll(p.Path("imports"), 0o755); err != nil {
		return importer.Report{}, err
	}
	opts.RejectsPath = p.Path("imports", fmt.Sprintf("%s.%s.rejects.jsonl", filepath.Base(path), time.Now().UTC().Format("20060102T150405")))
	var last Event
	opts.Progress = func(read, total int64) {
		last = Event{Step: "import", Phase: filepath.Base(path), Done: read, Total: total}
		progress.emit(last)
	}
	rep, err := importer.ImportFile(ctx, p.Store, path, opts)
	last.Final = true
	progress.emit(last)
	if err != nil {
		return rep, err
	}
	if _, err := p.refreshStats(); err != nil {
		return rep, fmt.Errorf("import %s: stats: %w", path, err)
	}
	if _, err := p.refreshStops(); err != nil {
		return rep, fmt.Errorf("import %s: %w", path, err)
	}
	if len(o.Visibility) > 0 {
		if err := p.UpdateSettings(func(s *Settings) error {
			s.Visibility = opts.Visibility
			return nil
		}); err != nil {
			return rep, fmt.Errorf("import %s: %w", path, err)
		}
	}
	if err := p.Store.PutRecords("imports", []store.Record{{Key: time.Now().UTC().Format(time.RFC3339Nano), Value: rep}}); err != nil {
		return rep, fmt.Errorf("import %s: history: %w", path, err)
	}
	// An export written by `precedent synth` carries its hidden ground truth
	// beside it; remember it so mining and negatives can be scored against it.
	dir := filepath.Dir(path)
	truth := filepath.Join(dir, "ground_truth.jsonl")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		if _, err := os.Stat(truth); err == nil {
			abs, _ := filepath.Abs(truth)
			if err := p.Store.SetMeta(metaTruth, abs); err != nil {
				return rep, fmt.Errorf("import %s: %w", path, err)
			}
		}
	}
	return rep, nil
}

// SynthResult lists what Synth wrote.
type SynthResult struct {
	Dir     string   `json:"dir"`
	Files   []string `json:"files"`
	Tickets int      `json:"tickets"`
	Seconds float64  `json:"seconds"`
}

// Synth generates the built-in synthetic SOC archive and writes it as a
// ticket system would export it, plus its hidden ground truth.
func Synth(ctx context.Context, cfg synth.Config, dir string, progress Progress) (SynthResult, error) {
	start := time.Now()
	progress.emit(Event{Step: "synth", Message: fmt.Sprintf("generating %d tickets", cfg.Tickets)})
	a, err := synth.Generate(cfg)
	if err != nil {
		return SynthResult{}, fmt.Errorf("synth: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return SynthResult{}, err
	}
	files, err := a.WriteExport(dir)
	if err != nil {
		return SynthResult{}, fmt.Errorf("synth: %w", err)
	}
	progress.emit(Event{Step: "synth", Done: int64(len(a.Tickets)), Total: int64(len(a.Tickets)), Final: true})
	return SynthResult{Dir: dir, Files: []string{files.TicketsCSV, files.TicketsJSONL, files.Truth, files.Manifest}, Tickets: len(a.Tickets), Seconds: time.Since(start).Seconds()}, nil
}

const metaStats = "archive_stats"

// Stats summarises the archive. The summary is computed once after each
// import and kept in the store, so opening a large project stays fast; it
// is recomputed whenever the ticket count no longer matches.
func (p *Project) Stats() (store.Stats, error) {
	var cached store.Stats
	ok, err := p.Store.GetMeta(metaStats, &cached)
	if err != nil {
		return store.Stats{}, err
	}
	if ok {
		n, err := p.Store.CountTickets()
		if err != nil {
			return store.Stats{}, err
		}
		if n == cached.Tickets {
			return cached, nil
		}
	}
	return p.refreshStats()
}

// refreshStats recomputes the archive summary and caches it.
func (p *Project) refreshStats() (store.Stats, error) {
	st, err := p.Store.Stats()
	if err != nil {
		return st, err
	}
	return st, p.Store.SetMeta(metaStats, st)
}
