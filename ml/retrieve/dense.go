package retrieve

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/precedent/precedent/ml/half"
)

// Matrix is a dense row-major float32 matrix: row i is Data[i*Dim:(i+1)*Dim].
type Matrix struct {
	Rows, Dim int
	Data      []float32
}

// Row returns row i, sharing storage.
func (m Matrix) Row(i int) []float32 { return m.Data[i*m.Dim : (i+1)*m.Dim] }

// DenseOptions tunes the exact vector index; zero fields take the defaults.
type DenseOptions struct {
	Float16    bool // store documents as IEEE half floats: half the memory, ~3 significant digits
	Workers    int  // goroutines for batch search; default GOMAXPROCS
	QueryBlock int  // queries per tile; default 64
	DocBlock   int  // documents per tile; default 512
}

func (o DenseOptions) withDefaults() DenseOptions {
	o.Workers = workers(o.Workers)
	if o.QueryBlock <= 0 {
		o.QueryBlock = 64
	}
	o.QueryBlock += o.QueryBlock & 1 // the kernel takes queries in pairs
	if o.DocBlock <= 0 {
		o.DocBlock = 512
	}
	o.DocBlock = (o.DocBlock + 3) &^ 3 // and documents in fours
	return o
}

// Dense is an exact cosine top-k index over embeddings, safe for concurrent
// search.
//
// Vectors are L2-normalised on the way in (a zero vector scores 0 against
// everything), so the score is the cosine similarity. Documents are stored in
// order of opened time, so a query scans only the prefix opened before it.
// A batch is computed as a blocked matrix product: each worker takes its
// share of the queries and, document tile by document tile, multiplies query
// tiles against it with a 2×4 register-blocked kernel (AVX2+FMA on amd64
// when the CPU has it), keeping a bounded heap per query.
type Dense struct {
	o      DenseOptions
	dim    int // caller's dimension
	stride int // dim rounded up to a multiple of 8, zero-padded
	n      int // documents
	rows   int // n rounded up to a multiple of 4 (zero rows)
	ids    []string
	opened []int64
	pos    map[string]int32
	tie    []int32
	f32    []float32 // rows × stride, when !Float16
	f16    []uint16  // rows × stride, when Float16
}

// NewDense indexes the vectors; row i of vecs belongs to ids[i], opened[i].
func NewDense(ids []string, opened []time.Time, vecs Matrix, o DenseOptions) (*Dense, error) {
	if len(ids) != len(opened) || len(ids) != vecs.Rows {
		return nil, fmt.Errorf("dense: %d ids, %d opened times, %d vectors: counts differ", len(ids), len(opened), vecs.Rows)
	}
	if vecs.Dim <= 0 || len(vecs.Data) != vecs.Rows*vecs.Dim {
		return nil, fmt.Errorf("dense: matrix %d×%d holds %d values", vecs.Rows, vecs.Dim, len(vecs.Data))
	}
	o = o.withDefaults()
	n := len(ids)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ta, tb := opened[order[a]], opened[order[b]]
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return ids[order[a]] < ids[order[b]]
	})
	ix := &Dense{o: o, dim: vecs.Dim, stride: (vecs.Dim + 7) &^ 7, n: n, rows: (n + 3) &^ 3,
		ids: make([]string, n), opened: make([]int64, n), pos: make(map[string]int32, n)}
	if o.Float16 {
		ix.f16 = make([]uint16, ix.rows*ix.stride)
	} else {
		ix.f32 = make([]float32, ix.rows*ix.stride)
	}
	row := make([]float32, ix.stride)
	for d, i := range order {
		id := ids[i]
		if id == "" {
			return nil, fmt.Errorf("dense: vector %d: empty ID", i)
		}
		if _, dup := ix.pos[id]; dup {
			return nil, fmt.Errorf("dense: vector %d: duplicate ID %q", i, id)
		}
		ix.pos[id] = int32(d)
		ix.ids[d] = id
		ix.opened[d] = timeKey(opened[i])
		if err := normalise(row, vecs.Row(i)); err != nil {
			return nil, fmt.Errorf("dense: vector %d (%s): %w", i, id, err)
		}
		if o.Float16 {
			dst := ix.f16[d*ix.stride : (d+1)*ix.stride]
			for j, v := range row {
				dst[j] = half.FromFloat32(v)
			}
		} else {
			copy(ix.f32[d*ix.stride:], row)
		}
	}
	ix.tie = idOrder(ix.ids)
	return ix, nil
}

// normalise writes v / ‖v‖ into dst (zero-padded to len(dst)).
func normalise(dst, v []float32) error {
	var ss float64
	for j, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("component %d is %v", j, x)
		}
		ss += float64(x) * float64(x)
	}
	inv := 0.0
	if ss > 0 {
		inv = 1 / math.Sqrt(ss)
	}
	clear(dst)
	for j, x := range v {
		dst[j] = float32(float64(x) * inv)
	}
	return nil
}

// Len is the number of indexed documents.
func (ix *Dense) Len() int { return ix.n }

// Dim is the vector dimension the index expects.
func (ix *Dense) Dim() int { return ix.dim }

