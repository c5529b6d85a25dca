package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// File names written by WriteExport.
const (
	TicketsCSVName   = "tickets.csv"
	TicketsJSONLName = "tickets.jsonl"
	TruthName        = "ground_truth.jsonl"
	ManifestName     = "manifest.json"
)

// CSVHeader is the ServiceNow export header of tickets.csv.
// The last five columns are known only once a ticket was worked on: the
// assignee, the resolution code, the work notes journal (ServiceNow style,
// see workNotesCell) and the explicit link fields.
var CSVHeader = []string{"Number", "Opened", "Closed", "Category", "Priority", "Configuration item", "Caller",
	"Short description", "Description", "Close notes", ColAssignedTo, ColResolution, ColWorkNotes, ColDuplicate, ColParent}

// csvTime is ServiceNow's export time layout (UTC); csvDate is the layout of
// a date-only export (Config.DateOnly).
const (
	csvTime = "2006-01-02 15:04:05"
	csvDate = "2006-01-02"
)

// Files are the paths WriteExport wrote.
type Files struct {
	TicketsCSV   string
	TicketsJSONL string
	Truth        string
	Manifest     string
}

// Manifest describes an export: how it was drawn and what it holds.
type Manifest struct {
	Generator string         `json:"generator"`
	Seed      int64          `json:"seed"`
	Config    manifestConfig `json:"config"`
	Counts    Counts         `json:"counts"`
	Files     []string       `json:"files"`
}

type manifestConfig struct {
	Tickets  int    `json:"tickets"`
	Seed     int64  `json:"seed"`
	Start    string `json:"start"`
	Span     string `json:"span"`
	DateOnly bool   `json:"date_only,omitempty"`
	DriftAt  string `json:"drift_at,omitempty"`
}

// Counts summarises an archive's shape.
type Counts struct {
	Tickets      int `json:"tickets"`
	Rules        int `json:"rules"`
	Related      int `json:"related"` // tickets with a cause
	Noise        int `json:"noise"`   // tickets without a cause
	Causes       int `json:"causes"`
	Masters      int `json:"masters"`
	TrivialDups  int `json:"trivial_dups"`
	Citing       int `json:"citing"`        // tickets whose notes truly cite another
	Citations    int `json:"citations"`     // true citations in all
	ForwardCites int `json:"forward_cites"` // true citations of a later ticket
	NotCites     int `json:"not_cites"`     // dismissive citations of an unrelated ticket ("ruled out INC…")
	Links        int `json:"links"`         // explicit link fields (Duplicate of, Parent)
	WorkNotes    int `json:"work_notes"`    // timestamped work notes
}

var priorities = map[string]string{"Critical": "1 - Critical", "High": "2 - High", "Moderate": "3 - Moderate", "Low": "4 - Low"}

// Counts measures the archive.
func (a *Archive) Counts() Counts {
	c := Counts{Tickets: len(a.Tickets)}
	rules := map[string]bool{}
	causes := map[string]bool{}
	opened := make(map[string]time.Time, len(a.Tickets))
	for _, t := range a.Tickets {
		rules[t.Rule] = true
		opened[t.ID] = t.Opened
		c.Links += len(t.Links)
		c.WorkNotes += len(t.Comments)
	}
	for i, tr := range a.Truth {
		if tr.Cause != "" {
			c.Related++
			causes[tr.Cause] = true
		}
		if tr.Master {
			c.Masters++
		}
		if tr.TrivialDupOf != "" {
			c.TrivialDups++
		}
		if len(tr.Cites) > 0 {
			c.Citing++
		}
		c.Citations += len(tr.Cites)
		c.NotCites += len(tr.NotCites)
		for _, id := range tr.Cites {
			if opened[id].After(a.Tickets[i].Opened) {
				c.ForwardCites++
			}
		}
	}
	c.Noise = c.Tickets - c.Related
	c.Rules, c.Causes = len(rules), len(causes)
	return c
}

// WriteExport writes tickets.csv, tickets.jsonl, ground_truth.jsonl and
// manifest.json into dir (created if missing). The bytes depend only on the
// archive, so the same Config always yields identical files.
func (a *Archive) WriteExport(dir string) (Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, fmt.Errorf("synth export: %w", err)
	}
	f := Files{
		TicketsCSV:   filepath.Join(dir, TicketsCSVName),
		TicketsJSONL: filepath.Join(dir, TicketsJSONLName),
		Truth:        filepath.Join(dir, TruthName),
		Manifest:     filepath.Join(dir, ManifestName),
	}
	steps := []struct {
		path  string
		write func(*bufio.Writer) error
	}{
		{f.TicketsCSV, a.writeCSV},
		{f.TicketsJSONL, a.writeTicketsJSONL},
		{f.Truth, a.writeTruth},
		{f.Manifest, a.writeManifest},
	}
	for _, s := range steps {
		if err := writeFile(s.path, s.write); err != nil {
			return Files{}, err
		}
	}
	return f, nil
}

func writeFile(path string, write func(*bufio.Writer) error) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth export: %w", err)
	}
	w := bufio.NewWriterSize(fh, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth export %s: %w", path, err)
	}
	return nil
}

func (a *Archive) writeCSV(w *bufio.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, len(CSVHeader))
	layout := csvTime
	if a.Config.DateOnly {
		layout = csvDate
	}
	for _, t := range a.Tickets {
		closed := ""
		if !t.Closed.IsZero() {
			closed = t.Closed.UTC().Format(layout)
		}
		row[0], row[1], row[2], row[3], row[4] = t.ID, t.Opened.UTC().Format(layout), closed, t.Rule, priorities[t.Severity]
		row[5], row[6], row[7], row[8], row[9] = t.Host, t.User, t.Title, t.Description, t.CloseNotes
		row[10], row[11], row[12] = t.Closing[ColAssignedTo], t.Closing[ColResolution], workNotesCell(t.Comments, layout)
		row[13], row[14] = linkTo(t, "duplicate"), linkTo(t, "parent")
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("ticket %s: %w", t.ID, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func (a *Archive) writeTicketsJSONL(w *bufio.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, t := range a.Tickets {
		if err := enc.Encode(t); err != nil {
			return fmt.Errorf("ticket %s: %w", t.ID, err)
		}
	}
	return nil
}

func (a *Archive) writeTruth(w *bufio.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, tr := range a.Truth {
		if err := enc.Encode(tr); err != nil {
			return fmt.Errorf("truth %s: %w", tr.ID, err)
		}
	}
	return nil
}

func (a *Archive) writeManifest(w *bufio.Writer) error {
	m := Manifest{
		Generator: Version,
		Seed:      a.Config.Seed,
		Config: manifestConfig{Tickets: a.Config.Tickets, Seed: a.Config.Seed,
			Start: a.Config.Start.UTC().Format(time.RFC3339), Span: a.Config.Span.String(), DateOnly: a.Config.DateOnly, DriftAt: driftText(a.Config.DriftAt)},
		Counts: a.Counts(),
		Files:  []string{TicketsCSVName, TicketsJSONLName, TruthName},
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// driftText is Config.DriftAt for the manifest ("" without drift).
func driftText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
