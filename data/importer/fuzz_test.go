package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/precedent/precedent/data"
)

// fuzzRead reads b as format and checks what every reader promises: no
// panic, and every emitted ticket has an ID, at most once per batch.
func fuzzRead(t *testing.T, b []byte, format string) {
	_, _ = Read(context.Background(), bytes.NewReader(b), "fuzz."+format, Options{Format: format, BatchSize: 7}, func(batch []data.Ticket) error {
		seen := map[string]bool{}
		for _, tk := range batch {
			if tk.ID == "" {
				t.Fatalf("ticket without ID: %+v", tk)
			}
			if seen[tk.ID] {
				t.Fatalf("ID %q twice in one batch", tk.ID)
			}
			seen[tk.ID] = true
		}
		return nil
	})
}

// seedFiles adds every fixture of testdata whose name ends in ext.
func seedFiles(f *testing.F, ext string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*"+ext))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	seedFiles(f, ".csv")
	f.Add([]byte("Number,Opened,Short description,Close notes\nINC0000001,2024-01-02 09:15:00,Phish,\"Dup of INC0000002\"\nINC0000002,02/01/2024 10:00,\"Malware, \"\"quoted\"\"\",\n"))
	f.Add([]byte("\xef\xbb\xbfid;opened;title\n1;Wed, 2 Oct 2013 10:15:50 +0300;caf\xe9\n1;1700000000;dup\n"))
	f.Add([]byte("id\topened\n\"a\tb\"\t2024-13-45\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, "csv") })
}

func FuzzReadJSONL(f *testing.F) {
	seedFiles(f, ".jsonl")
	f.Add([]byte(`{"id":"A-1","opened":"2024-01-02T09:15:00Z","title":"x","comments":[{"body":"see A-2"}]}` + "\n" + `{"id":2,"opened":1700000000123,"links":[{"type":"duplicate","to":"A-1"}]}` + "\n"))
	f.Add([]byte("{\"id\":\"x\"\n{]\n"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, "jsonl") })
}

func FuzzReadJSON(f *testing.F) {
	seedFiles(f, ".json")
	f.Add([]byte(`[{"number":"INC1","opened_at":"2024-01-02 09:15:00","fields":{"summary":"s","parent":{"key":"P-1"}}}]`))
	f.Add([]byte(`{"result":[{"number":{"display_value":"INC1"},"opened_at":"2024-01-02"}],"total":1}`))
	f.Add([]byte(`[1,"a",null,{"id":{}}]`))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, "json") })
}

func FuzzReadXLSX(f *testing.F) {
	book := excelize.NewFile()
	rows := [][]any{
		{"Number", "Opened", "Short description", "Close notes"},
		{"INC0001", time.Date(2025, 1, 2, 9, 15, 0, 0, time.UTC), "Phish", "See INC0002"},
		{"INC0002", "02/01/2025 10:00", "Malware", ""},
		{"", 45000.5, nil, "no id"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = book.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := book.Write(&buf); err == nil {
		f.Add(buf.Bytes())
	}
	book.Close()
	f.Add([]byte("PK\x03\x04not a zip"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, "xlsx") })
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-01-02 09:15:00", "2024-01-02T09:15:00.123+02:00", "02/01/2024 10:00", "2.1.2024",
		"Wed, 2 Oct 2013 10:15:50 +0300", "Wed, 02 Oct 2013 10:15:50 GMT", "1700000000", "1700000000123", "1.7e9",
		"2024-13-45", "", "  ", "-1", "99999999999999999999", "Oct 2, 2013 10:15 AM", "2 octobre 2013"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{nil, time.FixedZone("X", -7*3600)} {
			tm, err := ParseTime(s, loc)
			if err == nil && tm.Location() != time.UTC {
				t.Fatalf("ParseTime(%q) = %v: not UTC", s, tm)
			}
		}
	})
}

func FuzzParseMapping(f *testing.F) {
	for _, s := range []string{`id=Number,opened=Opened`, `title="Short description",close_notes=`,
		`host="a, b"|c,user="say ""hi"""`, `id=`, `=x`, `nope=x`, `id=a,id=b`, `id="unterminated`, ``, ` , `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMapping(s)
		if err != nil {
			return
		}
		for field := range m {
			if !contains(Fields, field) {
				t.Fatalf("ParseMapping(%q) accepted field %q", s, field)
			}
		}
		// What String writes, ParseMapping reads back the same.
		back, err := ParseMapping(m.String())
		if err != nil {
			t.Fatalf("ParseMapping(%q).String() = %q does not parse: %v", s, m.String(), err)
		}
		if back.String() != m.String() {
			t.Fatalf("round trip of %q: %q then %q", s, m.String(), back.String())
		}
	})
}
