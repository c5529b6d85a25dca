package importer

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSource reads one worksheet of an .xlsx workbook: a header row, then
// one row per record. Cells are read raw, so dates arrive as Excel serial
// numbers (days since 1899-12-30) whatever their display format, which
// ParseTime reads; text cells arrive as written.
type xlsxSource struct {
	book   *excelize.File
	rows   *excelize.Rows
	sheet  string
	sheets []string // every sheet of the workbook
	header []string
	line   int
}

// newXLSXSource opens the workbook in r and positions on sheet's header
// row; sheet "" means the first sheet that has one (exports often keep
// an empty default sheet first). The workbook is unzipped whole: excelize
// needs random access.
func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, error) {
	book, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook (truncated, encrypted or another format): %w", err)
	}
	names := book.GetSheetList()
	if len(names) == 0 {
		book.Close()
		return nil, fmt.Errorf("the workbook has no sheets")
	}
	try := names
	if sheet != "" {
		if !contains(names, sheet) {
			book.Close()
			return nil, fmt.Errorf("no sheet %q (sheets: %s)", sheet, strings.Join(names, ", "))
		}
		try = []string{sheet}
	}
	for _, name := range try {
		s, err := openSheet(book, name)
		if err != nil {
			book.Close()
			return nil, err
		}
		if s != nil {
			s.sheets = names
			return s, nil
		}
	}
	book.Close()
	if sheet != "" {
		return nil, fmt.Errorf("sheet %q is empty, expected a header row", sheet)
	}
	return nil, fmt.Errorf("every sheet is empty (sheets: %s), expected a header row", strings.Join(names, ", "))
}

// openSheet positions on a sheet's header row; nil when the sheet is empty.
func openSheet(book *excelize.File, sheet string) (*xlsxSource, error) {
	rows, err := book.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	s := &xlsxSource{book: book, rows: rows, sheet: sheet}
	for rows.Next() {
		s.line++
		head, err := rows.Columns()
		if err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("sheet %q row %d: %w", sheet, s.line, err)
		}
		if strings.TrimSpace(strings.Join(head, "")) == "" {
			continue // blank rows above the header
		}
		s.header = headerNames(head)
		return s, nil
	}
	err = rows.Error()
	_ = rows.Close()
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	return nil, nil
}

func (s *xlsxSource) next() (row, error) {
	for s.rows.Next() {
		s.line++
		cells, err := s.rows.Columns()
		if err != nil {
			return row{}, fmt.Errorf("sheet %q row %d: %w", s.sheet, s.line, err)
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		r := row{line: s.line, names: s.header, values: make([]string, len(s.header))}
		for i, c := range cells {
			if i >= len(s.header) {
				if strings.TrimSpace(c) != "" {
					r.bad = fmt.Sprintf("has a value in column %d, beyond the header's %d columns", i+1, len(s.header))
				}
				continue
			}
			r.values[i] = c
		}
		return r, nil
	}
	if err := s.rows.Error(); err != nil {
		return row{}, fmt.Errorf("sheet %q after row %d: %w", s.sheet, s.line, err)
	}
	return row{}, io.EOF
}

func (s *xlsxSource) close() {
	_ = s.rows.Close()
	_ = s.book.Close()
}
