package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const snowHeader = `Number,Opened,Closed,Category,Priority,Configuration item,Caller,Short description,Description,Close notes`

// readAll runs Read over text and collects every emitted ticket.
func readAll(t *testing.T, name, text string, opts Options) ([]data.Ticket, Report, error) {
	t.Helper()
	var got []data.Ticket
	rep, err := Read(context.Background(), strings.NewReader(text), name, opts, func(b []data.Ticket) error {
		got = append(got, b...)
		return nil
	})
	return got, rep, err
}

func TestReadServiceNowZeroConfig(t *testing.T) {
	text := snowHeader + "\n" +
		`INC0012345,2024-03-01 08:15:00,2024-03-01 09:00:00,Brute force,2 - High,srv-01,jdoe,Many failed logins,"Line one` + "\n" + `line two",Benign: user locked out` + "\n" +
		`INC0012346,2024-03-02 10:00:00,,Phishing,3 - Moderate,,asmith,Suspicious mail,,See INC0012345` + "\n"
	got, rep, err := readAll(t, "export.csv", text, Options{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, data.Ticket{
		ID: "INC0012345", Opened: time.Date(2024, 3, 1, 8, 15, 0, 0, time.UTC), Closed: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		Rule: "Brute force", Severity: "2 - High", Host: "srv-01", User: "jdoe", Title: "Many failed logins",
		Description: "Line one\nline two", CloseNotes: "Benign: user locked out",
	}, got[0])
	assert.True(t, got[1].Closed.IsZero())
	assert.Equal(t, 1, rep.BadClosed)
	assert.Equal(t, "csv", rep.Format)
	assert.Equal(t, `id=Number,opened=Opened,closed=Closed,rule=Category,severity=Priority,host="Configuration item",user=Caller,title="Short description",description=Description,close_notes="Close notes"`,
		rep.Mapping.String())
	assert.Equal(t, 2, rep.Rows)
	assert.Equal(t, 2, rep.Imported)
}

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		want    string
	}{
		{"servicenow", strings.Split(snowHeader, ","),
			`id=Number,opened=Opened,closed=Closed,rule=Category,severity=Priority,host="Configuration item",user=Caller,title="Short description",description=Description,close_notes="Close notes"`},
		{"servicenow internal names", []string{"number", "opened_at", "closed_at", "category", "priority", "cmdb_ci", "caller_id", "short_description", "description", "close_notes", "sys_id"},
			`id=number,opened=opened_at,closed=closed_at,rule=category,severity=priority,host=cmdb_ci,user=caller_id,title=short_description,description=description,close_notes=close_notes`},
		{"jira", []string{"Summary", "Issue key", "Issue id", "Status", "Priority", "Reporter", "Created", "Resolved", "Component/s", "Description", "Custom field (Host)", "Custom field (Resolution notes)"},
			`id="Issue key",opened=Created,closed=Resolved,rule=Component/s,severity=Priority,host="Custom field (Host)",user=Reporter,title=Summary,description=Description,close_notes="Custom field (Resolution notes)"`},
		{"canonical snake_case", []string{"id", "opened", "closed", "rule", "severity", "host", "user", "title", "description", "close_notes"},
			`id=id,opened=opened,closed=closed,rule=rule,severity=severity,host=host,user=user,title=title,description=description,close_notes=close_notes`},
		{"splunk", []string{"_time", "event_id", "rule_name", "rule_title", "rule_description", "urgency", "dest", "user", "comment", "src"},
			`id=event_id,opened=_time,rule=rule_name,severity=urgency,host=dest,user=user,title=rule_title,description=rule_description,close_notes=comment`},
		{"thehive", []string{"_id", "caseId", "createdAt", "endDate", "tags", "severity", "title", "description", "summary", "owner"},
			`id=_id|caseId,opened=createdAt,closed=endDate,rule=tags,severity=severity,title=title,description=description,close_notes=summary`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := resolve(DetectMapping(tc.columns), nil, tc.columns)
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.String())
		})
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		spec string
		want Mapping
		err  string
	}{
		{spec: `id=Number,opened=Opened,title="Short description"`,
			want: Mapping{"id": {"Number"}, "opened": {"Opened"}, "title": {"Short description"}}},
		{spec: ` id = Number , close_notes="Notes, final" `,
			want: Mapping{"id": {"Number"}, "close_notes": {"Notes, final"}}},
		{spec: `id=_id|caseId,title="a ""quoted"" | name"`,
			want: Mapping{"id": {"_id", "caseId"}, "title": {`a "quoted" | name`}}},
		{spec: `id=Number,close_notes=`, want: Mapping{"id": {"Number"}, "close_notes": {}}},
		{spec: `ID=Number`, want: Mapping{"id": {"Number"}}},
		{spec: `nope=Number`, err: `unknown field "nope"`},
		{spec: `id=a,id=b`, err: `given twice`},
		{spec: `title="open`, err: `unterminated quote`},
		{spec: `Number`, err: `expected field=column`},
		{spec: `title="a"b`, err: `unexpected 'b'`},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			m, err := ParseMapping(tc.spec)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m)
			back, err := ParseMapping(m.String())
			require.NoError(t, err)
			assert.Equal(t, m, back, "String round-trips")
		})
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
		err  bool
	}{
		{in: "2024-03-01T08:15:00Z", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "2024-03-01T08:15:00.123456Z", want: utc(2024, 3, 1, 8, 15, 0, 123456000)},
		{in: "2024-03-01T09:15:00+01:00", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "2024-03-01 08:15:00", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "2024-03-01 08:15:00.5", want: utc(2024, 3, 1, 8, 15, 0, 5e8)},
		{in: "2024-03-01T08:15:00", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "2024-03-01 08:15", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "03/01/2024 08:15:00", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "01-03-2024 08:15:00", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "2024-03-01 09:15:00", loc: berlin, want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "1709280900", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "1709280900.25", want: utc(2024, 3, 1, 8, 15, 0, 25e7)},
		{in: "1709280900000", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "1709280900123", want: utc(2024, 3, 1, 8, 15, 0, 123e6)},
		{in: "1709280900000000", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "1709280900000000000", want: utc(2024, 3, 1, 8, 15, 0, 0)},
		{in: "", err: true},
		{in: "yesterday", err: true},
		{in: "13/45/2024 08:00:00", err: true},
		{in: "0001-01-01 00:00:00", err: true},
		{in: "12", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTime(tc.in, tc.loc)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReadBadInput(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		text   string
		opts   Options
		ids    []string
		check  func(t *testing.T, got []data.Ticket, rep Report)
		err    string // a fatal error containing this
		reject []Reject
	}{
		{
			name: "BOM stripped", file: "a.csv",
			text: "\xEF\xBB\xBFNumber,Opened\nINC1,2024-01-01 00:00:00\n",
			ids:  []string{"INC1"},
		},
		{
			name: "embedded newlines keep line numbers", file: "a.csv",
			text:   "id,opened,description\nA,2024-01-01 00:00:00,\"x\ny\nz\"\nB,bad time,ok\nC,2024-01-02 00:00:00,\"p\nq\"\n,2024-01-02 00:00:00,no id\n",
			ids:    []string{"A", "C"},
			reject: []Reject{{File: "a.csv", Line: 5, ID: "B", Field: "opened", Reason: `opened: unrecognised time "bad time"`}, {File: "a.csv", Line: 8, Field: "id", Reason: "empty ID"}},
		},
		{
			name: "Latin-1 bytes recoded", file: "a.csv",
			text: "id,opened,title\nA,2024-01-01 00:00:00,caf\xe9 \x80 na\xefve\n",
			ids:  []string{"A"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Equal(t, "café € naïve", got[0].Title)
				assert.Equal(t, 1, rep.Recoded)
			},
		},
		{
			name: "duplicate IDs last wins", file: "a.csv",
			text: "id,opened,title\nA,2024-01-01 00:00:00,first\nB,2024-01-01 00:00:00,b\nA,2024-01-01 00:00:00,second\n",
			ids:  []string{"A", "B"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Equal(t, "second", got[0].Title)
				assert.Equal(t, 1, rep.DuplicateIDs)
				assert.Equal(t, []string{"A"}, rep.DuplicateIDEx)
			},
		},
		{
			name: "missing required column", file: "a.csv",
			text: "Number,Title\nA,x\n",
			err:  `no column for required field "opened" (columns: Number|Title)`,
		},
		{
			name: "explicit mapping names a missing column", file: "a.csv",
			text: "Number,Opened\nA,2024-01-01 00:00:00\n",
			opts: Options{Mapping: Mapping{"title": {"Headline"}}},
			err:  `mapping title=Headline: no such column (columns: Number|Opened)`,
		},
		{
			name: "unknown preset", file: "a.csv",
			text: "Number,Opened\n",
			opts: Options{Preset: "remedy"},
			err:  `unknown mapping preset "remedy" (known: servicenow, servicenow-json, jira, jira-json, thehive, splunk, elastic, sentinel, github, bugzilla)`,
		},
		{
			name: "wrong field count and bare quote rejected, rest kept", file: "a.csv",
			text:   "id,opened,title\nA,2024-01-01 00:00:00\nB,2024-01-01 00:00:00,a \"quoted\" word\nC,2024-01-01 00:00:00,fine\n",
			ids:    []string{"C"},
			reject: []Reject{{File: "a.csv", Line: 2, ID: "A", Reason: "has 2 fields, the header has 3"}, {File: "a.csv", Line: 3, ID: "B", Reason: `malformed CSV at line 3 column 25: bare " in non-quoted-field`}},
		},
		{
			name: "unterminated quote is fatal", file: "a.csv",
			text:   "id,opened,title\nA,2024-01-01 00:00:00,ok\nB,2024-01-01 00:00:00,\"never closed\nC,2024-01-01 00:00:00,x\n",
			ids:    []string{"A"},
			err:    "import a.csv: line 3: quoted field never closed",
			reject: []Reject{{File: "a.csv", Line: 3, ID: "B", Reason: `malformed CSV at line 4 column 25: extraneous or missing " in quoted-field`}},
		},
		{
			name: "epoch seconds and millis", file: "a.jsonl",
			text: `{"id":"A","opened":1709280900,"closed":"1709284500000"}` + "\n" + `{"id":"B","opened":1709280900000}` + "\n",
			ids:  []string{"A", "B"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Equal(t, time.Date(2024, 3, 1, 8, 15, 0, 0, time.UTC), got[0].Opened)
				assert.Equal(t, time.Date(2024, 3, 1, 9, 15, 0, 0, time.UTC), got[0].Closed)
				assert.Equal(t, got[0].Opened, got[1].Opened)
			},
		},
		{
			name: "truncated JSONL rejects the last line", file: "a.jsonl",
			text:   `{"id":"A","opened":"2024-03-01T08:15:00Z"}` + "\n\n" + `{"id":"B","opened":"2024-03-01T08:15:00Z","tit`,
			ids:    []string{"A"},
			reject: []Reject{{File: "a.jsonl", Line: 3, Reason: "invalid JSON: unexpected EOF"}},
		},
		{
			name: "truncated JSON array is fatal with line", file: "a.json",
			text: "[\n {\"id\":\"A\",\"opened\":\"2024-03-01T08:15:00Z\"},\n {\"id\":\"B\",\n  \"opened\":\"2024-03-01T08:15:00Z\"",
			ids:  []string{"A"},
			err:  "import a.json: line 4: truncated JSON array: element starting at line 3 is not closed",
		},
		{
			name: "JSON array with nested values and Latin-1", file: "a.json",
			text: `[{"_id":"~1","caseId":7,"createdAt":1709280900000,"tags":["phish","mail"],"title":"Caf` + "\xe9" + `","summary":"done","customFields":{"x":{"string":"y"}}}]`,
			ids:  []string{"~1"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Equal(t, "phish, mail", got[0].Rule)
				assert.Equal(t, "Café", got[0].Title)
				assert.Equal(t, "done", got[0].CloseNotes)
				assert.Equal(t, map[string]string{"caseId": "7", "customFields.x.string": "y"}, got[0].Extra)
				assert.Equal(t, 1, rep.Recoded)
			},
		},
		{
			name: "JSON array element that is not an object", file: "a.json",
			text:   `[{"id":"A","opened":"2024-03-01T08:15:00Z"}, 42]`,
			ids:    []string{"A"},
			reject: []Reject{{File: "a.json", Line: 1, Reason: "expected a JSON object, found a number"}},
		},
		{
			name: "garbage after JSON array", file: "a.json",
			text: `[{"id":"A","opened":"2024-03-01T08:15:00Z"}] x`,
			ids:  []string{"A"},
			err:  `unexpected 'x' after the JSON array`,
		},
		{
			name: "UTF-16 refused", file: "a.csv",
			text: "\xFF\xFEi\x00d\x00",
			err:  "UTF-16",
		},
		{
			name: "Splunk JSON export unwraps result", file: "a.json",
			text: `{"preview":false,"result":{"event_id":"E1","_time":"2024-03-01T08:15:00.000+00:00","rule_name":"R","dest":"h1"}}` + "\n",
			ids:  []string{"E1"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Equal(t, "jsonl", rep.Format)
				assert.Equal(t, "h1", got[0].Host)
			},
		},
		{
			name: "TSV with extra columns", file: "a.tsv",
			text: "id\topened\tstatus\tempty\nA\t2024-01-01 00:00:00\tClosed\t\n",
			ids:  []string{"A"},
			check: func(t *testing.T, got []data.Ticket, rep Report) {
				assert.Nil(t, got[0].Extra)
				assert.Equal(t, map[string]string{"status": "Closed"}, got[0].Closing, "a status is known only once worked on")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rep, err := readAll(t, tc.file, tc.text, tc.opts)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
			} else {
				require.NoError(t, err)
			}
			var ids []string
			for _, tk := range got {
				ids = append(ids, tk.ID)
			}
			assert.Equal(t, tc.ids, ids)
			assert.Equal(t, tc.reject, rep.Rejects)
			assert.Equal(t, len(tc.reject), rep.Rejected)
			if tc.check != nil {
				tc.check(t, got, rep)
			}
		})
	}
}

