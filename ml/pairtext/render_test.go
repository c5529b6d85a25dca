package pairtext

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

var (
	opened = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	query  = data.Ticket{
		ID: "INC0012400", Opened: opened, Rule: "Impossible travel", Severity: "high",
		User: "j.smith", Host: "WS-FIN-0231",
		Title:       "Impossible travel activity for j.smith",
		Description: "User j.smith authenticated from Madrid,\nSpain (203.0.113.7).\tSee INC0012301.",
		CloseNotes:  "Duplicate of INC0012301, travel confirmed.",
		Extra:       map[string]string{"source": "Entra ID"},
	}
	precedent = data.Ticket{
		ID: "INC0012301", Opened: opened.AddDate(0, 0, -3), Closed: opened.AddDate(0, 0, -2), Rule: "Impossible travel",
		User: `CORP\j.smith`, Host: "ws-fin-0231.corp.local",
		Title:       "Atypical travel detected: j.smith",
		Description: "Logons for j.smith from 203.0.113.7 and 198.51.100.4 (Spain).",
		CloseNotes:  "Closed: VPN egress in Madrid matches travel schedule.",
	}
	maskIDs = func(s string) string { return regexp.MustCompile(`INC\d{7}`).ReplaceAllString(s, "[ID]") }
)

func TestQuerySide(t *testing.T) {
	withNotes := Structured()
	withNotes.Fields = []string{FieldNotes, FieldTitle}
	extra := Format{Fields: []string{FieldSeverity, "extra.source", "extra.missing", FieldTitle}, Labels: true}
	masked := Structured()
	masked.Mask = maskIDs
	tests := []struct {
		name string
		f    Format
		want string
	}{
		{"structured", Structured(),
			"rule: Impossible travel | user: j.smith | host: WS-FIN-0231 | ips: 203.0.113.7 | countries: Spain | " +
				"Impossible travel activity for j.smith | User j.smith authenticated from Madrid, Spain (203.0.113.7). See INC0012301."},
		{"plain", Plain(),
			"Impossible travel activity for j.smith User j.smith authenticated from Madrid, Spain (203.0.113.7). See INC0012301."},
		{"masked", masked,
			"rule: Impossible travel | user: j.smith | host: WS-FIN-0231 | ips: 203.0.113.7 | countries: Spain | " +
				"Impossible travel activity for j.smith | User j.smith authenticated from Madrid, Spain (203.0.113.7). See [ID]."},
		{"notes in fields are still left out", withNotes,
			"users: j.smith | hosts: WS-FIN-0231 | ips: 203.0.113.7 | countries: Spain | Impossible travel activity for j.smith"},
		{"severity and extra columns", extra, "severity: high | source: Entra ID | Impossible travel activity for j.smith"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := QuerySide(query, tc.f)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "travel confirmed", "close notes leaked into the query")
		})
	}
}

func TestDocSide(t *testing.T) {
	masked := Structured()
	masked.Mask = maskIDs
	noExtras := Structured()
	noExtras.Entities, noExtras.TimeGap = false, false
	tests := []struct {
		name string
		f    Format
		want string
	}{
		{"structured: gap, shared first, own entities, notes", Structured(),
			`rule: Impossible travel | user: CORP\j.smith | host: ws-fin-0231.corp.local | 3 days earlier | ` +
				"shared: user j.smith, host WS-FIN-0231, ip 203.0.113.7, country Spain | ips: 198.51.100.4 | " +
				"Atypical travel detected: j.smith | Logons for j.smith from 203.0.113.7 and 198.51.100.4 (Spain). | " +
				"notes: Closed: VPN egress in Madrid matches travel schedule."},
		{"plain", Plain(),
			"Atypical travel detected: j.smith Logons for j.smith from 203.0.113.7 and 198.51.100.4 (Spain). " +
				"Closed: VPN egress in Madrid matches travel schedule."},
		{"no entities, no gap", noExtras,
			`rule: Impossible travel | user: CORP\j.smith | host: ws-fin-0231.corp.local | ` +
				"Atypical travel detected: j.smith | Logons for j.smith from 203.0.113.7 and 198.51.100.4 (Spain). | " +
				"notes: Closed: VPN egress in Madrid matches travel schedule."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DocSide(query, precedent, tc.f))
		})
	}

	t.Run("mask hides ids on both sides", func(t *testing.T) {
		d := precedent
		d.CloseNotes = "Same as INC0012400."
		got := DocSide(query, d, masked)
		assert.Contains(t, got, "notes: Same as [ID].")
		assert.NotContains(t, got, "INC00124")
	})
	t.Run("masked ids are not taken for entities", func(t *testing.T) {
		q := data.Ticket{Title: "Related to REF-20931 on SRV-DC01"}
		f := Structured()
		assert.Contains(t, QuerySide(q, f), "hosts: REF-20931, SRV-DC01", "unmasked, a ticket key looks like a host")
		f.Mask = func(s string) string { return regexp.MustCompile(`REF-\d+`).ReplaceAllString(s, "[ID]") }
		assert.Equal(t, "hosts: SRV-DC01 | Related to [ID] on SRV-DC01", QuerySide(q, f))
	})
	t.Run("no shared entities, unknown times", func(t *testing.T) {
		q := data.Ticket{Title: "Malware on SRV-DC01"}
		d := data.Ticket{Title: "Beacon to evil.example.com from WS-HR-0112"}
		assert.Equal(t, "hosts: WS-HR-0112 | domains: evil.example.com | Beacon to evil.example.com from WS-HR-0112",
			DocSide(q, d, Structured()))
	})
}

