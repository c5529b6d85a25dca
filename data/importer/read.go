// Package importer reads ticket exports (CSV, TSV, .xlsx, JSONL, JSON
// arrays and JSON documents wrapping an array of records) into data.Ticket
// batches: it maps source columns (for nested JSON, dotted paths) to ticket
// fields, comments and links, decides which other columns were known at
// opening and which only at closing, parses times, repairs encodings, and
// reports every row it could not import.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// DefaultBatchSize is how many tickets one emitted batch (and one store
// transaction) holds unless Options.BatchSize says otherwise.
const DefaultBatchSize = 5000

// DuplicateRule is what an import does with an ID a file repeats.
const DuplicateRule = "the last row with the ID is kept, earlier ones are replaced"

// detectSample is how many JSON records auto-detection looks at for keys.
const detectSample = 200

// Options tune one import; the zero value auto-detects everything.
type Options struct {
	Format     string            // csv, tsv, xlsx, jsonl or json; "" = from the extension, then the content
	Delimiter  rune              // CSV: the separator; 0 = sniffed from the first lines (, ; tab |)
	Sheet      string            // .xlsx: the worksheet to read; "" = the first with a header row
	Mapping    Mapping           // fields it names override the preset or auto-detection
	Preset     string            // see Presets; "" = auto-detect
	Location   *time.Location    // zone for times written without one; nil = UTC
	DateOrder  string            // "dmy" or "mdy" for numeric dates; "" = detect from the data
	Visibility map[string]string // column → SideOpen or SideClose, overriding DefaultSide
	// CheckVisible are the Visibility columns the user named for this
	// import (not the remembered ones): each must name a column of the
	// file, or the import stops before storing anything.
	CheckVisible []string
	BatchSize    int                               // tickets per batch; 0 = DefaultBatchSize
	LazyQuotes   bool                              // tolerate stray quotes in CSV fields
	RejectsPath  string                            // JSONL file receiving every rejected row; "" = none
	Progress     func(readBytes, totalBytes int64) // called after each batch; totalBytes -1 when unknown
}

// Read parses r (named name for messages and format detection) and calls
// emit with batches of tickets, each ID at most once per batch. Rows that
// cannot be imported are counted and reported, not fatal; a structurally
// broken file stops Read with an error naming file and line, after the
// batches emitted so far. Cancelling ctx stops it between batches.
func Read(ctx context.Context, r io.Reader, name string, opts Options, emit func(batch []data.Ticket) error) (Report, error) {
	rep := Report{File: name}
	rd := &reading{ctx: ctx, opts: opts, rep: &rep, emit: emit, total: -1,
		rejects: &rejectSink{path: opts.RejectsPath, rep: &rep}, seen: map[string]struct{}{}}
	if rd.opts.BatchSize <= 0 {
		rd.opts.BatchSize = DefaultBatchSize
	}
	if sz, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := sz.Stat(); err == nil {
			rd.total = fi.Size()
		}
	} else if l, ok := r.(interface{ Len() int }); ok {
		rd.total = int64(l.Len())
	}
	err := rd.run(r, name)
	rep.Visibility, rep.LinkColumns = rd.conv.visibility, rd.conv.linkCols
	rep.CommentBadTimes = rd.conv.comments.badTime
	rep.StatusColumns = rd.conv.status.cols
	if cerr := rd.rejects.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rep, fmt.Errorf("import %s: %w", name, err)
	}
	return rep, nil
}

// reading is the state of one Read call.
type reading struct {
	ctx     context.Context
	opts    Options
	rep     *Report
	emit    func([]data.Ticket) error
	rejects *rejectSink
	counter *countingReader
	total   int64

	conv    converter
	batch   []data.Ticket
	inBatch map[string]int
	seen    map[string]struct{}
}

