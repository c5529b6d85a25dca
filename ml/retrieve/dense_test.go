package retrieve

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
	"time"
	"unsafe"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type denseFixture struct {
	ids    []string
	opened []time.Time
	vecs   Matrix
}

// randomVectors makes n vectors of dim; every 7th repeats an earlier one to
// force exact score ties.
func randomVectors(rng *rand.Rand, n, dim int) denseFixture {
	f := denseFixture{vecs: Matrix{Rows: n, Dim: dim, Data: make([]float32, n*dim)}}
	for i := range n {
		f.ids = append(f.ids, fmt.Sprintf("T%05d", n-i)) // ID order opposite to row order
		f.opened = append(f.opened, at(rng.IntN(n/3+1)))
		row := f.vecs.Row(i)
		if i%7 == 6 {
			copy(row, f.vecs.Row(rng.IntN(i)))
			continue
		}
		for j := range row {
			row[j] = float32(rng.NormFloat64())
		}
	}
	return f
}

// naiveTopK scores every document in float64 and sorts fully: higher score
// first, then smaller ID.
func naiveTopK(f denseFixture, q Query, k int) []string {
	type sc struct {
		id string
		s  float64
	}
	norm := func(v []float32) []float64 {
		out := make([]float64, len(v))
		var ss float64
		for _, x := range v {
			ss += float64(x) * float64(x)
		}
		for j, x := range v {
			out[j] = float64(float32(float64(x) / math.Sqrt(ss)))
		}
		return out
	}
	qv := norm(q.Vector)
	var all []sc
	for i, id := range f.ids {
		if id == q.ID || (!q.Before.IsZero() && !data.EarlierAt(f.opened[i], id, q.Before, q.ID)) {
			continue
		}
		dv := norm(f.vecs.Row(i))
		var s float64
		for j := range qv {
			s += qv[j] * dv[j]
		}
		all = append(all, sc{id, s})
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].s != all[b].s {
			return all[a].s > all[b].s
		}
		return all[a].id < all[b].id
	})
	out := []string{}
	for i := 0; i < k && i < len(all); i++ {
		out = append(out, all[i].id)
	}
	return out
}

func TestDenseEqualsNaiveSort(t *testing.T) {
	tests := []struct {
		name string
		n    int
		dim  int
		k    int
		opts DenseOptions
	}{
		{"odd sizes, small tiles", 203, 19, 10, DenseOptions{QueryBlock: 6, DocBlock: 20, Workers: 2}},
		{"dim multiple of 8, default tiles", 150, 32, 7, DenseOptions{}},
		{"k larger than corpus", 13, 8, 50, DenseOptions{Workers: 3}},
		{"many panels, one worker, dim 1", 700, 1, 5, DenseOptions{QueryBlock: 16, DocBlock: 64, Workers: 1}},
		{"k larger than many cut-offs", 97, 24, 40, DenseOptions{QueryBlock: 8, DocBlock: 32, Workers: 2}},
	}
	for _, kern := range kernels() {
		for _, tt := range tests {
			t.Run(kern.name+"/"+tt.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tt.n), uint64(tt.dim)))
				f := randomVectors(rng, tt.n, tt.dim)
				ix, err := NewDense(f.ids, f.opened, f.vecs, tt.opts)
				require.NoError(t, err)
				ix.kern = kern
				var qs []Query
				for i := range 41 {
					r := rng.IntN(tt.n)
					q := Query{ID: f.ids[r], Vector: f.vecs.Row(r), Before: f.opened[r]}
					if i%4 == 0 {
						q.Before = time.Time{}
					}
					if i%9 == 0 {
						q.ID = "new"
					}
					if i%13 == 5 {
						q.Before = at(0) // sees nothing
					}
					qs = append(qs, q)
				}
				got, err := ix.SearchBatch(context.Background(), qs, tt.k, nil)
				require.NoError(t, err)
				require.Len(t, got, len(qs))
				for i, q := range qs {
					ids := []string{}
					for r, c := range got[i] {
						ids = append(ids, c.ID)
						assert.Equal(t, r+1, c.Rank)
					}
					assert.Equal(t, naiveTopK(f, q, tt.k), ids, "query %d", i)
				}
			})
		}
	}
}

