package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/rerank"
)

// The card export writes is the card serve reads and returns from GET
// /info (rerank.ReadModelCard), and the parts only the project interprets
// (hyper-parameters, windows, evaluation) come back from it as written.
func TestModelCardReadByServing(t *testing.T) {
	base := 0.41
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		card  rerank.ModelCard
		parts cardParts
	}{
		{"not evaluated", rerank.ModelCard{Run: "run-1", Exported: day, StartModel: "scratch", Backend: "go", PairFormat: "plain", MaxLen: 64}, cardParts{}},
		{"evaluated", rerank.ModelCard{
			Run: "run-2", Exported: day, StartModel: "all-MiniLM-L6-v2", Backend: "XLA cpu",
			Steps: 400, BestStep: 300, ValMRR10: 0.5, Examples: 9, Positives: 3, Negatives: 6, Tickets: 120,
			PairFormat: "structured", MaxLen: 128, Rules: []string{"Phish"},
		}, cardParts{
			Options: TrainOptions{RunOptions: RunOptions{MaxLen: 128}, PlainShare: 0.5},
			Windows: []WindowCount{{Name: "train", Start: day, End: day.AddDate(0, 1, 0), Tickets: 80, Queries: 10, Pairs: 40}},
			Eval: &CardEval{Queries: 20, Depth: 40, FirstStage: 0.3, Baseline: &base, Finetuned: 0.6, CI95: [2]float64{0.1, 0.2},
				RankerFolds: []FoldResult{{Name: "2025-02", Train: 5, Valid: 4, FirstStage: 0.2, Ranker: 0.3}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card, err := withParts(tc.card, tc.parts)
			require.NoError(t, err)
			dir := t.TempDir()
			require.NoError(t, writeModelCard(dir, card))
			served, ok, err := rerank.ReadModelCard(dir)
			require.NoError(t, err)
			require.True(t, ok)
			want, err := json.Marshal(card)
			require.NoError(t, err)
			got, err := json.Marshal(served)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
			assert.Equal(t, tc.card.Rules, served.Rules)
			parts, err := cardPartsOf(served)
			require.NoError(t, err)
			assert.Equal(t, tc.parts, parts, "the project reads back the parts it wrote")
			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			require.NoError(t, err)
			assert.Equal(t, tc.parts.Options.PlainShare > 0, strings.Contains(string(readme), "rendered as plain strings"))
		})
	}
}