// Search returns the k nearest documents to q.Vector opened before q.Before.
func (ix *Dense) Search(ctx context.Context, q Query, k int) ([]Candidate, error) {
	r, err := ix.SearchBatch(ctx, []Query{q}, k, nil)
	if err != nil {
		return nil, err
	}
	return r[0], nil
}

// denseQuery is one query prepared for the product.
type denseQuery struct {
	at   int   // index in the caller's slice
	cut  int   // documents visible to it
	self int32 // its own document, or -1
}

// SearchBatch answers many queries with the blocked product.
func (ix *Dense) SearchBatch(ctx context.Context, qs []Query, k int, progress func(done, total int)) ([][]Candidate, error) {
	out := make([][]Candidate, len(qs))
	if k <= 0 || len(qs) == 0 {
		return out, nil
	}
	prep := make([]denseQuery, len(qs))
	for i, q := range qs {
		if len(q.Vector) != ix.dim {
			return nil, fmt.Errorf("dense: query %d (%s): vector has %d dimensions, index has %d", i, q.ID, len(q.Vector), ix.dim)
		}
		prep[i] = denseQuery{at: i, cut: cutoff(ix.opened, ix.ids, q.Before, q.ID), self: -1}
		if d, ok := ix.pos[q.ID]; ok {
			prep[i].self = d
		}
	}
	// Most visible documents first, so the queries still needing a tile are
	// always a prefix of each worker's list.
	sort.SliceStable(prep, func(a, b int) bool { return prep[a].cut > prep[b].cut })
	w := min(ix.o.Workers, len(prep))
	parts := make([][]denseQuery, w)
	for i, p := range prep {
		parts[i%w] = append(parts[i%w], p)
	}
	var work, done atomic.Int64
	for _, p := range prep {
		work.Add(int64(p.cut))
	}
	total := max(work.Load(), 1)
	var mu sync.Mutex
	reported := 0
	report := func(n int64) {
		d := done.Add(n)
		if progress == nil {
			return
		}
		mu.Lock()
		if v := int(d * int64(len(qs)) / total); v > reported {
			reported = v
			progress(v, len(qs))
		}
		mu.Unlock()
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for wi, part := range parts {
		wg.Go(func() {
			res, err := ix.scan(ctx, qs, part, k, report)
			if err != nil {
				errs[wi] = err
				return
			}
			for j, p := range part {
				out[p.at] = res[j]
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if progress != nil && len(qs) > 0 && reported < len(qs) {
		progress(len(qs), len(qs))
	}
	return out, nil
}

// scan computes the top-k of the queries in part (sorted by cut, descending).
func (ix *Dense) scan(ctx context.Context, qs []Query, part []denseQuery, k int, report func(int64)) ([][]Candidate, error) {
	st := ix.stride
	qv := make([]float32, (len(part)+1)*st) // one spare zero row pairs an odd last query
	for j, p := range part {
		if err := normalise(qv[j*st:(j+1)*st], qs[p.at].Vector); err != nil {
			return nil, fmt.Errorf("dense: query %d (%s): %w", p.at, qs[p.at].ID, err)
		}
	}
	heaps := make([]*topK, len(part))
	thr := make([]float32, len(part)) // score a document must reach to be pushed
	for j := range heaps {
		heaps[j] = newTopK(k, ix.tie)
		thr[j] = float32(math.Inf(-1))
	}
	var block []float32
	if ix.f16 != nil {
		block = make([]float32, ix.o.DocBlock*st)
	}
	maxCut := 0
	if len(part) > 0 {
		maxCut = part[0].cut
	}
	var out8 [8]float32
	nq := len(part)
	for db := 0; db < maxCut; db += ix.o.DocBlock {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		de := min(db+ix.o.DocBlock, ix.rows)
		for nq > 0 && part[nq-1].cut <= db {
			nq--
		}
		var docs []float32
		if ix.f16 != nil {
			src := ix.f16[db*st : de*st]
			docs = block[:len(src)]
			for j, h := range src {
				docs[j] = halfToFloat[h]
			}
		} else {
			docs = ix.f32[db*st : de*st]
		}
		var work int64
		for qb := 0; qb < nq; qb += ix.o.QueryBlock {
			qe := min(qb+ix.o.QueryBlock, nq)
			for d := db; d < de; d += 4 {
				drows := docs[(d-db)*st:]
				for qi := qb; qi < qe; qi += 2 {
					dot2x4(qv[qi*st:], qv[(qi+1)*st:], drows, st, st, &out8)
					for a := 0; a < 2 && qi+a < qe; a++ {
						p := &part[qi+a]
						for b := range 4 {
							s := out8[4*a+b]
							doc := d + b
							if s < thr[qi+a] || doc >= p.cut || int32(doc) == p.self {
								continue
							}
							h := heaps[qi+a]
							h.push(s, int32(doc))
							if h.full() {
								thr[qi+a] = h.hs[0]
							}
						}
					}
				}
			}
		}
		for _, p := range part[:nq] {
			work += int64(min(p.cut, de) - db)
		}
		report(work)
	}
	res := make([][]Candidate, len(part))
	for j, h := range heaps {
		res[j] = h.candidates(ix.ids)
	}
	return res, nil
}