func TestReadHugeField(t *testing.T) {
	notes := strings.Repeat("0123456789", 1<<20) // 10 MB
	for _, tc := range []struct{ file, text string }{
		{"big.csv", "id,opened,close_notes\nA,2024-01-01 00:00:00,\"" + notes + "\"\nB,2024-01-01 00:00:00,x\n"},
		{"big.jsonl", `{"id":"A","opened":"2024-01-01T00:00:00Z","close_notes":"` + notes + `"}` + "\n" + `{"id":"B","opened":"2024-01-01T00:00:00Z"}` + "\n"},
		{"big.json", `[{"id":"A","opened":"2024-01-01T00:00:00Z","close_notes":"` + notes + `"},{"id":"B","opened":"2024-01-01T00:00:00Z"}]`},
		{"bigdoc.json", `{"preview":false,"results":[{"id":"A","opened":"2024-01-01T00:00:00Z","close_notes":"` + notes + `"},{"id":"B","opened":"2024-01-01T00:00:00Z"}]}`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, rep, err := readAll(t, tc.file, tc.text, Options{})
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Len(t, got[0].CloseNotes, len(notes))
			assert.Zero(t, rep.Rejected)
		})
	}
}

func TestRejectsFileAndBatches(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,opened\n")
	for i := range 25 {
		if i%5 == 0 {
			b.WriteString("X" + string(rune('a'+i)) + ",not a time\n")
			continue
		}
		b.WriteString("T" + string(rune('a'+i)) + ",2024-01-01 00:00:00\n")
	}
	var sizes []int
	var progress int64
	rep, err := Read(context.Background(), strings.NewReader(b.String()), "r.csv",
		Options{BatchSize: 7, RejectsPath: filepath.Join(dir, "rejects.jsonl"),
			Progress: func(read, total int64) { progress = read; assert.Equal(t, int64(b.Len()), total) }},
		func(batch []data.Ticket) error { sizes = append(sizes, len(batch)); return nil })
	require.NoError(t, err)
	assert.Equal(t, []int{7, 7, 6}, sizes)
	assert.Equal(t, int64(b.Len()), progress)
	assert.Equal(t, 5, rep.Rejected)
	assert.Equal(t, filepath.Join(dir, "rejects.jsonl"), rep.RejectsFile)

	f, err := os.Open(rep.RejectsFile)
	require.NoError(t, err)
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		lines = append(lines, m)
	}
	require.Len(t, lines, 5)
	assert.Equal(t, map[string]any{"file": "r.csv", "line": 2.0, "id": "Xa", "field": "opened",
		"reason": `opened: unrecognised time "not a time"`, "raw": "Xa,not a time"}, lines[0])
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	text := "id,opened\nA,2024-01-01 00:00:00\nB,2024-01-01 00:00:00\nC,2024-01-01 00:00:00\n"
	batches := 0
	_, err := Read(ctx, strings.NewReader(text), "c.csv", Options{BatchSize: 1}, func([]data.Ticket) error {
		batches++
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, batches)
}

