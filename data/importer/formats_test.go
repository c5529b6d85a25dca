package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestParseTimeExportFormats(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	tests := []struct {
		in    string
		order string
		loc   *time.Location
		want  time.Time
		err   string
	}{
		{in: "15/Sep/21 12:43", want: utc(2021, 9, 15, 12, 43, 0)},
		{in: "15/sep/21 12:43 PM", want: utc(2021, 9, 15, 12, 43, 0)},
		{in: "5/Sep/21 1:43 PM", want: utc(2021, 9, 5, 13, 43, 0)},
		{in: "15/Sep/2021 12:43", want: utc(2021, 9, 15, 12, 43, 0)},
		{in: "15-Sep-2021 12:43:10", want: utc(2021, 9, 15, 12, 43, 10)},
		{in: "Sep 15, 2021 12:43 PM", want: utc(2021, 9, 15, 12, 43, 0)},
		{in: "2025-01-02T09:15:00.000+0000", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "2025-01-02T10:15:00.000+0100", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "2025-01-02", want: utc(2025, 1, 2, 0, 0, 0)},
		{in: "1/2/2025 9:15 AM", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "1/2/2025 9:15 PM", want: utc(2025, 1, 2, 21, 15, 0)},
		{in: "02/01/2025 09:15", want: utc(2025, 2, 1, 9, 15, 0)},
		{in: "02/01/2025 09:15", order: "dmy", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "02.01.2025 09:15", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "02-01-2025 09:15", order: "mdy", want: utc(2025, 2, 1, 9, 15, 0)},
		{in: "15/01/2025 09:15", order: "mdy", err: "not a valid mdy date"},
		{in: "2025-01-02 09:15:00", loc: paris, want: utc(2025, 1, 2, 8, 15, 0)},
		{in: "45659.385416666664", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "45659", want: utc(2025, 1, 2, 0, 0, 0)},
		{in: "45659.5", loc: paris, want: utc(2025, 1, 2, 11, 0, 0)},
		{in: "Thu Jan  2 09:15:00 UTC 2025", want: utc(2025, 1, 2, 9, 15, 0)},
		{in: "15/Okt/21 12:43", want: utc(2021, 10, 15, 12, 43, 0)},
		{in: "15/sept./21 12:43", want: utc(2021, 9, 15, 12, 43, 0)},
		{in: "3/Mär/22 9:05", want: utc(2022, 3, 3, 9, 5, 0)},
		{in: "02/dic/2021 08:00", want: utc(2021, 12, 2, 8, 0, 0)},
		{in: "31/31/2025", err: "unrecognised"},
		{in: "15/Foo/21 12:43", err: "unrecognised"},
	}
	for _, tc := range tests {
		t.Run(tc.in+tc.order, func(t *testing.T) {
			p := timeParser{order: tc.order}
			got, err := p.parse(tc.in, tc.loc)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDetectDateOrder(t *testing.T) {
	tests := []struct {
		samples []string
		order   string
	}{
		{[]string{"01/02/2025 10:00", "15/02/2025 10:00"}, "dmy"},
		{[]string{"01/02/2025 10:00", "02/15/2025 10:00"}, "mdy"},
		{[]string{"01/02/2025", "03/04/2025"}, ""},
		{[]string{"13/02/2025", "02/13/2025"}, ""}, // contradictory
		{[]string{"2025-01-31 10:00:00", "15/Sep/21 12:43"}, ""},
		{[]string{"", "31.12.2024 23:00"}, "dmy"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.samples, "|"), func(t *testing.T) {
			order, _ := DetectDateOrder(tc.samples)
			assert.Equal(t, tc.order, order)
		})
	}
}

// The day/month order is read from the data: a day above 12 anywhere in
// the sample decides it for every row, the first ones included.
func TestReadDetectsDateOrder(t *testing.T) {
	text := "id,opened\nA,02/01/2025 09:15\nB,15/01/2025 10:00\n"
	got, rep, err := readAll(t, "a.csv", text, Options{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "dmy", rep.DateOrder)
	assert.Contains(t, rep.DateOrderNote, "15/01/2025")
	assert.Equal(t, time.Date(2025, 1, 2, 9, 15, 0, 0, time.UTC), got[0].Opened)

	got, rep, err = readAll(t, "a.csv", text, Options{DateOrder: "mdy"})
	require.NoError(t, err)
	assert.Equal(t, "given", rep.DateOrderNote)
	require.Len(t, got, 1)
	require.Len(t, rep.Rejects, 1)
	assert.Contains(t, rep.Rejects[0].Reason, "not a valid mdy date")
}

func TestDetectMappingNested(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		want    string
	}{
		{"jira REST", []string{"expand", "id", "key", "fields.created", "fields.summary", "fields.description", "fields.priority.name",
			"fields.status.name", "fields.reporter.displayName", "fields.resolutiondate", "fields.comment.comments[]", "fields.comment.comments[].body", "fields.comment.comments[].created"},
			`id=key,opened=fields.created,closed=fields.resolutiondate,severity=fields.priority.name,user=fields.reporter.displayName,title=fields.summary,description=fields.description,comments=fields.comment.comments[]`},
		{"unknown nesting found by last keys", []string{"ticket.ref", "meta.created_at", "meta.closed_at", "body.subject", "body.text", "triage.severity.name", "notes.resolution_comment"},
			`opened=meta.created_at,closed=meta.closed_at,severity=triage.severity.name,title=body.subject,description=body.text,close_notes=notes.resolution_comment`},
		{"array values are not scalars", []string{"id", "created", "history[].created", "history[].text"},
			`id=id,opened=created`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DetectMapping(tc.columns).String())
		})
	}
}

func TestReadNestedExplicitPaths(t *testing.T) {
	text := `{"key":"X-1","f":{"when":"2024-03-01T08:00:00Z","notes":[{"t":"first"},{"t":"second"}],"labels":["a","b"]}}` + "\n"
	m, err := ParseMapping(`id=key,opened=f.when,close_notes=f.notes[1].t,rule=f.labels[]`)
	require.NoError(t, err)
	got, rep, err := readAll(t, "a.jsonl", text, Options{Mapping: m})
	require.NoError(t, err)
	require.Len(t, got, 1, "rejects %v", rep.Rejects)
	assert.Equal(t, "second", got[0].CloseNotes)
	assert.Equal(t, "a, b", got[0].Rule)
	assert.Equal(t, map[string]string{"f.notes[].t": "first\nsecond"}, got[0].Extra)

	// A list mapped to comments keeps objects without a known text key.
	m["comments"] = []string{"f.notes[]"}
	got, _, err = readAll(t, "a.jsonl", text, Options{Mapping: m})
	require.NoError(t, err)
	assert.Equal(t, []data.Comment{{Body: "first"}, {Body: "second"}}, got[0].Comments)
	assert.Nil(t, got[0].Extra)

	// Nothing found: the error names the paths it saw, how to map one,
	// and which hold times.
	_, _, err = readAll(t, "b.jsonl", `{"a":{"b":1}}`+"\n", Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no column for required fields "id" and "opened" (columns: a.b); give a mapping such as id=<column>,opened=<column>`)
	_, _, err = readAll(t, "c.jsonl", `{"ref":"X-1","evt":{"at":"15/Sep/21 12:43","n":3}}`+"\n", Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `give a mapping such as id=<column>,opened=<column>; columns holding times: evt.at`)
}

func TestVisibilityOverride(t *testing.T) {
	text := "id,opened,Assigned to,Sprint,Status\nA,2024-01-01 00:00:00,jdoe,S1,Closed\n"
	got, rep, err := readAll(t, "a.csv", text, Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Sprint": "S1"}, got[0].Extra)
	assert.Equal(t, map[string]string{"Assigned to": "jdoe", "Status": "Closed"}, got[0].Closing)
	assert.Equal(t, map[string]string{"Assigned to": SideClose, "Sprint": SideOpen, "Status": SideClose}, rep.Visibility)

	got, rep, err = readAll(t, "a.csv", text, Options{Visibility: map[string]string{"assigned_to": SideOpen, "Sprint": SideClose}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Assigned to": "jdoe"}, got[0].Extra)
	assert.Equal(t, map[string]string{"Sprint": "S1", "Status": "Closed"}, got[0].Closing)
	assert.Equal(t, SideOpen, rep.Visibility["Assigned to"])
}

func TestDefaultSide(t *testing.T) {
	for col, side := range map[string]string{
		"Assignee": SideClose, "assigned_to": SideClose, "Resolution": SideClose, "Resolved by": SideClose,
		"resolution_code": SideClose, "close_code": SideClose, "Work notes": SideClose, "comments": SideClose,
		"closed_by": SideClose, "parent": SideClose, "state": SideClose, "incident_state": SideClose,
		"Status": SideClose, "time_worked": SideClose, "SLA at close": SideClose, "fields.status.name": SideClose,
		"Category": SideOpen, "Sprint": SideOpen, "u_detection_source": SideOpen, "src_ip": SideOpen,
		"fields.customfield_10042": SideOpen, "Issue Type": SideOpen,
	} {
		assert.Equal(t, side, DefaultSide(col), col)
	}
}

// writeXLSX writes a workbook whose "Incidents" sheet holds rows, with
// opened as a real date cell (a serial number with a date format).
func writeXLSX(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_, err := f.NewSheet("Incidents")
	require.NoError(t, err)
	rows := [][]any{
		{"Number", "Opened", "Short description", "Close notes", "Assigned to"},
		{"INC0001", time.Date(2025, 1, 2, 9, 15, 0, 0, time.UTC), "Phish", "See INC0000", "jdoe"},
		{"INC0002", "02/01/2025 10:00", "Malware", "", ""},
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow("Incidents", cell, &r))
	}
	require.NoError(t, f.SaveAs(path))
}

func TestReadXLSX(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.xlsx")
	writeXLSX(t, path)
	st, err := store.Open(filepath.Join(dir, "store"))
	require.NoError(t, err)
	defer st.Close()

	// The first sheet is the empty default one: named, it is refused;
	// by default the first sheet with a header row is read.
	_, err = ImportFile(context.Background(), st, path, Options{Sheet: "Sheet1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `sheet "Sheet1" is empty`)
	f, err := os.Open(path)
	require.NoError(t, err)
	pv, err := PreviewReader(f, path, Options{}, 5)
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, "Incidents", pv.Sheet)
	assert.Equal(t, []string{"Sheet1", "Incidents"}, pv.Sheets)
	assert.Equal(t, []string{"Number", "Opened", "Short description", "Close notes", "Assigned to"}, pv.Columns)

	_, err = ImportFile(context.Background(), st, path, Options{Sheet: "Nope"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no sheet "Nope" (sheets: Sheet1, Incidents)`)

	rep, err := ImportFile(context.Background(), st, path, Options{})
	require.NoError(t, err)
	assert.Equal(t, "xlsx", rep.Format)
	assert.Equal(t, "Incidents", rep.Sheet)
	assert.Equal(t, 2, rep.Added, "rejects %v", rep.Rejects)
	var got []data.Ticket
	require.NoError(t, st.ForEachTicket(func(tk data.Ticket) error { got = append(got, tk); return nil }))
	require.Len(t, got, 2)
	assert.Equal(t, time.Date(2025, 1, 2, 9, 15, 0, 0, time.UTC), got[0].Opened, "a date cell is an Excel serial")
	assert.Equal(t, "See INC0000", got[0].CloseNotes)
	assert.Equal(t, map[string]string{"Assigned to": "jdoe"}, got[0].Closing)
	assert.Equal(t, time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC), got[1].Opened)

	// A truncated workbook is refused with the file's name; the store keeps
	// what it had.
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	cut := filepath.Join(dir, "cut.xlsx")
	require.NoError(t, os.WriteFile(cut, b[:len(b)/2], 0o644))
	_, err = ImportFile(context.Background(), st, cut, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "import "+cut+": not a readable .xlsx workbook")
	n, err := st.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestReadBadNestedInput(t *testing.T) {
	// A malformed record in JSON lines is one reject with its line.
	text := `{"key":"A","fields":{"created":"2024-01-01T00:00:00Z"}}` + "\n" +
		`{"key":"B","fields":{"created":"2024-01-01T00:00:00Z"` + "\n" +
		`{"key":"C","fields":{"created":"2024-01-02T00:00:00Z"}}` + "\n"
	got, rep, err := readAll(t, "a.jsonl", text, Options{})
	require.NoError(t, err)
	assert.Len(t, got, 2)
	require.Len(t, rep.Rejects, 1)
	assert.Equal(t, 2, rep.Rejects[0].Line)

	// A JSON document broken mid-way: what came before is emitted, the
	// error names the file and the record.
	doc := `{"results":[{"event_id":"E1","_time":"2024-01-01T00:00:00Z"},{"event_id":"E2","_time":"2024-01-01T00:00:00Z"},{"event_id":"E3","_ti`
	got, _, err = readAll(t, "r.json", doc, Options{BatchSize: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "import r.json: record 3: truncated JSON document")
	assert.Len(t, got, 2)

	// A document without an array of records says where it looked.
	_, _, err = readAll(t, "s.json", "{\n \"count\": 2,\n \"rows\": 5\n}", Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds no array of records")
	assert.Contains(t, err.Error(), "top-level keys: count, rows")

	// A record that is not an object is a reject with its record number.
	got, rep, err = readAll(t, "t.json", `{"result":[{"number":"I1","opened_at":"2024-01-01 00:00:00"}, 7]}`, Options{})
	require.NoError(t, err)
	assert.Len(t, got, 1)
	require.Len(t, rep.Rejects, 1)
	assert.Equal(t, 2, rep.Rejects[0].Record)
}

// A large single-line JSON document streams record by record.
func TestReadSingleLineJSONDocument(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"preview":false,"results":[`)
	const n = 20000
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"event_id":"E%d","_time":"%d","rule_name":"R%d","comment":"%s"}`, i, 1704067200+i, i%7, strings.Repeat("x", 200))
	}
	b.WriteString(`]}`)
	count := 0
	rep, err := Read(context.Background(), bytes.NewReader(b.Bytes()), "big.json", Options{}, func(batch []data.Ticket) error {
		count += len(batch)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "json", rep.Format)
	assert.Equal(t, n, count)
}

// Comments are stored oldest first whatever order the export lists them
// in; undated ones come last.
func TestCommentsOldestFirst(t *testing.T) {
	journal := "2024-03-01 10:30:00 - Jane Doe (Work notes)\nReimage scheduled.\n\n2024-03-01 09:00:00 - Jane Doe (Work notes)\nHost isolated."
	text := "Number,Opened,Work notes,Comments\nINC1,2024-03-01 08:00:00,\"" + journal + "\",undated remark\n"
	m, err := ParseMapping(`comments=Comments|"Work notes"`)
	require.NoError(t, err)
	got, _, err := readAll(t, "a.csv", text, Options{Mapping: m})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, []data.Comment{
		{Time: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), Author: "Jane Doe", Body: "Host isolated."},
		{Time: time.Date(2024, 3, 1, 10, 30, 0, 0, time.UTC), Author: "Jane Doe", Body: "Reimage scheduled."},
		{Body: "undated remark"},
	}, got[0].Comments)
}

// Mail-style dates with one-digit days, local month names and epochs.
func TestParseTimeOneDigitDaysAndEpochs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Wed, 2 Oct 2013 10:15:50 +0300", "2013-10-02T07:15:50Z"},
		{"Wed, 02 Oct 2013 10:15:50 +0300", "2013-10-02T07:15:50Z"},
		{"Wed, 2 Oct 2013 10:15:50 +0300 (EEST)", "2013-10-02T07:15:50Z"},
		{"2 Oct 2013 10:15:50 -0000", "2013-10-02T10:15:50Z"},
		{"Wed Oct 2 10:15:50 2013 +0200", "2013-10-02T08:15:50Z"},
		{"2. Okt. 2013 10:15", "2013-10-02T10:15:00Z"},
		{"2 octobre 2013", "2013-10-02T00:00:00Z"},
		{"2 October 2013 10:15", "2013-10-02T10:15:00Z"},
		{"October 2, 2013", "2013-10-02T00:00:00Z"},
		{"1380708950", "2013-10-02T10:15:50Z"},
		{"1380708950123", "2013-10-02T10:15:50.123Z"},
		{"1380708950.5", "2013-10-02T10:15:50.5Z"},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in, nil)
		if assert.NoError(t, err, tc.in) {
			assert.Equal(t, utcAt(tc.want), got, tc.in)
		}
	}
}
