package serve

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/rerank"
)

// cardModel is the fake model with a model card listing its training rules.
type cardModel struct{ fakeModel }

func (m *cardModel) Info() rerank.RerankerInfo {
	return rerank.RerankerInfo{Run: "run-x", PairFormat: "structured", Card: &rerank.ModelCard{Rules: []string{"Okta - MFA Push Spam"}}}
}

func TestMetricsDriftSignals(t *testing.T) {
	_, h := newTestServer(t, &cardModel{}, Config{})
	for _, rule := range []string{"Okta - MFA Push Spam", "Okta - Correlated MFA Push Spam v2", "Okta - Correlated MFA Push Spam v2"} {
		body := `{"query":{"id":"INC1","rule":"` + rule + `","title":"q"},"candidates":[{"id":"INC0","title":"aaaaaaaaaaaaaaaaaaaaaaaaa"},{"id":"INC2","title":"a"}]}`
		rec := do(h, http.MethodPost, "/tickets/rerank", body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	m := do(h, http.MethodGet, "/metrics", "").Body.String()
	assert.Contains(t, m, "precedent_ticket_queries_total 3\n")
	assert.Contains(t, m, "precedent_unseen_rule_queries_total 2\n", "two requests came from a rule the card does not list")
	// The fake model scores the longer candidate (26 characters) 0.6.
	assert.Contains(t, m, `precedent_top_score_bucket{le="0"} 0`)
	assert.Contains(t, m, `precedent_top_score_bucket{le="1"} 3`)
	assert.Contains(t, m, "precedent_top_score_count 3\n")
}

func TestDriftMetricsWithoutCard(t *testing.T) {
	d := newDriftMetrics(nil)
	d.observe("any rule", []float32{-3, 5})
	d.observe("any rule", nil) // nothing ranked, nothing observed
	var b strings.Builder
	d.write(&b)
	assert.Contains(t, b.String(), "precedent_ticket_queries_total 1\n")
	assert.Contains(t, b.String(), "precedent_unseen_rule_queries_total 0\n", "without the training rules nothing counts as unseen")
	assert.Contains(t, b.String(), `precedent_top_score_bucket{le="4"} 0`)
	assert.Contains(t, b.String(), `precedent_top_score_bucket{le="6"} 1`)
}
