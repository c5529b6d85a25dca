package app

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The starting checkpoint is a baseline only when it ships a trained
// reranking head.
func TestBaselineWorth(t *testing.T) {
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	folder := func(name string) string {
		dir, err := filepath.Abs(filepath.Join("..", "ml", "hf", "testdata", name))
		require.NoError(t, err)
		return dir
	}
	for _, tc := range []struct {
		name  string
		o     TrainOptions
		worth bool
		why   string
	}{
		{"cross-encoder with its head", TrainOptions{RunOptions: RunOptions{Model: folder("bert-tiny-cross")}}, true, ""},
		{"XLM-R cross-encoder", TrainOptions{RunOptions: RunOptions{Model: folder("xlmr-tiny-cross")}}, true, ""},
		{"sentence embedder, no head", TrainOptions{RunOptions: RunOptions{Model: folder("bert-tiny")}}, false, "bert-tiny has no trained reranking head"},
		{"from scratch", TrainOptions{RunOptions: RunOptions{Model: folder("bert-tiny-cross")}, FromScratch: true}, false, "from scratch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worth, why := p.baselineWorth(tc.o)
			assert.Equal(t, tc.worth, worth)
			if tc.why == "" {
				assert.Empty(t, why)
			} else {
				assert.Contains(t, why, tc.why)
				assert.Contains(t, why, "--baseline", "says how to score it anyway")
			}
		})
	}
}
