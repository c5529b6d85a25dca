package ui

import (
	"sort"
	"strings"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/importer"
)

// preview is the first records of an export file, for the mapping screen,
// as the importer reads them (through app.PreviewFile: there is no second
// parser here).
type preview struct {
	path    string
	format  string   // csv, tsv, xlsx, jsonl, json
	sheet   string   // .xlsx: the sheet shown
	sheets  []string // .xlsx: every sheet
	columns []string
	rows    [][]string // each as long as columns
	// mapping is what auto-detection (or the preset) chose; nil when a
	// required field has no column, and mappingErr says why.
	mapping    importer.Mapping
	mappingErr string
	detectErr  string            // mappingErr of auto-detection, restored when a preset is unselected
	sides      map[string]string // unmapped column → open, close or link:KIND
	dateNote   string            // how numeric dates will be read, when it matters
	problems   []string          // sampled records that could not be read
}

// readPreview reads up to n records of path under o, with the project's
// remembered visibility choices saved.
func readPreview(path string, o app.ImportOptions, saved map[string]string, n int) (preview, error) {
	pv, err := app.PreviewFile(path, o, saved, n)
	if err != nil {
		return preview{}, err
	}
	out := preview{path: path, format: pv.Format, sheet: pv.Sheet, sheets: pv.Sheets, columns: pv.Columns, rows: pv.Rows,
		mapping: pv.Mapping, mappingErr: pv.MappingError, detectErr: pv.MappingError, sides: pv.Sides, problems: pv.Problems}
	if pv.DateOrderNote != "" {
		out.dateNote = "Day/month order: " + firstNonEmpty(pv.DateOrder, "conventional") + " (" + pv.DateOrderNote + ")"
	}
	return out, nil
}

// sidesText lists the unmapped columns by where they will go.
func (pv preview) sidesText() string {
	var open, closing, links []string
	for col, side := range pv.sides {
		switch {
		case side == importer.SideOpen:
			open = append(open, col)
		case side == importer.SideClose:
			closing = append(closing, col)
		case strings.HasPrefix(side, "link:"):
			links = append(links, col+" → "+strings.TrimPrefix(side, "link:"))
		}
	}
	var b strings.Builder
	for _, part := range []struct {
		label string
		cols  []string
	}{{"Known at opening", open}, {"Known only at closing", closing}, {"Links", links}} {
		if len(part.cols) == 0 {
			continue
		}
		sort.Strings(part.cols)
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(part.label + ": " + truncate(strings.Join(part.cols, ", "), 600))
	}
	return b.String()
}
