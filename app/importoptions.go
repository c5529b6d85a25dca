package app

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // --tz must work on machines without a zone database

	"github.com/precedent/precedent/data/importer"
)

// ImportOptions choose how a file is read; the zero value auto-detects
// everything.
type ImportOptions struct {
	Format    string // csv, tsv, xlsx, jsonl, json; "" = from the extension, then the content
	Mapping   string // "id=Number,opened=fields.created,..."; "" = preset or auto-detect
	Preset    string // see importer.Presets
	Sheet     string // .xlsx worksheet; "" = the first with a header row
	TZ        string // IANA zone of times written without one, e.g. Europe/Paris; "" = UTC
	DateOrder string // dmy or mdy for numeric dates; "" = detect from the data
	Delimiter string // CSV separator: one character or comma, semicolon, tab, pipe; "" = sniffed
	// Visibility are "COLUMN=open|close" overrides, remembered by the
	// project; each must name a column of the file being imported (the
	// remembered ones from earlier files need not).
	Visibility []string
	// VisibilityChecked says the Visibility columns were already checked
	// against every file of one import (CheckVisibility), so a file need
	// not hold them all.
	VisibilityChecked bool
}

// Validate reports the first option that does not parse (the mapping,
// preset, format, zone, date order, delimiter or a visibility choice), or
// returns nil; the zero value, which detects everything, is valid. It reads
// no file: a mapping naming a column the file lacks is the import's to
// report. Its errors name the command-line flag (`--tz "Mars/Olympus": ...`)
// as Import's always have, rather than being *OptionError: ImportOptions
// has no defaults to state, and the desktop's Archive panel sets only the
// mapping, preset, sheet and visibility.
func (o ImportOptions) Validate() error {
	_, err := o.options(nil)
	return err
}

// importFormats are the formats ImportOptions.Format may name.
var importFormats = []string{"csv", "tsv", "xlsx", "jsonl", "ndjson", "json"}

// options turns o into the importer's options. saved are the project's
// remembered visibility choices, which o's override column by column;
// the result's Visibility is the merge.
func (o ImportOptions) options(saved map[string]string) (importer.Options, error) {
	opts := importer.Options{Format: o.Format, Preset: o.Preset, Sheet: o.Sheet}
	if f := strings.ToLower(strings.TrimPrefix(o.Format, ".")); f != "" && !slices.Contains(importFormats, f) {
		return opts, fmt.Errorf("--format %q: want csv, tsv, xlsx, jsonl or json", o.Format)
	}
	if o.Preset != "" {
		if _, err := importer.Preset(o.Preset); err != nil {
			return opts, fmt.Errorf("--preset: %w", err)
		}
	}
	if o.Mapping != "" {
		m, err := importer.ParseMapping(o.Mapping)
		if err != nil {
			return opts, fmt.Errorf("--map: %w", err)
		}
		opts.Mapping = m
	}
	if o.TZ != "" {
		loc, err := time.LoadLocation(o.TZ)
		if err != nil {
			return opts, fmt.Errorf("--tz %q: %w (use an IANA zone such as Europe/Paris)", o.TZ, err)
		}
		opts.Location = loc
	}
	switch d := strings.ToLower(strings.TrimSpace(o.DateOrder)); d {
	case "", "auto":
	case "dmy", "mdy":
		opts.DateOrder = d
	default:
		return opts, fmt.Errorf("--date-order %q: want dmy or mdy", o.DateOrder)
	}
	d, err := importer.ParseDelimiter(o.Delimiter)
	if err != nil {
		return opts, fmt.Errorf("--delimiter: %w", err)
	}
	opts.Delimiter = d
	vis, err := ParseVisibility(o.Visibility)
	if err != nil {
		return opts, err
	}
	if !o.VisibilityChecked {
		for col := range vis {
			opts.CheckVisible = append(opts.CheckVisible, col)
		}
		sort.Strings(opts.CheckVisible)
	}
	if len(saved)+len(vis) > 0 {
		opts.Visibility = make(map[string]string, len(saved)+len(vis))
		for k, v := range saved {
			opts.Visibility[k] = v
		}
		for k, v := range vis {
			opts.Visibility[k] = v
		}
	}
	return opts, nil
}

// ParseVisibility reads "COLUMN=open|close" choices (the column may hold
// spaces and dots; the last '=' separates the side).
func ParseVisibility(specs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, spec := range specs {
		i := strings.LastIndexByte(spec, '=')
		if i <= 0 {
			return nil, fmt.Errorf("--visible %q: want COLUMN=open or COLUMN=close", spec)
		}
		side, err := importer.ParseSide(spec[i+1:])
		if err != nil {
			return nil, fmt.Errorf("--visible %q: %w", spec, err)
		}
		out[strings.TrimSpace(spec[:i])] = side
	}
	return out, nil
}

// CheckVisibility refuses Visibility columns that no file among paths
// holds (each file may hold some), naming the nearest column, before
// anything is imported.
func CheckVisibility(paths []string, o ImportOptions) error {
	vis, err := ParseVisibility(o.Visibility)
	if err != nil || len(vis) == 0 {
		return err
	}
	probe := o
	probe.Visibility = nil
	var columns []string
	for _, path := range paths {
		pv, err := PreviewFile(path, probe, nil, 50)
		if err != nil {
			continue // the import says what is wrong with the file
		}
		columns = append(columns, pv.Columns...)
	}
	names := make([]string, 0, len(vis))
	for col := range vis {
		names = append(names, col)
	}
	sort.Strings(names)
	return importer.CheckVisible(names, columns)
}

// PreviewFile shows what importing path would do, from its first n
// records, with the same reader, detection and conversion as Import.
// saved are remembered visibility choices (Settings.Visibility).
func PreviewFile(path string, o ImportOptions, saved map[string]string, n int) (importer.Preview, error) {
	opts, err := o.options(saved)
	if err != nil {
		return importer.Preview{File: path}, fmt.Errorf("preview %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return importer.Preview{File: path}, fmt.Errorf("preview %s: %w", path, err)
	}
	defer f.Close()
	return importer.PreviewReader(f, path, opts, n)
}

// Preview is PreviewFile with the project's remembered choices.
func (p *Project) Preview(path string, o ImportOptions, n int) (importer.Preview, error) {
	return PreviewFile(path, o, p.SettingsSnapshot().Visibility, n)
}
