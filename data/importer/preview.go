package importer

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Preview is what an import of a file would do, read from its first
// records: the format, the columns (for JSON, dotted paths), the mapping,
// where every other column would go, and how times would be read. It uses
// the same sources, detection and conversion as Read, so what it shows is
// what Read does.
type Preview struct {
	File   string `json:"file"`
	Format string `json:"format"`
	Sheet  string `json:"sheet,omitempty"`
	// Delimiter is a CSV's separator, given or sniffed (comma, semicolon, tab, pipe).
	Delimiter string     `json:"delimiter,omitempty"`
	Sheets    []string   `json:"sheets,omitempty"` // .xlsx: every sheet, to choose from
	Columns   []string   `json:"columns"`
	Rows      [][]string `json:"rows"` // the first records, one value per column ("" where absent)
	// Mapping is resolved against the columns; nil when a required field
	// has no column, and MappingError then says which and what to do.
	Mapping      Mapping  `json:"mapping,omitempty"`
	Choices      []Choice `json:"choices,omitempty"` // how each field was filled, with its runner-up and doubts
	MappingError string   `json:"mapping_error,omitempty"`
	// Sides gives, for each column no field maps, SideOpen or SideClose,
	// or "link:KIND" for a column read as links.
	Sides         map[string]string `json:"sides"`
	DateOrder     string            `json:"date_order,omitempty"`
	DateOrderNote string            `json:"date_order_note,omitempty"`
	Problems      []string          `json:"problems,omitempty"` // sampled records that could not be read, with their line
}

// PreviewReader reads up to n records of r (named name) under opts. It
// fails when the file cannot be read at all, or when none of the sampled
// records can; single bad records are listed in Problems.
func PreviewReader(r io.Reader, name string, opts Options, n int) (Preview, error) {
	pv := Preview{File: name, Sides: map[string]string{}}
	br := bufio.NewReaderSize(r, 1<<20)
	if err := skipBOM(br); err != nil {
		return pv, fmt.Errorf("preview %s: %w", name, err)
	}
	smp, err := openSample(br, name, opts, max(n, 1))
	if err != nil {
		return pv, fmt.Errorf("preview %s: %w", name, err)
	}
	defer smp.close()
	pv.Format, pv.Sheet, pv.Sheets, pv.Columns = smp.format, smp.sheet, smp.sheets, smp.columns
	if smp.delimiter != 0 {
		pv.Delimiter = delimiterName(smp.delimiter)
	}
	good := 0
	for i := range smp.rows {
		if rw := &smp.rows[i]; rw.bad != "" {
			pv.Problems = append(pv.Problems, fmt.Sprintf("%s: %s", where(rw), rw.bad))
		} else {
			good++
		}
	}
	if good == 0 {
		switch {
		case len(pv.Problems) > 0:
			return pv, fmt.Errorf("preview %s: %s", name, pv.Problems[0])
		case smp.err != nil:
			return pv, fmt.Errorf("preview %s: %w", name, smp.err)
		case len(pv.Columns) == 0:
			return pv, fmt.Errorf("preview %s: no records found", name)
		}
	}
	if smp.err != nil {
		pv.Problems = append(pv.Problems, smp.err.Error())
	}
	at := map[string]int{}
	for i, c := range pv.Columns {
		at[c] = i
	}
	for _, rw := range smp.rows {
		if rw.bad != "" {
			continue
		}
		out := make([]string, len(pv.Columns))
		for i, nm := range rw.names {
			if j, ok := at[nm]; ok && i < len(rw.values) {
				out[j] = rw.values[i]
			}
		}
		pv.Rows = append(pv.Rows, out)
	}
	m, choices, err := chooseMapping(opts, pv.Columns, smp.rows)
	pv.Choices = choices
	if err != nil {
		pv.MappingError = err.Error()
		m = nil
	}
	pv.Mapping = m
	// Convert the sample as Read would, to learn each column's side and
	// the date order.
	rd := &reading{opts: opts, rep: &Report{File: name}}
	rd.conv = newConverter(m, opts.Location, "", opts.Visibility)
	rd.conv.fileColumns(pv.Columns)
	if err := checkVisible(opts.CheckVisible, pv.Columns); err != nil {
		pv.Problems = append(pv.Problems, err.Error())
	}
	if !smp.json() {
		rd.conv.indexColumns(pv.Columns)
	}
	if m != nil {
		rd.dateOrder(smp.rows)
		pv.DateOrder, pv.DateOrderNote = rd.rep.DateOrder, rd.rep.DateOrderNote
	}
	mapped := map[string]bool{}
	for _, cols := range m {
		for _, c := range cols {
			mapped[c] = true
		}
	}
	for i, c := range pv.Columns {
		if mapped[c] || rd.conv.mapped != nil && rd.conv.mapped[i] {
			continue
		}
		if rd.conv.keyName != nil && rd.conv.keyName[i] != c {
			continue // a repeat ("Labels #2") goes where its first goes
		}
		r := rd.conv.roleOf(c, false)
		switch {
		case r.skip:
		case r.link != "":
			pv.Sides[c] = "link:" + r.link
		case strings.HasSuffix(c, "[]"): // an array's own path: its keys are listed
		default:
			pv.Sides[c] = r.side
		}
	}
	return pv, nil
}

func where(rw *row) string {
	if rw.record > 0 {
		return fmt.Sprintf("record %d", rw.record)
	}
	return fmt.Sprintf("line %d", rw.line)
}