func TestImportFileIdempotent(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "proj"))
	require.NoError(t, err)
	defer st.Close()

	csvPath := filepath.Join(dir, "snow.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte(snowHeader+"\n"+
		"INC0000001,2024-03-01 08:00:00,2024-03-01 09:00:00,Malware,1 - Critical,pc-1,bob,EDR alert,desc,cleaned\n"+
		"INC0000002,2024-03-02 08:00:00,2024-03-02 09:00:00,Malware,1 - Critical,pc-2,amy,EDR alert,desc,see INC0000001\n"), 0o644))
	jsonlPath := filepath.Join(dir, "synth.jsonl")
	require.NoError(t, os.WriteFile(jsonlPath, []byte(
		`{"id":"INC0000003","opened":"2024-03-03T08:00:00Z","closed":"2024-03-03T09:00:00Z","rule":"Phishing","severity":"3","host":"mx","user":"eve","title":"mail","description":"d","close_notes":"blocked"}`+"\n"), 0o644))

	rep, err := ImportFile(context.Background(), st, csvPath, Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Added)
	rep, err = ImportFile(context.Background(), st, jsonlPath, Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Added)

	rep, err = ImportFile(context.Background(), st, csvPath, Options{})
	require.NoError(t, err)
	assert.Equal(t, 0, rep.Added)
	assert.Equal(t, 0, rep.Updated)
	assert.Equal(t, 2, rep.Unchanged)

	n, err := st.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	require.NoError(t, st.Check())
	tk, ok, err := st.Ticket("INC0000003")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "blocked", tk.CloseNotes)

	// A broken file keeps the batches committed before the break.
	broken := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte(`[{"id":"J1","opened":"2024-04-01T00:00:00Z"},{"id":"J2","opened":`), 0o644))
	_, err = ImportFile(context.Background(), st, broken, Options{BatchSize: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broken.json: line 1: truncated JSON array")
	_, ok, err = st.Ticket("J1")
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, st.Check())
}
