package retrieve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// BM25Params are the Okapi BM25 constants; zero fields take the defaults.
type BM25Params struct {
	K1      float64 // term-frequency saturation; default 1.2
	B       float64 // length normalisation; default 0.75 (set NoLengthNorm for 0)
	Workers int     // goroutines for building and batch search; default GOMAXPROCS
	// NoLengthNorm sets B to 0, which a zero B field cannot express.
	NoLengthNorm bool
}

func (p BM25Params) withDefaults() BM25Params {
	if p.K1 <= 0 {
		p.K1 = 1.2
	}
	if p.B <= 0 {
		p.B = 0.75
	}
	if p.NoLengthNorm {
		p.B = 0
	}
	p.Workers = workers(p.Workers)
	return p
}

// BM25 is an inverted index over ticket texts, safe for concurrent search.
//
// Documents are numbered in order of opened time, so every posting list is
// sorted by time and the "opened before" filter is a binary search that cuts
// each list short. IDF and the average document length come from the whole
// index, not from the time slice a query may see: that leaks only corpus
// statistics (never documents) from the future, keeps one set of weights for
// all queries, and changes scores by a fraction of a percent on a large
// archive. Score of document d for query terms T (each unique term once):
//
//	Σ_{t∈T} idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)),
//	idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))
//
// (the always-positive Lucene IDF). Documents matching no term are not
// returned.
type BM25 struct {
	p      BM25Params
	ids    []string // by opened time
	opened []int64  // unix nanoseconds, ascending
	pos    map[string][]int32
	// Versions (Doc.Until, Doc.Strict): nil when no document has any.
	until  []int64 // last query time a document is visible to; MaxInt64 = no end
	strict []bool
	tie    []int32
	terms  map[string]int32
	idf    []float32
	off    []int64 // CSR: postings of term t are [off[t], off[t+1])
	pdoc   []int32
	pw     []float32 // the tf/length part of the score, idf excluded
	avgdl  float64
	// sparseRatio: a query whose visible postings times this is below the
	// visible documents accumulates via a touched list instead of a scan.
	sparseRatio int64
	pool        sync.Pool // *bm25Scratch
}

type bm25Scratch struct {
	acc     []float32
	touched []int32
	spans   []span
	top     *topK
	toks    []string
}

// span is the visible part of one query term's postings.
type span struct {
	lo, hi int64
	idf    float32
}

type termFreq struct {
	term string
	tf   int32
}

// NewBM25 indexes docs. IDs must be non-empty and unique, except across
// versions of one ticket (Doc.Until, Doc.Strict).
func NewBM25(docs []Doc, p BM25Params) (*BM25, error) {
	p = p.withDefaults()
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		da, db := &docs[order[a]], &docs[order[b]]
		if !da.Opened.Equal(db.Opened) {
			return da.Opened.Before(db.Opened)
		}
		return da.ID < db.ID
	})
	ix := &BM25{p: p, ids: make([]string, len(docs)), opened: make([]int64, len(docs)),
		pos: make(map[string][]int32, len(docs)), terms: map[string]int32{}, sparseRatio: 8}
	versioned := false
	for i := range docs {
		versioned = versioned || !docs[i].Until.IsZero() || docs[i].Strict
	}
	if versioned {
		ix.until, ix.strict = make([]int64, len(docs)), make([]bool, len(docs))
	}
	for d, i := range order {
		id := docs[i].ID
		if id == "" {
			return nil, fmt.Errorf("bm25: document %d: empty ID", i)
		}
		if prev, dup := ix.pos[id]; dup && !versioned {
			return nil, fmt.Errorf("bm25: document %d: duplicate ID %q", i, id)
		} else if dup && len(prev) > 0 {
			last := order[prev[len(prev)-1]]
			if u := docs[last].Until; u.IsZero() || u.After(docs[i].Opened) {
				return nil, fmt.Errorf("bm25: document %d: versions of %q overlap in time", i, id)
			}
		}
		ix.pos[id] = append(ix.pos[id], int32(d))
		ix.ids[d] = id
		ix.opened[d] = timeKey(docs[i].Opened)
		if versioned {
			ix.until[d], ix.strict[d] = math.MaxInt64, docs[i].Strict
			if !docs[i].Until.IsZero() {
				ix.until[d] = timeKey(docs[i].Until)
			}
		}
	}
	ix.tie = idOrder(ix.ids)

	// Tokenise in parallel: per document, its distinct terms and length.
	tfs := make([][]termFreq, len(docs))
	lens := make([]int32, len(docs))
	parallel(len(docs), p.Workers, func(lo, hi int) {
		var toks []string
		for d := lo; d < hi; d++ {
			toks = appendTokens(toks[:0], docs[order[d]].Text)
			sort.Strings(toks)
			var row []termFreq
			for j, t := range toks {
				if j > 0 && t == toks[j-1] {
					row[len(row)-1].tf++
					continue
				}
				row = append(row, termFreq{t, 1})
			}
			tfs[d], lens[d] = row, int32(len(toks))
		}
	})

	// Number the terms and count document frequencies.
	var df []int64
	var total int64
	tids := make([][]int32, len(docs))
	for d, row := range tfs {
		total += int64(lens[d])
		ts := make([]int32, len(row))
		for j, tf := range row {
			t, ok := ix.terms[tf.term]
			if !ok {
				t = int32(len(df))
				ix.terms[strings.Clone(tf.term)] = t // do not pin the document text
				df = append(df, 0)
			}
			df[t]++
			ts[j] = t
		}
		tids[d] = ts
	}
	if len(docs) > 0 {
		ix.avgdl = float64(total) / float64(len(docs))
	}
	n := float64(len(docs))
	ix.idf = make([]float32, len(df))
	ix.off = make([]int64, len(df)+1)
	for t, f := range df {
		ix.idf[t] = float32(math.Log(1 + (n-float64(f)+0.5)/(float64(f)+0.5)))
		ix.off[t+1] = ix.off[t] + f
	}
	ix.pdoc = make([]int32, ix.off[len(df)])
	ix.pw = make([]float32, ix.off[len(df)])
	next := append([]int64(nil), ix.off[:len(df)]...)
	for d, row := range tfs {
		norm := p.K1 * (1 - p.B + p.B*float64(lens[d])/math.Max(ix.avgdl, 1e-9))
		for j, tf := range row {
			t := tids[d][j]
			k := next[t]
			next[t]++
			ix.pdoc[k] = int32(d)
			f := float64(tf.tf)
			ix.pw[k] = float32(f * (p.K1 + 1) / (f + norm))
		}
	}
	ix.pool.New = func() any {
		return &bm25Scratch{acc: make([]float32, len(ix.ids)), top: newTopK(0, ix.tie)}
	}
	return ix, nil
}

