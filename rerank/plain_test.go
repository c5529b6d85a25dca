package rerank

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

func TestPlainText(t *testing.T) {
	tk := data.Ticket{Title: "Phishing mail.", Description: "user clicked a link", Rule: "R1", User: "jdoe", Host: "WS-1",
		CloseNotes: "blocked the sender", Comments: []data.Comment{{Body: "reset the password"}}}
	for _, tc := range []struct {
		name          string
		notes, fields bool
		want          string
	}{
		{"query", false, false, "Phishing mail. user clicked a link"},
		{"candidate", true, false, "Phishing mail. user clicked a link blocked the sender\nreset the password"},
		{"query with fields", false, true, "Phishing mail. \nrule: R1 | user: jdoe | host: WS-1\n user clicked a link"},
		{"no description", false, false, "Phishing mail."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tk
			if tc.name == "no description" {
				x.Description = ""
			}
			assert.Equal(t, tc.want, PlainText(x, tc.notes, tc.fields))
		})
	}
}

// Training's plain share must be exactly what serving scores when a
// pipeline sends the pair as plain strings (POST /v2/rerank without
// --lift-plain): RenderPlainPair against Reranker.Render on the strings
// BenchmarkPlainTextMRR sends.
func TestRenderPlainPairIsTheServingPlainPath(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	q := data.Ticket{ID: "INC0000009", Title: "Phish again", Description: "like INC0000002, user jdoe", Opened: day(10),
		CloseNotes: "written after: not part of a query", Closed: day(12)}
	closedBefore := data.Ticket{ID: "INC0000002", Title: "Phish", Description: "jdoe clicked", Opened: day(1), Closed: day(2),
		CloseNotes: "same as INC0000001", Comments: []data.Comment{{Time: day(1), Body: "mailbox purged"}}}
	closedAfter := closedBefore
	closedAfter.Closed = day(20)
	closedAfter.Comments = []data.Comment{{Time: day(1), Body: "seen before the query"}, {Time: day(15), Body: "seen after the query"}}
	for _, tc := range []struct {
		name     string
		cfg      ServingConfig
		d        data.Ticket
		wantDoc  string
		hidden   string
		wantMask bool
	}{
		{"notes of a candidate closed before the query, IDs masked", ServingConfig{PairFormat: "structured", IDPresets: []string{"servicenow"}, MaxLen: 64},
			closedBefore, "Phish. jdoe clicked same as [ID]\nmailbox purged", "", true},
		{"a candidate still open at the query shows only earlier comments", ServingConfig{PairFormat: "structured", IDPresets: []string{"servicenow"}, MaxLen: 64},
			closedAfter, "Phish. jdoe clicked seen before the query", "seen after the query", true},
		{"no ID patterns: nothing masked", ServingConfig{PairFormat: "structured", MaxLen: 64},
			closedBefore, "Phish. jdoe clicked same as INC0000001\nmailbox purged", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.cfg.PairText()
			require.NoError(t, err)
			r := &Reranker{rr: &Engine{PairEncoder: NewPairEncoder(nil, f, 0)}, mask: f.Mask}
			if r.mask == nil {
				r.mask = func(s string) string { return s } // as LoadReranker
			}
			gotQ, gotD := RenderPlainPair(q, tc.d, f)
			servedQ, servedD := r.Render(Pair{QueryText: PlainText(q, false, false), DocText: PlainText(tc.d.AsOf(q.Opened), true, false)})
			assert.Equal(t, servedQ, gotQ)
			assert.Equal(t, servedD, gotD)
			assert.Equal(t, tc.wantDoc, gotD)
			assert.NotContains(t, gotQ, "written after")
			if tc.hidden != "" {
				assert.NotContains(t, gotD, tc.hidden)
			}
			if tc.wantMask {
				assert.Equal(t, "Phish again. like [ID], user jdoe", gotQ)
			}
		})
	}
}