// TestDenseKernelsAgree checks that every kernel, float32 or float16, ranks
// exactly as the portable one on the same index, ties included.
func TestDenseKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	f := randomVectors(rng, 1000, 40)
	var qs []Query
	for i := range 100 {
		qs = append(qs, Query{ID: f.ids[i*7], Vector: f.vecs.Row(i * 7), Before: f.opened[i*7]})
	}
	for _, f16 := range []bool{false, true} {
		ix, err := NewDense(f.ids, f.opened, f.vecs, DenseOptions{Float16: f16, QueryBlock: 24, DocBlock: 96})
		require.NoError(t, err)
		ks := kernels()
		ix.kern = ks[len(ks)-1]
		want, err := ix.SearchBatch(context.Background(), qs, 20, nil)
		require.NoError(t, err)
		for _, kern := range ks {
			ix.kern = kern
			got, err := ix.SearchBatch(context.Background(), qs, 20, nil)
			require.NoError(t, err)
			for i := range qs {
				require.Len(t, got[i], len(want[i]), "%s f16=%v query %d", kern.name, f16, i)
				for r := range got[i] {
					assert.Equal(t, want[i][r].ID, got[i][r].ID, "%s f16=%v query %d rank %d", kern.name, f16, i, r+1)
					assert.InDelta(t, want[i][r].Score, got[i][r].Score, 1e-6)
				}
			}
		}
	}
}

func TestDenseFloat16CloseToFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	f := randomVectors(rng, 300, 24)
	ix32, err := NewDense(f.ids, f.opened, f.vecs, DenseOptions{})
	require.NoError(t, err)
	ix16, err := NewDense(f.ids, f.opened, f.vecs, DenseOptions{Float16: true, DocBlock: 64})
	require.NoError(t, err)
	overlap, total := 0, 0
	for i := range 30 {
		q := Query{ID: f.ids[i], Vector: f.vecs.Row(i)}
		a, err := ix32.Search(context.Background(), q, 10)
		require.NoError(t, err)
		b, err := ix16.Search(context.Background(), q, 10)
		require.NoError(t, err)
		in := map[string]float32{}
		for _, c := range a {
			in[c.ID] = c.Score
		}
		for _, c := range b {
			if s, ok := in[c.ID]; ok {
				overlap++
				assert.InDelta(t, s, c.Score, 2e-3)
			}
		}
		total += len(a)
	}
	assert.GreaterOrEqual(t, float64(overlap)/float64(total), 0.95)
}

func TestDenseErrors(t *testing.T) {
	m := Matrix{Rows: 2, Dim: 2, Data: []float32{1, 0, 0, 1}}
	_, err := NewDense([]string{"a"}, []time.Time{{}, {}}, m, DenseOptions{})
	assert.ErrorContains(t, err, "counts differ")
	_, err = NewDense([]string{"a", "a"}, []time.Time{{}, {}}, m, DenseOptions{})
	assert.ErrorContains(t, err, `duplicate ID "a"`)
	bad := Matrix{Rows: 2, Dim: 2, Data: []float32{1, float32(math.NaN()), 0, 1}}
	_, err = NewDense([]string{"a", "b"}, []time.Time{{}, {}}, bad, DenseOptions{})
	assert.ErrorContains(t, err, "component 1 is NaN")
	ix, err := NewDense([]string{"a", "b"}, []time.Time{{}, {}}, m, DenseOptions{})
	require.NoError(t, err)
	_, err = ix.Search(context.Background(), Query{ID: "q", Vector: []float32{1}}, 3)
	assert.ErrorContains(t, err, "vector has 1 dimensions, index has 2")
}

func TestTileKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, dim := range []int{1, 7, 40, 384} {
		q, d := make([]float32, tileQ*dim), make([]float32, tileD*dim)
		for i := range q {
			q[i] = float32(rng.NormFloat64())
		}
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		want := make([]float64, tileQ*tileD)
		for i := range tileQ {
			for j := range tileD {
				for k := range dim {
					want[tileD*i+j] += float64(q[tileQ*k+i]) * float64(d[tileD*k+j])
				}
			}
		}
		var thr [tileQ]float32
		for i := range thr {
			thr[i] = float32(want[tileD*i+3*i]) // row i: its own score at column 3i reaches it
		}
		thr[7] = float32(math.Inf(1))
		for _, kern := range kernels() {
			var out [tileQ * tileD]float32
			mask := [tileQ]uint32{0xdead, 1, 2, 3, 4, 5, 6, 7} // stale bits must not survive
			kern.fn(q, d, dim, &thr, &out, &mask)
			for i := range tileQ {
				var m uint32
				for j := range tileD {
					assert.InDelta(t, want[tileD*i+j], out[tileD*i+j], 1e-4*float64(dim), "%s dim %d (%d,%d)", kern.name, dim, i, j)
					if out[tileD*i+j] >= thr[i] {
						m |= 1 << j
					}
				}
				assert.Equal(t, m, mask[i], "%s dim %d mask row %d", kern.name, dim, i)
			}
			assert.Zero(t, mask[7], kern.name)
			assert.NotZero(t, mask[0], kern.name)
		}
	}
}

