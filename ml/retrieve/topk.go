package retrieve

import "sort"

// topK keeps the k best (score, doc) pairs seen, as a bounded min-heap whose
// root is the worst kept entry. Ties on score are broken by the document's
// ID order (tie[doc]): the smaller ID wins.
type topK struct {
	k   int
	tie []int32 // doc → position of its ID in byte order
	hs  []float32
	hd  []int32
}

func newTopK(k int, tie []int32) *topK {
	return &topK{k: k, tie: tie, hs: make([]float32, 0, k), hd: make([]int32, 0, k)}
}

func (h *topK) reset() { h.hs, h.hd = h.hs[:0], h.hd[:0] }

// worse reports whether entry (sa, da) ranks below (sb, db).
func (h *topK) worse(sa float32, da int32, sb float32, db int32) bool {
	if sa != sb {
		return sa < sb
	}
	return h.tie[da] > h.tie[db]
}

// full reports whether the heap holds k entries; its root's score is then
// the least a new entry needs.
func (h *topK) full() bool { return len(h.hs) == h.k }

func (h *topK) push(s float32, d int32) {
	if h.k <= 0 {
		return
	}
	if len(h.hs) < h.k {
		h.hs = append(h.hs, s)
		h.hd = append(h.hd, d)
		i := len(h.hs) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !h.worse(h.hs[i], h.hd[i], h.hs[p], h.hd[p]) {
				break
			}
			h.hs[i], h.hs[p] = h.hs[p], h.hs[i]
			h.hd[i], h.hd[p] = h.hd[p], h.hd[i]
			i = p
		}
		return
	}
	if !h.worse(h.hs[0], h.hd[0], s, d) {
		return
	}
	h.hs[0], h.hd[0] = s, d
	h.down(0)
}

// candidates returns the kept entries best first, with ranks, emptying the
// heap. It allocates only the result.
func (h *topK) candidates(ids []string) []Candidate {
	out := make([]Candidate, len(h.hs))
	for r := len(out) - 1; r >= 0; r-- {
		out[r] = Candidate{ID: ids[h.hd[0]], Score: h.hs[0], Rank: r + 1}
		h.pop()
	}
	return out
}

// pop removes the root, the worst kept entry.
func (h *topK) pop() {
	n := len(h.hs) - 1
	h.hs[0], h.hd[0] = h.hs[n], h.hd[n]
	h.hs, h.hd = h.hs[:n], h.hd[:n]
	h.down(0)
}

// down restores the heap below i after its entry got better.
func (h *topK) down(i int) {
	n := len(h.hs)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.worse(h.hs[r], h.hd[r], h.hs[l], h.hd[l]) {
			m = r
		}
		if !h.worse(h.hs[m], h.hd[m], h.hs[i], h.hd[i]) {
			return
		}
		h.hs[i], h.hs[m] = h.hs[m], h.hs[i]
		h.hd[i], h.hd[m] = h.hd[m], h.hd[i]
		i = m
	}
}

// idOrder returns, for each document, the position of its ID in byte order.
func idOrder(ids []string) []int32 {
	idx := make([]int, len(ids))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ids[idx[a]] < ids[idx[b]] })
	out := make([]int32, len(ids))
	for pos, i := range idx {
		out[i] = int32(pos)
	}
	return out
}