func TestMaxCharsCutsDescriptionFirst(t *testing.T) {
	f := Structured()
	f.MaxChars = 320
	d := precedent
	d.Description = strings.Repeat("Long description of the logon sequence. ", 20)
	got := DocSide(query, d, f)
	assert.LessOrEqual(t, utf8.RuneCountInString(got), 320)
	assert.Contains(t, got, "| Long description of")
	assert.Contains(t, got, "notes: Closed: VPN egress", "notes survive the cut")
	assert.Contains(t, got, "rule: Impossible travel")

	f.MaxChars = 20
	got = DocSide(query, d, f)
	assert.Equal(t, "rule: Impossible tra", got, "header alone over the limit is cut at the end")

	f.MaxChars = 10
	unicode := data.Ticket{Title: "Zoë résumé naïve façade"}
	assert.Equal(t, "Zoë résumé", QuerySide(unicode, f), "cut counts characters, not bytes")
}

func TestByNameAndValidate(t *testing.T) {
	for _, name := range []string{"", "structured", " Plain "} {
		f, err := ByName(name)
		require.NoError(t, err, name)
		assert.NoError(t, f.Validate())
	}
	_, err := ByName("fancy")
	assert.ErrorContains(t, err, `"fancy"`)

	tests := []struct {
		name string
		f    Format
		want string
	}{
		{"unknown field", Format{Name: "x", Fields: []string{FieldTitle, "id"}}, `fields[1] "id" unknown`},
		{"bare extra prefix", Format{Name: "x", Fields: []string{"extra."}}, `fields[0] "extra." unknown`},
		{"negative max", Format{Name: "x", MaxChars: -1}, "max_chars -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, tc.f.Validate(), tc.want)
		})
	}
}

// The document side shows a candidate as of the query's time: notes,
// comments and closing fields written after the query opened never appear
// (they often name the answer), unless FutureText (the leak probe) asks.
func TestDocSideHidesFutureText(t *testing.T) {
	q, d := query, precedent
	d.Closed = q.Opened.Add(time.Hour) // closed after the query opened
	d.CloseNotes = "incomplete fix, see the follow-up"
	d.Comments = []data.Comment{{Time: q.Opened.Add(-time.Hour), Body: "triaged: benign scanner"}, {Time: q.Opened.Add(time.Minute), Body: "same as the new one"}}
	d.Closing = map[string]string{"resolution": "duplicate"}
	f := Structured()
	f.Fields = append(f.Fields, "extra.resolution")
	got := DocSide(q, d, f)
	assert.Contains(t, got, "triaged: benign scanner", "a comment written before the query is visible")
	assert.NotContains(t, got, "incomplete fix")
	assert.NotContains(t, got, "same as the new one")
	assert.NotContains(t, got, "resolution: duplicate")
	f.FutureText = true
	leaky := DocSide(q, d, f)
	assert.Contains(t, leaky, "incomplete fix")
	assert.Contains(t, leaky, "resolution: duplicate")
	q.CloseNotes = "the query's own notes"
	q.Comments = []data.Comment{{Body: "query comment"}}
	assert.NotContains(t, QuerySide(q, f), "query comment")
	assert.NotContains(t, QuerySide(q, f), "own notes")
}