func TestHalvesMatchesTable(t *testing.T) {
	src := make([]uint16, 0, 1<<16)
	for h := range 1 << 16 {
		if e := h >> 10 & 0x1f; e != 0x1f { // finite values: all the index stores
			src = append(src, uint16(h))
		}
	}
	src = src[:len(src)/tileD*tileD]
	got, want := make([]float32, len(src)), make([]float32, len(src))
	halves(got, src)
	halvesGo(want, src)
	assert.Equal(t, want, got)
}

func TestProgressReportsMonotonicToTotal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	f := randomVectors(rng, 500, 8)
	dense, err := NewDense(f.ids, f.opened, f.vecs, DenseOptions{DocBlock: 16, Workers: 2})
	require.NoError(t, err)
	docs := make([]Doc, len(f.ids))
	qs := make([]Query, 300)
	for i := range docs {
		docs[i] = Doc{ID: f.ids[i], Text: fmt.Sprintf("w%d w%d", i%7, i%11), Opened: f.opened[i]}
	}
	for i := range qs {
		qs[i] = Query{ID: f.ids[i], Text: docs[i].Text, Vector: f.vecs.Row(i), Before: f.opened[i]}
	}
	bm, err := NewBM25(docs, BM25Params{Workers: 2})
	require.NoError(t, err)
	for _, ix := range []Index{dense, bm} {
		var seen []int
		_, err := EvalCandidates(context.Background(), ix, qs, 0, func(done, total int) {
			assert.Equal(t, len(qs), total)
			seen = append(seen, done)
		})
		require.NoError(t, err)
		require.NotEmpty(t, seen)
		assert.IsIncreasing(t, seen)
		assert.Equal(t, len(qs), seen[len(seen)-1])
	}
}

// TestDenseSearchMemoryBounded checks SearchBatch's documented bound: what
// it allocates beyond the results grows by the per-query bookkeeping only,
// not with the queries' vectors or the documents.
func TestDenseSearchMemoryBounded(t *testing.T) {
	const n, dim, nq = 600, 64, 3000
	rng := rand.New(rand.NewPCG(21, 22))
	f := randomVectors(rng, n, dim)
	tests := []struct {
		name   string
		k      int
		f16    bool
		before time.Time // zero: no time limit
		broken int       // bytes a broken implementation would take
	}{
		// A copy of the queries' vectors alone is nq·dim·4 bytes.
		{"float32", 10, false, time.Time{}, nq * dim * 4},
		{"float16", 10, true, time.Time{}, nq * dim * 4},
		// A heap of k per query in a block, 2·64·k·8 bytes, though none
		// can keep more than the few tickets it sees.
		{"k far above the index size", 20000, false, at(1), 2 * 64 * 20000 * 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DenseOptions{Float16: tt.f16, QueryBlock: 64, DocBlock: 128, Workers: 2}
			ix, err := NewDense(f.ids, f.opened, f.vecs, o)
			require.NoError(t, err)
			qs := make([]Query, nq)
			for i := range qs {
				r := i % n
				qs[i] = Query{ID: f.ids[r], Vector: f.vecs.Row(r), Before: tt.before}
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := ix.SearchBatch(context.Background(), qs, tt.k, nil)
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			results := int(unsafe.Sizeof([]Candidate{})) * nq
			for _, c := range got {
				results += int(unsafe.Sizeof(Candidate{})) * cap(c)
			}
			bound := o.Workers*ix.denseWorkingSet(tt.k) + 48*nq + 16<<10 // goroutines, closures
			extra := int(after.TotalAlloc-before.TotalAlloc) - results
			assert.LessOrEqual(t, extra, bound, "%d bytes beyond the results, bound %d", extra, bound)
			require.Less(t, bound, tt.broken)
		})
	}
}