func (rd *reading) run(r io.Reader, name string) error {
	rd.counter = &countingReader{r: r}
	br := bufio.NewReaderSize(rd.counter, 1<<20)
	if err := skipBOM(br); err != nil {
		return err
	}
	smp, err := openSample(br, name, rd.opts, detectSample)
	if err != nil {
		return err
	}
	defer smp.close()
	rd.rep.Format, rd.rep.Sheet = smp.format, smp.sheet
	if smp.delimiter != 0 {
		rd.rep.Delimiter = delimiterName(smp.delimiter)
	}
	src, columns, peeked, peekErr := smp.src, smp.columns, smp.rows, smp.err
	jsonRecords := smp.json()
	if jsonRecords && len(peeked) == 0 && peekErr == nil {
		return nil // no records: nothing to map or import
	}
	mapping, err := rd.mapping(columns, peeked)
	if peekErr != nil && (err != nil || len(peeked) == 0) {
		return peekErr
	}
	if err != nil {
		if len(mapping["opened"]) == 0 {
			if tc := timeColumns(peeked); len(tc) > 0 {
				return fmt.Errorf("%w; columns holding times: %s", err, listColumns(tc))
			}
		}
		return err
	}
	rd.rep.Mapping = mapping
	if err := checkVisible(rd.opts.CheckVisible, columns); err != nil {
		return err
	}
	rd.conv = newConverter(mapping, rd.opts.Location, "", rd.opts.Visibility)
	rd.conv.fileColumns(columns)
	if !jsonRecords {
		rd.conv.indexColumns(columns)
	}
	rd.dateOrder(peeked)

	for _, rw := range peeked {
		if err := rd.row(rw); err != nil {
			return err
		}
	}
	if peekErr != nil {
		_ = rd.flush()
		return peekErr
	}
	for {
		rw, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = rd.flush() // what was read before the break is still good
			return err
		}
		if err := rd.row(rw); err != nil {
			return err
		}
	}
	return rd.flush()
}

// sample is an opened source and its first records.
type sample struct {
	format, sheet string
	delimiter     rune     // CSV / TSV: the separator read with
	sheets        []string // .xlsx: every sheet of the workbook
	src           source
	columns       []string // header columns, or the JSON records' paths in first-seen order
	rows          []row
	err           error // a structural error met while sampling
	close         func()
}

func (s *sample) json() bool { return s.format == "jsonl" || s.format == "json" }

// openSample detects the format, opens the source and reads up to n
// records: JSON records carry their own keys to detect from, and the
// sample's times tell the day/month order.
func openSample(br *bufio.Reader, name string, opts Options, n int) (*sample, error) {
	format, err := detectFormat(opts.Format, name, br)
	if err != nil {
		return nil, err
	}
	s := &sample{format: format, close: func() {}}
	switch format {
	case "csv", "tsv":
		comma := opts.Delimiter
		switch {
		case comma != 0:
		case format == "tsv":
			comma = '\t'
		default:
			comma = sniffDelimiter(peekHead(br))
		}
		s.delimiter = comma
		cs, err := newCSVSource(br, comma, opts.LazyQuotes)
		if err != nil {
			return nil, err
		}
		s.src, s.columns = cs, cs.header
	case "xlsx":
		xs, err := newXLSXSource(br, opts.Sheet)
		if err != nil {
			return nil, err
		}
		s.close, s.sheet, s.sheets = xs.close, xs.sheet, xs.sheets
		s.src, s.columns = xs, xs.header
	case "jsonl":
		s.src = &jsonlSource{r: br}
	case "json":
		if firstByte(br) == '{' {
			s.src = newJSONDocSource(br)
		} else {
			s.src = &jsonArraySource{r: br, line: 1}
		}
	}
	seenCol := map[string]bool{}
	for len(s.rows) < n {
		rw, err := s.src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.err = err // import what came before, then report it
			break
		}
		s.rows = append(s.rows, rw)
		if !s.json() {
			continue
		}
		for _, list := range [][]string{rw.names, rw.arrays} {
			for _, c := range list {
				if !seenCol[c] {
					seenCol[c] = true
					s.columns = append(s.columns, c)
				}
			}
		}
	}
	return s, nil
}

// mapping combines preset or auto-detection with the explicit mapping.
func (rd *reading) mapping(columns []string, sample []row) (Mapping, error) {
	m, choices, err := chooseMapping(rd.opts, columns, sample)
	rd.rep.Choices = choices
	return m, err
}

