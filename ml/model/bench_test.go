package model

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/hf"
)

// miniLMConfig is all-MiniLM-L6-v2's shape: 6 layers, hidden 384, 12 heads.
func miniLMConfig() hf.Config {
	return hf.Config{ModelType: hf.ModelTypeBERT, VocabSize: 30522, HiddenSize: 384, NumHiddenLayers: 6,
		NumAttentionHeads: 12, IntermediateSize: 1536, HiddenAct: "gelu", MaxPositionEmbeddings: 512,
		TypeVocabSize: 2, LayerNormEps: 1e-12}
}

// BenchmarkScoreMiniLM scores 50 pairs per op at MiniLM-L6 shape with random
// weights and reports pairs/s; run with -bench ScoreMiniLM -benchtime 3x.
func BenchmarkScoreMiniLM(b *testing.B) {
	be := newTestBackend(b)
	m, err := FromScratch(miniLMConfig(), CrossEncoder, 1)
	require.NoError(b, err)
	s, err := NewScorer(m, be, F32)
	require.NoError(b, err)
	const pairs = 50
	for _, length := range []int{64, 256} {
		b.Run(fmt.Sprintf("len%d", length), func(b *testing.B) {
			lens := make([]int, pairs)
			for i := range lens {
				lens[i] = length
			}
			batch := randomBatch(m.arch, rand.New(rand.NewSource(1)), lens, length)
			_, err := s.Score(batch) // compile outside the timer
			require.NoError(b, err)
			b.ResetTimer()
			for b.Loop() {
				_, err := s.Score(batch)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(pairs*b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
