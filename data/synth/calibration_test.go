package synth

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bm25 is a small in-memory BM25 (k1=1.2, b=0.75) over document texts, only
// for calibrating how hard the archive is for keyword search.
type bm25 struct {
	postings map[string][]posting
	docLen   []float32
	avgLen   float64
}

type posting struct {
	doc int32
	tf  float32
}

func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func newBM25(docs []string) *bm25 {
	ix := &bm25{postings: map[string][]posting{}, docLen: make([]float32, len(docs))}
	total := 0
	for d, text := range docs {
		tf := map[string]int{}
		toks := tokens(text)
		for _, t := range toks {
			tf[t]++
		}
		for t, n := range tf {
			ix.postings[t] = append(ix.postings[t], posting{int32(d), float32(n)})
		}
		ix.docLen[d] = float32(len(toks))
		total += len(toks)
	}
	ix.avgLen = float64(total) / float64(len(docs))
	return ix
}

// top returns up to k documents with index < limit, best first.
func (ix *bm25) top(query string, limit, k int, score []float64, touched []int32) []int32 {
	const k1, b = 1.2, 0.75
	n := float64(len(ix.docLen))
	touched = touched[:0]
	seen := map[string]bool{}
	for _, t := range tokens(query) {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			if int(p.doc) >= limit {
				continue
			}
			if score[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			tf := float64(p.tf)
			score[p.doc] += idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(ix.docLen[p.doc])/ix.avgLen))
		}
	}
	slices.SortFunc(touched, func(a, c int32) int {
		if score[a] != score[c] {
			if score[a] > score[c] {
				return -1
			}
			return 1
		}
		return int(c - a) // later (more recent) first on ties
	})
	out := slices.Clone(touched[:min(k, len(touched))])
	for _, d := range touched {
		score[d] = 0
	}
	return out
}

// bm25MRR measures MRR@10 of BM25 for finding an earlier ticket of the same
// cause, over related tickets of the last 10% of the archive.
func bm25MRR(a *Archive) (mrr float64, queries int) {
	docs := make([]string, len(a.Tickets))
	for i, t := range a.Tickets {
		docs[i] = t.DocumentText()
	}
	ix := newBM25(docs)
	firstOf := map[string]int{}
	for i, tr := range a.Truth {
		if _, ok := firstOf[tr.Cause]; !ok && tr.Cause != "" {
			firstOf[tr.Cause] = i
		}
	}
	score := make([]float64, len(docs))
	touched := make([]int32, 0, len(docs))
	sum := 0.0
	for q := len(a.Tickets) * 9 / 10; q < len(a.Tickets); q++ {
		c := a.Truth[q].Cause
		if c == "" || firstOf[c] >= q {
			continue
		}
		queries++
		for r, d := range ix.top(a.Tickets[q].QueryText(), q, 10, score, touched) {
			if data.Related(a.Truth[d], a.Truth[q]) {
				sum += 1 / float64(r+1)
				break
			}
		}
	}
	return sum / float64(max(queries, 1)), queries
}

// TestCalibrationBM25 keeps keyword search mediocre on the archive: related
// earlier tickets are findable, but far from always on top.
func TestCalibrationBM25(t *testing.T) {
	if testing.Short() {
		t.Skip("calibration generates and indexes 20k tickets")
	}
	a, err := Generate(Config{Tickets: 20000, Seed: DefaultSeed})
	require.NoError(t, err)
	mrr, n := bm25MRR(a)
	t.Logf("BM25 MRR@10 = %.3f over %d queries", mrr, n)
	require.Greater(t, n, 500)
	assert.GreaterOrEqual(t, mrr, 0.35)
	assert.LessOrEqual(t, mrr, 0.60)
}

// BenchmarkCalibration reports BM25 MRR@10 averaged over several seeds
// (metric "mrr@10"); run with -benchtime=1x.
func BenchmarkCalibration(b *testing.B) {
	for b.Loop() {
		sum := 0.0
		const seeds = 4
		for seed := int64(1); seed <= seeds; seed++ {
			a, err := Generate(Config{Tickets: 20000, Seed: seed})
			if err != nil {
				b.Fatal(err)
			}
			mrr, _ := bm25MRR(a)
			b.Logf("seed %d: MRR@10 %.3f", seed, mrr)
			sum += mrr
		}
		b.ReportMetric(sum/seeds, "mrr@10")
	}
}