// chooseMapping is the mapping an import uses: the preset or
// auto-detection, overridden field by field by the explicit mapping, and
// resolved against the file's columns. A column the explicit mapping
// gives one field is never detected for another; choices say how each
// field was filled.
func chooseMapping(opts Options, columns []string, sample []row) (Mapping, []Choice, error) {
	explicit := map[string]bool{}
	reserved := map[string]bool{}
	for f, cols := range opts.Mapping {
		if !contains(Fields, f) {
			return nil, nil, fmt.Errorf("mapping: unknown field %q (fields: %s)", f, strings.Join(Fields, ", "))
		}
		explicit[f] = true
		for _, c := range cols {
			reserved[c] = true
			for _, col := range columns {
				if norm(col) == norm(c) {
					reserved[col] = true
				}
			}
		}
	}
	stats := sampleStats(sample)
	var want Mapping
	var choices []Choice
	if opts.Preset != "" {
		p, err := Preset(opts.Preset)
		if err != nil {
			return nil, nil, err
		}
		want = p
	} else {
		want, choices = detectMapping(columns, stats, reserved)
	}
	for f, cols := range opts.Mapping {
		want[f] = cols
	}
	m, err := resolve(want, explicit, columns)
	if err != nil {
		return nil, choices, err
	}
	dropShared(m, explicit)
	kept := choices[:0]
	for _, c := range choices {
		if !explicit[c.Field] && (c.Column == "" || contains(m[c.Field], c.Column)) {
			kept = append(kept, c)
		}
	}
	choices = kept
	for f := range opts.Mapping {
		if len(m[f]) > 0 {
			choices = append(choices, Choice{Field: f, Column: strings.Join(m[f], "|"), By: "given"})
		}
	}
	if opts.Preset != "" {
		choices = presetChoices(opts.Preset, m, stats, choices)
	}
	sort.SliceStable(choices, func(i, j int) bool { return fieldIndex(choices[i].Field) < fieldIndex(choices[j].Field) })
	return m, choices, nil
}

// presetChoices adds, to the given fields' choices, one per field the
// preset filled, with a doubt when the sampled values do not fit.
func presetChoices(preset string, m Mapping, stats map[string]*colStats, given []Choice) []Choice {
	var out []Choice
	for _, f := range Fields {
		if len(m[f]) == 0 {
			continue
		}
		if i := slices.IndexFunc(given, func(c Choice) bool { return c.Field == f }); i >= 0 {
			out = append(out, given[i])
			continue
		}
		c := Choice{Field: f, Column: m[f][0], By: "preset " + preset}
		if len(m[f]) > 1 {
			c.RunnerUp = m[f][1]
		}
		if ok, why := fits(f, stats[c.Column]); !ok {
			c.Doubt = c.Column + ": " + why
		}
		out = append(out, c)
	}
	return out
}

