package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvSource reads a header row and then one row per record.
type csvSource struct {
	r      *csv.Reader
	header []string
	// pendingQuote is a quote error whose record ran over several lines;
	// when the file then ends, the quote was never closed.
	pendingQuote *csv.ParseError
}

func newCSVSource(in io.Reader, comma rune, lazyQuotes bool) (*csvSource, error) {
	r := csv.NewReader(in)
	r.Comma = comma
	r.LazyQuotes = lazyQuotes
	r.ReuseRecord = true
	head, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("line 1: empty file, expected a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	s := &csvSource{r: r, header: headerNames(head)}
	r.FieldsPerRecord = len(head)
	return s, nil
}

// headerNames cleans a header row: recoded, trimmed, empty names as
// "column N", repeated names as "Name #2", "Name #3" (Jira repeats
// Comment, Labels and link columns).
func headerNames(head []string) []string {
	out := make([]string, len(head))
	seen := map[string]int{}
	for i, h := range head {
		h, _ = recode(strings.TrimSpace(strings.ReplaceAll(h, "\x00", "")))
		if h == "" {
			h = fmt.Sprintf("column %d", i+1)
		}
		if seen[h]++; seen[h] > 1 {
			h = fmt.Sprintf("%s #%d", h, seen[h])
		}
		out[i] = h
	}
	return out
}

func (s *csvSource) next() (row, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		if pe := s.pendingQuote; pe != nil {
			return row{}, fmt.Errorf("line %d: quoted field never closed: %w", pe.StartLine, pe.Err)
		}
		return row{}, io.EOF
	}
	s.pendingQuote = nil
	r := row{names: s.header}
	var pe *csv.ParseError
	switch {
	case err == nil:
		r.line, _ = s.r.FieldPos(0)
	case errors.As(err, &pe):
		r.line = pe.StartLine
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			r.bad = fmt.Sprintf("has %d fields, the header has %d", len(rec), len(s.header))
		} else {
			r.bad = fmt.Sprintf("malformed CSV at line %d column %d: %v", pe.Line, pe.Column, pe.Err)
			if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine {
				s.pendingQuote = pe
			}
		}
	default:
		return row{}, err
	}
	r.values = make([]string, len(rec))
	for i, v := range rec {
		var changed bool
		r.values[i], changed = recode(v)
		r.recoded = r.recoded || changed
	}
	return r, nil
}
