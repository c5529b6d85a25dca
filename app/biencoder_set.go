package app

import (
	"fmt"

	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/ml/train"
)

// biPairSet is the bi-encoder's training set; it implements
// train.PairSet. Texts are rendered by biEncoderText and tokenized when a
// batch first needs them.
type biPairSet struct {
	p    *Project
	a    *archive
	mt   *mining.Matcher
	enc  *embedder
	data biTrainingData
	encs map[string]tokenizer.Encoding // by biKey
}

func newBiPairSet(p *Project, a *archive, mt *mining.Matcher, enc *embedder, td biTrainingData) *biPairSet {
	return &biPairSet{p: p, a: a, mt: mt, enc: enc, data: td, encs: map[string]tokenizer.Encoding{}}
}

func (s *biPairSet) Len() int { return len(s.data.examples) }

// Relevant reports a known relevance link (keys are ticket IDs).
func (s *biPairSet) Relevant(query, doc string) bool { return s.data.relevant[query][doc] }

// Pairs returns the examples of indices with up to negatives of their
// query's hard negatives each: example i takes them from position
// i·negatives (cyclically) in the query's list, so the positives of one
// query use different negatives and the choice depends only on i.
func (s *biPairSet) Pairs(indices []int, negatives int) (train.ContrastiveBatch, error) {
	var b train.ContrastiveBatch
	var qs, ps, ns []tokenizer.Encoding
	for r, i := range indices {
		if i < 0 || i >= len(s.data.examples) {
			return b, fmt.Errorf("bi-encoder training set: index %d out of range [0, %d)", i, len(s.data.examples))
		}
		e := s.data.examples[i]
		q, err := s.encoding(e.Query, biQuery)
		if err != nil {
			return b, err
		}
		d, err := s.encoding(e.Positive, biDocument)
		if err != nil {
			return b, err
		}
		qs, ps = append(qs, q), append(ps, d)
		b.QueryKeys, b.PositiveKeys = append(b.QueryKeys, e.Query), append(b.PositiveKeys, e.Positive)
		negs := s.data.negatives[e.Query]
		for k := range min(negatives, len(negs)) {
			id := negs[(i*negatives+k)%len(negs)]
			n, err := s.encoding(id, biDocument)
			if err != nil {
				return b, err
			}
			ns = append(ns, n)
			b.NegativeOf, b.NegativeKeys = append(b.NegativeOf, r), append(b.NegativeKeys, id)
		}
	}
	b.Queries, b.Positives, b.Negatives = s.batch(qs), s.batch(ps), s.batch(ns)
	return b, nil
}

// encoding tokenizes a ticket's text for a side, once.
func (s *biPairSet) encoding(id string, side biSide) (tokenizer.Encoding, error) {
	key := biKey(id, side)
	if e, ok := s.encs[key]; ok {
		return e, nil
	}
	t, ok := s.a.get(id)
	if !ok {
		return tokenizer.Encoding{}, fmt.Errorf("bi-encoder training set: ticket %s is not in the archive", id)
	}
	e := s.enc.tok.Encode(s.p.biEncoderText(t, side, s.mt), s.enc.maxLen)
	s.encs[key] = e
	return e, nil
}

// batch pads encodings to their longest (an empty batch has no rows).
func (s *biPairSet) batch(encs []tokenizer.Encoding) model.Batch {
	if len(encs) == 0 {
		return model.Batch{}
	}
	return model.TokenBatch(s.enc.tok.Pad(encs))
}