// dropShared keeps each column in one field: the field the user gave it
// to, else the first in Fields order.
func dropShared(m Mapping, explicit map[string]bool) {
	owner := map[string]string{}
	for _, f := range Fields {
		if explicit[f] {
			for _, c := range m[f] {
				owner[c] = f
			}
		}
	}
	for _, f := range Fields {
		for _, c := range m[f] {
			if _, ok := owner[c]; !ok {
				owner[c] = f
			}
		}
	}
	for _, f := range Fields {
		if len(m[f]) == 0 {
			continue
		}
		kept := m[f][:0]
		for _, c := range m[f] {
			if owner[c] == f {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			delete(m, f)
		} else {
			m[f] = kept
		}
	}
}

func (rd *reading) row(rw row) error {
	rd.rep.Rows++
	if rw.recoded {
		rd.rep.Recoded++
	}
	t, field, reason := rd.conv.ticket(&rw)
	if rw.bad != "" {
		field, reason = "", rw.bad
	}
	if reason != "" {
		return rd.rejects.add(Reject{File: rd.rep.File, Line: rw.line, Record: rw.record, ID: t.ID, Field: field, Reason: reason}, rawText(&rw))
	}
	if st := rd.conv.openStatus; st != "" {
		rd.rep.OpenStatusClosed++
		if len(rd.rep.OpenStatusEx) < 5 && !contains(rd.rep.OpenStatusEx, st) {
			rd.rep.OpenStatusEx = append(rd.rep.OpenStatusEx, st)
		}
	}
	if rd.conv.badClosed {
		rd.rep.BadClosed++
		if len(rd.rep.BadClosedEx) < 5 && rd.conv.closedText != "" && !contains(rd.rep.BadClosedEx, rd.conv.closedText) {
			rd.rep.BadClosedEx = append(rd.rep.BadClosedEx, rd.conv.closedText)
		}
	}
	rd.rep.Comments += len(t.Comments)
	rd.rep.Links += len(t.Links)
	for _, l := range t.Links {
		if rd.rep.LinksByKind == nil {
			rd.rep.LinksByKind = map[string]int{}
		}
		rd.rep.LinksByKind[l.Kind]++
	}
	rd.rep.Imported++
	if _, dup := rd.seen[t.ID]; dup {
		rd.rep.DuplicateIDs++
		rd.rep.DuplicateRule = DuplicateRule
		if len(rd.rep.DuplicateIDEx) < 20 {
			rd.rep.DuplicateIDEx = append(rd.rep.DuplicateIDEx, t.ID)
		}
		if i, ok := rd.inBatch[t.ID]; ok {
			rd.batch[i] = t // last occurrence wins
			return nil
		}
	} else {
		rd.seen[t.ID] = struct{}{}
	}
	if rd.inBatch == nil {
		rd.inBatch = make(map[string]int, rd.opts.BatchSize)
	}
	rd.inBatch[t.ID] = len(rd.batch)
	rd.batch = append(rd.batch, t)
	if len(rd.batch) >= rd.opts.BatchSize {
		return rd.flush()
	}
	return nil
}

func (rd *reading) flush() error {
	if err := rd.ctx.Err(); err != nil {
		return err
	}
	if len(rd.batch) > 0 {
		if err := rd.emit(rd.batch); err != nil {
			return err
		}
	}
	rd.batch, rd.inBatch = nil, nil
	if rd.opts.Progress != nil {
		rd.opts.Progress(rd.counter.n, rd.total)
	}
	return nil
}

// timeColumns are the sampled columns whose values read as times, a hint
// for mapping opened when detection found no column for it.
func timeColumns(sample []row) []string {
	var out []string
	seen := map[string]bool{}
	for _, rw := range sample[:min(len(sample), 20)] {
		for i, n := range rw.names {
			if seen[n] || i >= len(rw.values) || rw.values[i] == "" {
				continue
			}
			seen[n] = true
			if isNumber(rw.values[i]) {
				continue // counts and IDs read as epochs
			}
			if _, err := ParseTime(rw.values[i], nil); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// dateOrder sets the day/month order of numeric dates: the user's, else
// what the sample's opened and closed times show, else the conventions
// of ParseTime; the report says which and why.
func (rd *reading) dateOrder(sample []row) {
	if o := rd.opts.DateOrder; o != "" {
		rd.conv.setDateOrder(o)
		rd.rep.DateOrder, rd.rep.DateOrderNote = o, "given"
		return
	}
	var times []string
	for i := range sample {
		used := make([]bool, len(sample[i].values))
		times = append(times, rd.conv.value(&sample[i], fOpened, used), rd.conv.value(&sample[i], fClosed, used))
	}
	order, example := DetectDateOrder(times)
	if order != "" {
		rd.conv.setDateOrder(order)
		rd.rep.DateOrder, rd.rep.DateOrderNote = order, fmt.Sprintf("detected from %q", example)
		return
	}
	for _, s := range times {
		if _, _, ok := dayMonth(strings.TrimSpace(s)); ok {
			rd.rep.DateOrderNote = fmt.Sprintf("ambiguous (e.g. %q): read slashes as month/day, dashes and dots as day.month; use --date-order dmy|mdy", s)
			return
		}
	}
}

// rawText is the rejected record as text for the rejects file.
func rawText(rw *row) string {
	if rw.raw != nil {
		return string(rw.raw)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(rw.values)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func skipBOM(br *bufio.Reader) error {
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return fmt.Errorf("line 1: file is UTF-16; save it as UTF-8")
	}
	return nil
}

// detectFormat trusts an explicit format, then the extension, then the
// first non-space byte ([ = JSON array, { = JSONL, else CSV). A .json
// file holding one object per line is read as JSONL.
func detectFormat(explicit, name string, br *bufio.Reader) (string, error) {
	format := strings.ToLower(strings.TrimPrefix(explicit, "."))
	if format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = "csv"
		case ".tsv", ".tab":
			format = "tsv"
		case ".jsonl", ".ndjson":
			format = "jsonl"
		case ".json":
			format = "json"
		case ".xlsx", ".xlsm":
			format = "xlsx"
		}
	}
	if head, _ := br.Peek(4); format == "" && bytes.Equal(head, []byte("PK\x03\x04")) {
		return "xlsx", nil // a zip: the only zipped export we read
	}
	first := firstByte(br)
	switch format {
	case "csv", "tsv", "xlsx":
		return format, nil
	case "jsonl", "ndjson", "json", "":
		switch first {
		case '[':
			return "json", nil
		case '{':
			// One record per line, or one document wrapping the records.
			if sniffObjectFile(br) == "jsondoc" {
				return "json", nil
			}
			return "jsonl", nil
		}
		if format == "" {
			return "csv", nil
		}
		return strings.Replace(format, "ndjson", "jsonl", 1), nil
	}
	return "", fmt.Errorf("unknown format %q (csv, tsv, xlsx, jsonl, json)", explicit)
}

func firstByte(br *bufio.Reader) byte {
	for n := 1; n <= 4096; n *= 2 {
		head, err := br.Peek(n * 64)
		if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 {
			return t[0]
		}
		if err != nil {
			return 0
		}
	}
	return 0
}

// countingReader counts bytes read for progress reports.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
