package importer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// maxReportRejects caps Report.Rejects; the rejects file has all of them.
const maxReportRejects = 1000

// maxRejectRaw caps the raw text kept per rejected row.
const maxRejectRaw = 1 << 20

// Report says what an import read, kept, rejected and repaired.
type Report struct {
	File          string   `json:"file"`
	Format        string   `json:"format"`
	Sheet         string   `json:"sheet,omitempty"`                 // .xlsx: the worksheet read
	Delimiter     string   `json:"delimiter,omitempty"`             // CSV / TSV: the separator, given or sniffed
	Mapping       Mapping  `json:"mapping"`                         // as resolved against the file's columns
	Choices       []Choice `json:"choices,omitempty"`               // how each field was filled, its runner-up and any doubt
	Rows          int      `json:"rows"`                            // data rows read (header excluded)
	Imported      int      `json:"imported"`                        // rows accepted (duplicates included)
	Added         int      `json:"added"`                           // tickets new to the store (ImportFile only)
	Updated       int      `json:"updated"`                         // stored tickets that changed (ImportFile only)
	Unchanged     int      `json:"unchanged"`                       // stored tickets already identical (ImportFile only)
	Rejected      int      `json:"rejected"`                        // rows not imported; see Rejects
	DuplicateIDs  int      `json:"duplicate_ids"`                   // rows whose ID appeared earlier in the file (last wins)
	DuplicateIDEx []string `json:"duplicate_id_examples,omitempty"` // first few duplicated IDs
	Recoded       int      `json:"recoded"`                         // rows with invalid UTF-8 read as Windows-1252
	BadClosed     int      `json:"bad_closed"`                      // rows with a mapped but missing/unparsable closed time, kept as zero
	BadClosedEx   []string `json:"bad_closed_examples,omitempty"`   // the first few unparsable closed times
	// OpenStatusClosed counts tickets whose close time was dropped because
	// their status says they are still open (New, Active, In Progress);
	// OpenStatusEx lists the first few such statuses.
	OpenStatusClosed int            `json:"open_status_closed,omitempty"`
	OpenStatusEx     []string       `json:"open_status_examples,omitempty"`
	StatusColumns    []string       `json:"status_columns,omitempty"`    // columns read for that, most telling first
	DateOrder        string         `json:"date_order,omitempty"`        // dmy or mdy when given or detected; "" = conventions
	DateOrderNote    string         `json:"date_order_note,omitempty"`   // why: "given", "detected from ...", or "ambiguous ..."
	Comments         int            `json:"comments"`                    // comments imported, over all tickets
	CommentBadTimes  int            `json:"comment_bad_times,omitempty"` // comments whose time could not be read (kept, visible once closed)
	Links            int            `json:"links"`                       // explicit links imported, over all tickets
	LinksByKind      map[string]int `json:"links_by_kind,omitempty"`     // Links per kind (see ClassifyLink)
	// DuplicateRule says which row of a repeated ID is kept.
	DuplicateRule string `json:"duplicate_rule,omitempty"`
	// Visibility is, for each column that went to Extra or Closing, its
	// side: SideOpen (known when the ticket opened) or SideClose.
	Visibility  map[string]string `json:"visibility,omitempty"`
	LinkColumns map[string]string `json:"link_columns,omitempty"` // column → link kind, for columns read as links
	Rejects     []Reject          `json:"rejects,omitempty"`      // the first 1000 rejects
	RejectsFile string            `json:"rejects_file,omitempty"` // where every reject was written, if anywhere
}

// Reject is one row that was not imported, and why.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`             // line where the row starts; 0 in a JSON document (see Record)
	Record int    `json:"record,omitempty"` // record number in a JSON document that wraps its records
	ID     string `json:"id,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// rejectSink records rejects in the report and, lazily, in a JSONL file.
type rejectSink struct {
	path string
	f    *os.File
	w    *bufio.Writer
	rep  *Report
}

func (s *rejectSink) add(r Reject, raw string) error {
	s.rep.Rejected++
	if len(s.rep.Rejects) < maxReportRejects {
		s.rep.Rejects = append(s.rep.Rejects, r)
	}
	if s.path == "" {
		return nil
	}
	if s.f == nil {
		f, err := os.Create(s.path)
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		s.f, s.w = f, bufio.NewWriter(f)
		s.rep.RejectsFile = s.path
	}
	if len(raw) > maxRejectRaw {
		raw = raw[:maxRejectRaw]
	}
	line, err := json.Marshal(struct {
		Reject
		Raw string `json:"raw"`
	}{r, raw})
	if err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	if _, err := s.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("rejects file %s: %w", s.path, err)
	}
	return nil
}

func (s *rejectSink) close() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("rejects file %s: %w", s.path, err)
	}
	return nil
}
