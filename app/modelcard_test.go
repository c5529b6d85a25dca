package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/rerank"
)

// The card export writes is the card serve reads and returns from GET
// /info: every field survives rerank.ReadModelCard, so the two types cannot
// drift apart unnoticed.
func TestModelCardReadByServing(t *testing.T) {
	base := 0.41
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		card ModelCard
	}{
		{"not evaluated", ModelCard{Run: "run-1", Exported: day, StartModel: "scratch", Backend: "go", PairFormat: "plain", MaxLen: 64}},
		{"evaluated", ModelCard{
			Run: "run-2", Exported: day, StartModel: "all-MiniLM-L6-v2", Backend: "XLA cpu", Options: TrainOptions{RunOptions: RunOptions{MaxLen: 128}, PlainShare: 0.5},
			Steps: 400, BestStep: 300, ValMRR10: 0.5, Examples: 9, Positives: 3, Negatives: 6, Tickets: 120,
			Windows: []WindowCount{{Name: "train", Start: day, End: day.AddDate(0, 1, 0), Tickets: 80, Queries: 10, Pairs: 40}},
			Eval: &CardEval{Queries: 20, Depth: 40, FirstStage: 0.3, Baseline: &base, Finetuned: 0.6, CI95: [2]float64{0.1, 0.2},
				RankerFolds: []FoldResult{{Name: "2025-02", Train: 5, Valid: 4, FirstStage: 0.2, Ranker: 0.3}}},
			PairFormat: "structured", MaxLen: 128, Rules: []string{"Phish"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, writeModelCard(dir, tc.card))
			served, ok, err := rerank.ReadModelCard(dir)
			require.NoError(t, err)
			require.True(t, ok)
			want, err := json.Marshal(tc.card)
			require.NoError(t, err)
			got, err := json.Marshal(served)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
			assert.Equal(t, tc.card.Rules, served.Rules)
			assert.Equal(t, tc.card.Options.PlainShare > 0, strings.Contains(tc.card.Markdown(), "rendered as plain strings"))
		})
	}
}
