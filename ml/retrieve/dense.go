package retrieve

import (
	"context"
	"fmt"
	"math"
	"math/bits"
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
	Float16 bool // store documents as IEEE half floats: half the memory, ~3 significant digits
	Workers int  // goroutines for batch search; default GOMAXPROCS
	// QueryBlock is the most queries one worker holds packed at a time
	// (rounded up to a multiple of 8); default 2048. It bounds the search's
	// working set (see SearchBatch); every block reads the visible documents
	// once.
	QueryBlock int
	// DocBlock is the documents per tile, the unit of progress, cancellation
	// and float16 conversion (rounded up to a multiple of 32); default 512
	// (768 KiB at 384 dimensions: an L2-sized tile).
	DocBlock int
}

func (o DenseOptions) withDefaults() DenseOptions {
	o.Workers = workers(o.Workers)
	if o.QueryBlock <= 0 {
		o.QueryBlock = 2048
	}
	o.QueryBlock = (o.QueryBlock + tileQ - 1) / tileQ * tileQ
	if o.DocBlock <= 0 {
		o.DocBlock = 512
	}
	o.DocBlock = (o.DocBlock + tileD - 1) / tileD * tileD
	return o
}

// Dense is an exact cosine top-k index over embeddings, safe for concurrent
// search.
//
// Vectors are L2-normalised on the way in (a zero vector scores 0 against
// everything), so the score is the cosine similarity in float32. Documents
// are stored in order of opened time (then ID, as data.Earlier), so a query
// scans only the prefix opened before it. A batch is a blocked matrix
// product: documents sit in panels of 32 interleaved by dimension, queries
// are packed in groups of 8 the same way, and a register-blocked 8×32 kernel
// (AVX-512, else AVX2+FMA on amd64; portable Go elsewhere) scores a tile and
// flags the scores that reach each query's current k-th best, so only those
// touch the per-query bounded heap. No query × document score matrix exists.
type Dense struct {
	o      DenseOptions
	kern   tileKernel
	dim    int
	n      int // documents
	rows   int // n rounded up to a multiple of tileD (zero rows)
	ids    []string
	opened []int64
	pos    map[string]int32
	tie    []int32
	f32    []float32 // rows × dim in panels, when !Float16
	f16    []uint16  // rows × dim in panels, when Float16
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
	dim := vecs.Dim
	ix := &Dense{o: o, kern: kernels()[0], dim: dim, n: n, rows: (n + tileD - 1) / tileD * tileD,
		ids: make([]string, n), opened: make([]int64, n), pos: make(map[string]int32, n)}
	if o.Float16 {
		ix.f16 = make([]uint16, ix.rows*dim)
	} else {
		ix.f32 = make([]float32, ix.rows*dim)
	}
	row := make([]float32, dim)
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
		// Document d is lane d%tileD of panel d/tileD.
		base, lane := d/tileD*tileD*dim, d%tileD
		for k, v := range row {
			if o.Float16 {
				ix.f16[base+tileD*k+lane] = half.FromFloat32(v)
			} else {
				ix.f32[base+tileD*k+lane] = v
			}
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

// SearchBatch answers many queries with the blocked product; result i is
// query i's top k, best first, ties on score broken by the smaller ID.
//
// Memory: beyond the index, the queries and the results, a batch allocates
// 48 bytes per query (bookkeeping) and, per worker, at most
// QueryBlock·(4·Dim + 8·min(k, Len) + 96) + 4·Dim + 2048 bytes of packed
// queries, heaps and buffers, plus one DocBlock·4·Dim-byte tile for a
// float16 index, whatever the number of queries or documents: with the
// defaults at 384 dimensions and k = 50, 3.97 MiB per worker (4.72 MiB for
// float16).
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
		for j, x := range q.Vector {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("dense: query %d (%s): component %d is %v", i, q.ID, j, x)
			}
		}
		prep[i] = denseQuery{at: i, cut: cutoff(ix.opened, ix.ids, q.Before, q.ID), self: -1}
		if d, ok := ix.pos[q.ID]; ok {
			prep[i].self = d
		}
	}
	// Most visible documents first: within a block, the queries still
	// needing a document tile are always a prefix.
	sort.SliceStable(prep, func(a, b int) bool { return prep[a].cut > prep[b].cut })
	w := min(ix.o.Workers, len(prep))
	// At least two blocks per worker, so the uneven blocks of a time-aware
	// batch balance; at most QueryBlock queries each.
	size := min(ix.o.QueryBlock, (len(prep)+2*w-1)/(2*w))
	size = (size + tileQ - 1) / tileQ * tileQ
	var blocks [][]denseQuery
	for lo := 0; lo < len(prep); lo += size {
		blocks = append(blocks, prep[lo:min(lo+size, len(prep))])
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
	var next atomic.Int64
	errs := make([]error, w)
	var wg sync.WaitGroup
	for wi := range w {
		wg.Go(func() {
			s := ix.newScanner(size, k)
			for {
				b := int(next.Add(1) - 1)
				if b >= len(blocks) {
					return
				}
				if err := s.scan(ctx, qs, blocks[b], out, report); err != nil {
					errs[wi] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if progress != nil && reported < len(qs) {
		progress(len(qs), len(qs))
	}
	return out, nil
}

// denseWorkingSet is the bound SearchBatch documents for one worker's
// allocations (not the results, not the per-query bookkeeping).
func (ix *Dense) denseWorkingSet(k int) int {
	b := ix.o.QueryBlock*(4*ix.dim+8*min(k, ix.n)+96) + 4*ix.dim + 2048
	if ix.f16 != nil {
		b += ix.o.DocBlock * 4 * ix.dim
	}
	return b
}

// denseScanner is one worker's reusable state: its allocation is the whole
// working set of the search, whatever the batch size.
type denseScanner struct {
	ix     *Dense
	k      int
	qp     []float32 // packed queries: group g at qp[g·tileQ·dim:], interleaved
	heaps  []topK
	thr    [][tileQ]float32 // score a document must reach to be pushed
	tile   []float32        // a converted float16 document tile
	row    []float32
	scores [tileQ * tileD]float32
	mask   [tileQ]uint32
}

func (ix *Dense) newScanner(size, k int) *denseScanner {
	s := &denseScanner{ix: ix, k: k, qp: make([]float32, size*ix.dim), heaps: make([]topK, size),
		thr: make([][tileQ]float32, size/tileQ), row: make([]float32, ix.dim)}
	c := min(k, ix.n) // no query keeps more than the index holds
	for i := range s.heaps {
		s.heaps[i] = topK{k: k, tie: ix.tie, hs: make([]float32, 0, c), hd: make([]int32, 0, c)}
	}
	if ix.f16 != nil {
		s.tile = make([]float32, ix.o.DocBlock*ix.dim)
	}
	return s
}

// scan computes the top-k of the queries in part (sorted by cut,
// descending, at most the scanner's size) into out.
func (s *denseScanner) scan(ctx context.Context, qs []Query, part []denseQuery, out [][]Candidate, report func(int64)) error {
	ix, dim := s.ix, s.ix.dim
	groups := (len(part) + tileQ - 1) / tileQ
	inf := float32(math.Inf(1))
	for g := range groups {
		gq := s.qp[g*tileQ*dim : (g+1)*tileQ*dim]
		for i := range tileQ {
			j := g*tileQ + i
			if j >= len(part) { // padding: a zero query no score reaches
				for k := range dim {
					gq[tileQ*k+i] = 0
				}
				s.thr[g][i] = inf
				continue
			}
			_ = normalise(s.row, qs[part[j].at].Vector) // finite: checked by SearchBatch
			for k, v := range s.row {
				gq[tileQ*k+i] = v
			}
			s.thr[g][i] = float32(math.Inf(-1))
			s.heaps[j].reset()
		}
	}
	kern := ix.kern.fn
	active := groups
	for db := 0; db < part[0].cut; db += ix.o.DocBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		de := min(db+ix.o.DocBlock, ix.rows)
		for active > 0 && part[(active-1)*tileQ].cut <= db {
			active--
		}
		var docs []float32
		if ix.f16 != nil {
			docs = s.tile[:(de-db)*dim]
			halves(docs, ix.f16[db*dim:de*dim])
		} else {
			docs = ix.f32[db*dim : de*dim]
		}
		var work int64
		for g := range active {
			gq := s.qp[g*tileQ*dim : (g+1)*tileQ*dim]
			first := g * tileQ
			for p := db; p < de && p < part[first].cut; p += tileD {
				kern(gq, docs[(p-db)*dim:], dim, &s.thr[g], &s.scores, &s.mask)
				for i, m := range s.mask {
					for ; m != 0; m &= m - 1 {
						j := bits.TrailingZeros32(m)
						q := &part[first+i]
						doc := p + j
						sc := s.scores[tileD*i+j]
						if doc >= q.cut || int32(doc) == q.self || sc < s.thr[g][i] {
							continue
						}
						h := &s.heaps[first+i]
						h.push(sc, int32(doc))
						if h.full() {
							s.thr[g][i] = h.hs[0]
						}
					}
				}
			}
			for _, q := range part[first:min(first+tileQ, len(part))] {
				work += int64(max(min(q.cut, de)-db, 0))
			}
		}
		report(work)
	}
	for j, q := range part {
		out[q.at] = s.heaps[j].candidates(ix.ids)
	}
	return nil
}