// Len is the number of indexed documents.
func (ix *BM25) Len() int { return len(ix.ids) }

// Search returns the k best documents for q.Text opened before q.Before.
func (ix *BM25) Search(ctx context.Context, q Query, k int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := ix.pool.Get().(*bm25Scratch)
	defer ix.pool.Put(s)
	return ix.search(s, q, k), nil
}

// SearchBatch answers many queries in parallel (BM25Params.Workers).
func (ix *BM25) SearchBatch(ctx context.Context, qs []Query, k int, progress func(done, total int)) ([][]Candidate, error) {
	out := make([][]Candidate, len(qs))
	err := batch(ctx, len(qs), ix.p.Workers, progress, func() func(i int) {
		s := ix.pool.Get().(*bm25Scratch)
		return func(i int) { out[i] = ix.search(s, qs[i], k) }
	})
	return out, err
}

// cutoff is the number of documents (in opened, ID order) that come before a
// query opened at t with ID id: opened strictly before t, or at t with a
// smaller ID (data.Earlier).
func cutoff(opened []int64, ids []string, t time.Time, id string) int {
	if t.IsZero() {
		return len(opened)
	}
	key := timeKey(t)
	return sort.Search(len(opened), func(i int) bool {
		return opened[i] > key || opened[i] == key && ids[i] >= id
	})
}

// visible reports whether version d may be shown to a query at key (only
// meaningful within the query's cutoff).
func (ix *BM25) visible(d int32, key int64) bool {
	return ix.until == nil || key <= ix.until[d] && !(ix.strict[d] && ix.opened[d] >= key)
}

func (ix *BM25) search(s *bm25Scratch, q Query, k int) []Candidate {
	if k <= 0 {
		return nil
	}
	limit := int32(cutoff(ix.opened, ix.ids, q.Before, q.ID))
	key := timeKey(q.Before)
	if q.Before.IsZero() {
		key = math.MaxInt64
	}
	self := ix.pos[q.ID]
	s.toks = appendTokens(s.toks[:0], q.Text)
	sort.Strings(s.toks)
	// Find each distinct term's visible postings (a prefix, as postings are
	// in opened order) and how many there are in all.
	s.spans = s.spans[:0]
	var postings int64
	for i, tok := range s.toks {
		if i > 0 && tok == s.toks[i-1] {
			continue
		}
		t, ok := ix.terms[tok]
		if !ok {
			continue
		}
		lo, hi := ix.off[t], ix.off[t+1]
		docs := ix.pdoc[lo:hi]
		end := lo + int64(sort.Search(len(docs), func(j int) bool { return docs[j] >= limit }))
		if end > lo {
			s.spans = append(s.spans, span{lo, end, ix.idf[t]})
			postings += end - lo
		}
	}
	s.top.k = k
	s.top.reset()
	acc := s.acc[:limit]
	if postings*ix.sparseRatio < int64(limit) {
		// Sparse: remember touched documents rather than scanning them all.
		s.touched = s.touched[:0]
		for _, sp := range s.spans {
			ws := ix.pw[sp.lo:sp.hi]
			for j, d := range ix.pdoc[sp.lo:sp.hi] {
				if acc[d] == 0 {
					s.touched = append(s.touched, d)
				}
				acc[d] += sp.idf * ws[j]
			}
		}
		for _, d := range s.touched {
			if !slices.Contains(self, d) && ix.visible(d, key) {
				s.top.push(acc[d], d)
			}
			acc[d] = 0
		}
		return s.top.candidates(ix.ids)
	}
	// Dense: branch-free accumulation, then one pass over the visible prefix.
	for _, sp := range s.spans {
		ws := ix.pw[sp.lo:sp.hi]
		for j, d := range ix.pdoc[sp.lo:sp.hi] {
			acc[d] += sp.idf * ws[j]
		}
	}
	for _, d := range self {
		if d < limit {
			acc[d] = 0
		}
	}
	var thr float32 // documents scoring 0 matched no term
	for d, v := range acc {
		if (v > thr || (v == thr && v > 0)) && ix.visible(int32(d), key) {
			s.top.push(v, int32(d))
			if s.top.full() {
				thr = s.top.hs[0]
			}
		}
	}
	clear(acc)
	return s.top.candidates(ix.ids)
}

// timeKey orders times as int64; the zero time sorts first.
func timeKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}
