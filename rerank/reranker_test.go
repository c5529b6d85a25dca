package rerank

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/pairtext"
)

func TestServingConfigPairText(t *testing.T) {
	d := data.Ticket{ID: "INC0000002", Title: "phish", CloseNotes: "same as INC0000001"}
	q := data.Ticket{ID: "INC0000003", Title: "phish again"}
	for _, tc := range []struct {
		name    string
		cfg     ServingConfig
		want    string
		wantErr string
	}{
		{name: "masked", cfg: ServingConfig{PairFormat: "plain", IDPresets: []string{"servicenow"}, MaxLen: 64}, want: "same as [ID]"},
		{name: "unmasked without patterns", cfg: ServingConfig{PairFormat: "plain", MaxLen: 64}, want: "same as INC0000001"},
		{name: "custom token", cfg: ServingConfig{PairFormat: "plain", IDPatterns: []string{`INC\d+`}, IDMask: "<T>", MaxLen: 64}, want: "same as <T>"},
		{name: "bad pattern", cfg: ServingConfig{PairFormat: "plain", IDPatterns: []string{`(`}}, wantErr: "id patterns"},
		{name: "bad format", cfg: ServingConfig{PairFormat: "fancy"}, wantErr: "fancy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.cfg.PairText()
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			_, doc := NewPairEncoder(nil, f, 0).Render(q, d)
			assert.Contains(t, doc, tc.want)
		})
	}
}

func TestServingShape(t *testing.T) {
	for _, tc := range []struct{ n, longest, batch, maxLen, rows, length int }{
		{1, 10, 32, 256, 1, 64},
		{3, 64, 32, 256, 4, 64},
		{5, 65, 32, 256, 8, 128},
		{32, 200, 32, 256, 32, 256},
		{17, 256, 32, 256, 32, 256},
		{40, 300, 32, 256, 40, 300}, // more than a batch or longer than maxLen: never cut
	} {
		rows, length := servingShape(tc.n, tc.longest, tc.batch, tc.maxLen)
		assert.Equal(t, [2]int{tc.rows, tc.length}, [2]int{rows, length}, "%+v", tc)
	}
}

func TestExplain(t *testing.T) {
	opened := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	q := data.Ticket{ID: "INC0000009", Opened: opened, Rule: "Phish", Host: "WS-042", Title: "phishing mailbox quarantine", CloseNotes: "not shown"}
	d := data.Ticket{ID: "INC0000001", Opened: opened.AddDate(0, 0, -3), Closed: opened.AddDate(0, 0, -2), Rule: "Phish", Host: "WS-042",
		Title: "phishing mailbox reported", CloseNotes: "quarantine done"}
	e := (&Reranker{}).Explain(q, d)
	assert.Equal(t, []string{"rule", "host"}, e.SameFields)
	assert.Equal(t, "3 days earlier", e.TimeGap)
	assert.Contains(t, e.Terms, "phishing")
	assert.Contains(t, e.Terms, "quarantine", "the precedent's notes count: it closed before the query opened")
	d.Closed = opened.AddDate(0, 0, 1)
	assert.NotContains(t, (&Reranker{}).Explain(q, d).Terms, "quarantine", "notes written after the query opened are not evidence")

	assert.Equal(t, []string{"host WS-042"}, e.Shared)
	stopped := &Reranker{rr: &Engine{PairEncoder: NewPairEncoder(nil, pairtext.Format{StopEntities: []pairtext.Entity{{Kind: pairtext.Host, Value: "WS-042"}}}, 0)}}
	assert.Empty(t, stopped.Explain(q, d).Shared, "a stop-entity is no shared evidence")
}
