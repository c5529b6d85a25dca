package eval

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/precedent/precedent/platform/fsutil"
)

// SystemResult is one ranking system's scores: the mean and, in
// Report.Queries order, each query's metrics.
type SystemResult struct {
	Name     string    // key used in QueryDetail.Ranks, RuleRow.MRR and NamedComparison
	Label    string    // display name; Name when empty
	Mean     Metrics   // mean over the evaluated queries
	PerQuery []Metrics // in Report.Queries order, or empty
}

// QueryDetail is one evaluated query as the report shows it.
type QueryDetail struct {
	Query, Rule, Text       string         // the query ticket, its detection rule, the text the reranker saw
	Relevant                []string       // its relevant ticket IDs
	Ranks                   map[string]int // system name → rank of the first relevant candidate (0 = not in the list)
	Positive, PositiveTitle string         // the first relevant ticket and its title
	Note, Cue               string         // the close-note excerpt that made the label, and the cue phrase in it
	Why                     string         // why the final system ranked the relevant ticket where it did, in words (optional)
}

// RuleRow is one detection rule's query count and mean MRR@10 per system name.
type RuleRow struct {
	Rule    string
	Queries int
	MRR     map[string]float64
}

// NamedComparison is a significance test of system B against system A on one metric.
type NamedComparison struct {
	Name   string // e.g. "finetuned vs first_stage"
	A, B   string // system names; B is the challenger
	Metric string // e.g. "mrr@10" (a Metrics JSON name)
	Comparison
}

// Report is everything the evaluation report shows. The first comparison is
// the headline: its A and B are the "before" and "after" of the rank changes,
// the per-rule uplift and the example queries.
type Report struct {
	Title       string
	Created     time.Time
	Systems     []SystemResult // in display order
	Comparisons []NamedComparison
	PerRule     []RuleRow
	Queries     []QueryDetail
	Verdict     string            // the headline in words: better than the best baseline, or why not
	TieBreak    string            // the tie-breaking rule, stated
	Settings    map[string]string // model, backend, archive size, steps…
	Notes       []string
}

// ErrBadReport marks a Report whose parts do not refer to each other consistently.
var ErrBadReport = errors.New("inconsistent report")

// WriteReport writes dir/report.md and dir/report.html (one self-contained
// file: inline CSS and SVG, no scripts, no external references). The same
// Report always gives byte-identical files. Each file is written to a
// temporary file in dir and renamed into place, so a reader never sees a
// partial report.
func WriteReport(dir string, r Report) (mdPath, htmlPath string, err error) {
	if err := validate(r); err != nil {
		return "", "", err
	}
	v := newView(r)
	var md, html bytes.Buffer
	writeMarkdown(&md, v)
	if err := writeHTML(&html, v); err != nil {
		return "", "", fmt.Errorf("render report.html: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("report dir %s: %w", dir, err)
	}
	mdPath = filepath.Join(dir, "report.md")
	htmlPath = filepath.Join(dir, "report.html")
	if err := fsutil.WriteFileAtomic(mdPath, md.Bytes(), 0o644); err != nil {
		return "", "", err
	}
	if err := fsutil.WriteFileAtomic(htmlPath, html.Bytes(), 0o644); err != nil {
		return "", "", err
	}
	return mdPath, htmlPath, nil
}

// validate checks that every system name the report refers to exists.
func validate(r Report) error {
	if len(r.Systems) == 0 {
		return fmt.Errorf("report: no systems: %w", ErrBadReport)
	}
	names := map[string]bool{}
	for i, s := range r.Systems {
		if s.Name == "" {
			return fmt.Errorf("report: system %d has no name: %w", i, ErrBadReport)
		}
		if names[s.Name] {
			return fmt.Errorf("report: system %q listed twice: %w", s.Name, ErrBadReport)
		}
		names[s.Name] = true
		if len(s.PerQuery) != 0 && len(s.PerQuery) != len(r.Queries) {
			return fmt.Errorf("report: system %q has %d per-query rows for %d queries: %w",
				s.Name, len(s.PerQuery), len(r.Queries), ErrBadReport)
		}
	}
	for i, c := range r.Comparisons {
		for _, n := range []string{c.A, c.B} {
			if !names[n] {
				return fmt.Errorf("report: comparison %d (%q) names unknown system %q: %w", i, c.Name, n, ErrBadReport)
			}
		}
	}
	for i, q := range r.Queries {
		for n := range q.Ranks {
			if !names[n] {
				return fmt.Errorf("report: query %d (%s) ranks unknown system %q: %w", i, q.Query, n, ErrBadReport)
			}
		}
	}
	for i, row := range r.PerRule {
		for n := range row.MRR {
			if !names[n] {
				return fmt.Errorf("report: rule row %d (%s) scores unknown system %q: %w", i, row.Rule, n, ErrBadReport)
			}
		}
	}
	return nil
}
