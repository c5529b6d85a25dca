package retrieve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// fullSize reports whether the full-size benchmarks were asked for with
// PRECEDENT_BENCH_FULL=1 (20k queries × 140k documents).
func fullSize() bool { return os.Getenv("PRECEDENT_BENCH_FULL") == "1" }

func benchVectors(n, dim int, seed uint64) ([]string, []time.Time, Matrix) {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := Matrix{Rows: n, Dim: dim, Data: make([]float32, n*dim)}
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	ids := make([]string, n)
	opened := make([]time.Time, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("INC%07d", i)
		opened[i] = at(i)
	}
	return ids, opened, m
}

// BenchmarkDenseTopK20kx140k measures exact top-50 over 140k×384 documents
// with no time limit (every query scans everything, the worst case). By
// default it runs 2,048 queries; scale by 20,000/2,048 for the full size, or
// set PRECEDENT_BENCH_FULL=1 to run all 20,000.
func BenchmarkDenseTopK20kx140k(b *testing.B) {
	for _, f16 := range []bool{false, true} {
		b.Run(fmt.Sprintf("float16=%v", f16), func(b *testing.B) {
			nq := 2048
			if fullSize() {
				nq = 20000
			}
			ids, opened, m := benchVectors(140000, 384, 1)
			ix, err := NewDense(ids, opened, m, DenseOptions{Float16: f16})
			if err != nil {
				b.Fatal(err)
			}
			_, _, qm := benchVectors(nq, 384, 2)
			qs := make([]Query, nq)
			for i := range qs {
				qs[i] = Query{ID: fmt.Sprintf("Q%d", i), Vector: qm.Row(i)}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := ix.SearchBatch(context.Background(), qs, 50, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)*20000/float64(nq), "s/20k-queries")
		})
	}
}

// BenchmarkBM25 builds an index over 140k synthetic tickets and searches
// 2,000 of them (20,000 with PRECEDENT_BENCH_FULL=1), each limited to the
// tickets opened before it.
func BenchmarkBM25(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	docs := make([]Doc, 140000)
	words := make([]string, 30000)
	for i := range words {
		words[i] = fmt.Sprintf("w%x", i*7919)
	}
	for i := range docs {
		text := fmt.Sprintf("host ws-%d.corp.local user u%d src 10.%d.%d.%d ", rng.IntN(500), rng.IntN(3000), rng.IntN(4), rng.IntN(256), rng.IntN(256))
		for range 40 + rng.IntN(60) {
			text += words[int(rng.ExpFloat64()*2000)%len(words)] + " "
		}
		docs[i] = Doc{ID: fmt.Sprintf("INC%07d", i), Text: text, Opened: at(i)}
	}
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewBM25(docs, BM25Params{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	ix, err := NewBM25(docs, BM25Params{})
	if err != nil {
		b.Fatal(err)
	}
	nq := 2000
	if fullSize() {
		nq = 20000
	}
	qs := make([]Query, nq)
	for i := range qs {
		d := docs[len(docs)-1-rng.IntN(len(docs)/2)]
		qs[i] = Query{ID: d.ID, Text: d.Text, Before: d.Opened}
	}
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			if _, err := ix.SearchBatch(context.Background(), qs, 50, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)*20000/float64(nq), "s/20k-queries")
	})
}
