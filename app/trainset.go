package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/rerank"
)

// example is one labelled (query, document) pair of the training set.
type example struct {
	Query, Doc string
	Label      float32
	Source     string // "mined", "promoted", "confirmed", "negated", "negative": see labelPrecedence
}

// pairSet is the training set; it implements train.TrainSet, train.Lengths
// and train.Labeled. Pairs are tokenized when a batch first needs them, so a
// short run over a large archive tokenizes only what it trains on.
type pairSet struct {
	pairs   [][2]data.Ticket
	plain   []bool // rendered as plain strings (rerank.RenderPlainPair); nil: none
	labels  []float32
	lengths []int // estimated token counts, for length bucketing
	enc     *rerank.PairEncoder
	encs    []tokenizer.Encoding
	done    []bool
}

func newPairSet(enc *rerank.PairEncoder, pairs [][2]data.Ticket, labels []float32) *pairSet {
	s := &pairSet{pairs: pairs, labels: labels, enc: enc, lengths: make([]int, len(pairs)),
		encs: make([]tokenizer.Encoding, len(pairs)), done: make([]bool, len(pairs))}
	for i, pr := range pairs {
		// About four characters a token; only the order matters for bucketing.
		n := 0
		for _, t := range pr {
			n += len(t.Title) + len(t.Description) + len(t.Rule) + len(t.Host) + len(t.User)
		}
		n += len(pr[1].CloseNotes)
		s.lengths[i] = min(enc.MaxLen(), n/4+16)
	}
	return s
}

func (s *pairSet) Len() int          { return len(s.pairs) }
func (s *pairSet) Labels() []float32 { return s.labels }
func (s *pairSet) Lengths() []int    { return s.lengths }

func lengthsOf(encs []tokenizer.Encoding) []int {
	out := make([]int, len(encs))
	for i, e := range encs {
		out[i] = e.Len()
	}
	return out
}

// Batch tokenizes the rows of indices (once) and pads them to the longest.
func (s *pairSet) Batch(indices []int) (model.Batch, []float32, error) {
	var todo []int
	for _, i := range indices {
		if i < 0 || i >= len(s.pairs) {
			return model.Batch{}, nil, fmt.Errorf("training set: index %d out of range [0, %d)", i, len(s.pairs))
		}
		if !s.done[i] {
			todo = append(todo, i)
		}
	}
	if len(todo) > 0 {
		prs := make([][2]data.Ticket, len(todo))
		var plain []bool
		if s.plain != nil {
			plain = make([]bool, len(todo))
		}
		for j, i := range todo {
			prs[j] = s.pairs[i]
			if plain != nil {
				plain[j] = s.plain[i]
			}
		}
		for j, e := range s.enc.EncodeTickets(prs, plain) {
			s.encs[todo[j]], s.done[todo[j]] = e, true
		}
	}
	n := 0
	for _, i := range indices {
		n = max(n, s.encs[i].Len())
	}
	padID := s.enc.PadID()
	b := model.Batch{Rows: len(indices), Len: n, IDs: make([]int32, len(indices)*n), TypeIDs: make([]int32, len(indices)*n), Mask: make([]int32, len(indices)*n)}
	labels := make([]float32, len(indices))
	for r, i := range indices {
		e := s.encs[i]
		row := b.IDs[r*n : (r+1)*n]
		for j := range row {
			row[j] = padID
		}
		copy(row, e.IDs)
		copy(b.TypeIDs[r*n:], e.TypeIDs)
		for j := range e.IDs {
			b.Mask[r*n+j] = 1
		}
		labels[r] = s.labels[i]
	}
	return b, labels, nil
}

// plainDraw marks which of n training examples are rendered as plain
// strings (TrainOptions.PlainShare): exactly round(share·n) of them, chosen
// by a permutation drawn from seed alone, so a run and its resumption draw
// the same ones and the share does not depend on luck. nil when share ≤ 0.
func plainDraw(n int, share float64, seed int64) []bool {
	if share <= 0 || n == 0 {
		return nil
	}
	k := min(n, int(math.Round(share*float64(n))))
	out := make([]bool, n)
	for _, i := range rand.New(rand.NewPCG(uint64(seed), 0x91a1)).Perm(n)[:k] {
		out[i] = true
	}
	return out
}

// trainingExamples gathers the train window's labelled pairs: mined
// positives, negatives promoted by review, and hard negatives after review
// (confirmed held ones included, excluded and unreviewed held ones left out).
func (p *Project) trainingExamples(a *archive) ([]example, error) {
	pairs, err := p.Pairs()
	if err != nil {
		return nil, err
	}
	rv, err := p.reviews()
	if err != nil {
		return nil, err
	}
	var out []example
	hasNeg := map[string]bool{}
	err = forEachJSON(p.Store, collNegatives, func(q string, negs []negatives.HardNegative) error {
		var qc QueryCandidates
		if _, err := p.Store.GetRecord(collCandidates, q, &qc); err != nil {
			return err
		}
		if qc.Window != "train" {
			return nil
		}
		usable, promoted := negatives.ApplyReviews(negs, rv)
		for _, n := range usable {
			out = append(out, example{Query: q, Doc: n.Candidate, Label: 0, Source: "negative"})
			hasNeg[q] = true
		}
		for _, n := range promoted {
			out = append(out, example{Query: q, Doc: n.Candidate, Label: 1, Source: "promoted"})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, sp := range pairs {
		negated := sp.Class == mining.ClassNegated && hasNeg[sp.Query] // an analyst's "not related": a negative of a train query
		if !negated && (sp.Window != "train" || !sp.Training() || !hasNeg[sp.Query]) {
			continue
		}
		if _, ok := a.get(sp.Query); !ok {
			continue
		}
		if _, ok := a.get(sp.Positive); !ok {
			continue
		}
		if negated {
			out = append(out, example{Query: sp.Query, Doc: sp.Positive, Label: 0, Source: sourceNegated})
			continue
		}
		out = append(out, example{Query: sp.Query, Doc: sp.Positive, Label: 1, Source: "mined"})
	}
	out = resolveLabels(out, rv)
	if len(out) == 0 {
		return nil, fmt.Errorf("no training examples: run mining, the first stage and negatives first")
	}
	return out, nil
}

// fingerprint identifies the training data and the options that shape it,
// so a resumed run can check it sees the same examples.
func fingerprint(exs []example, parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, e := range exs {
		fmt.Fprintf(h, "%s\x00%s\x00%g\n", e.Query, e.Doc, e.Label)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ticketPairs resolves examples to tickets.
func ticketPairs(a *archive, exs []example) ([][2]data.Ticket, error) {
	out := make([][2]data.Ticket, len(exs))
	for i, e := range exs {
		q, ok1 := a.get(e.Query)
		d, ok2 := a.get(e.Doc)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("training example %s / %s: ticket missing from the archive", e.Query, e.Doc)
		}
		out[i] = [2]data.Ticket{q, d}
	}
	return out, nil
}
