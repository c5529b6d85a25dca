package model

import (
	"fmt"
	"strings"
)

// HeadKind selects what the model computes on top of the encoder.
type HeadKind int

const (
	// CrossEncoder scores a (query, document) pair with one logit.
	CrossEncoder HeadKind = iota
	// BiEncoder embeds one text as an L2-normalised vector.
	BiEncoder
)

// String returns "cross-encoder" or "bi-encoder".
func (h HeadKind) String() string {
	switch h {
	case CrossEncoder:
		return "cross-encoder"
	case BiEncoder:
		return "bi-encoder"
	default:
		return fmt.Sprintf("HeadKind(%d)", int(h))
	}
}

// Pooling selects how a bi-encoder reduces token states to one vector.
type Pooling int

const (
	// PoolMean averages the states of unmasked tokens (sentence-transformers default).
	PoolMean Pooling = iota
	// PoolCLS takes the state of the first token.
	PoolCLS
)

// arch is everything the graph needs to know about shapes and numerics.
type arch struct {
	xlmr          bool
	vocab         int
	hidden        int
	layers        int
	heads         int
	intermediate  int
	maxPositions  int
	typeVocab     int
	padID         int // XLM-R position padding_idx
	eps           float64
	hiddenDropout float64
	attnDropout   float64
	numLabels     int
	pooling       Pooling
}

func (a arch) validate(head HeadKind) error {
	if head == CrossEncoder && (a.numLabels < 1 || a.numLabels > 2) {
		return fmt.Errorf("config: num_labels %d: a cross-encoder needs 1 or 2", a.numLabels)
	}
	switch {
	case a.hidden <= 0 || a.layers < 0 || a.heads <= 0 || a.intermediate <= 0 || a.vocab <= 0 || a.maxPositions <= 0 || a.typeVocab <= 0:
		return fmt.Errorf("config: non-positive size (hidden %d, layers %d, heads %d, intermediate %d, vocab %d, positions %d, types %d)",
			a.hidden, a.layers, a.heads, a.intermediate, a.vocab, a.maxPositions, a.typeVocab)
	case a.hidden%a.heads != 0:
		return fmt.Errorf("config: hidden_size %d is not a multiple of num_attention_heads %d", a.hidden, a.heads)
	}
	return nil
}

// maxLen is the longest sequence the position table allows.
func (a arch) maxLen() int {
	if a.xlmr {
		return a.maxPositions - a.padID - 1
	}
	return a.maxPositions
}

// layerPrefix is the HF name prefix of encoder layer l.
func layerPrefix(l int) string {
	return fmt.Sprintf("encoder.layer.%d.", l)
}

// varPath maps an HF canonical tensor name to its variable path in the store.
func varPath(name string) string {
	return "/" + strings.ReplaceAll(name, ".", "/")
}

// tensorShapes lists every tensor the graph reads for the head kind, with its HF shape.
func (a arch) tensorShapes(head HeadKind) map[string][]int {
	h := a.hidden
	s := map[string][]int{
		"embeddings.word_embeddings.weight":       {a.vocab, h},
		"embeddings.position_embeddings.weight":   {a.maxPositions, h},
		"embeddings.token_type_embeddings.weight": {a.typeVocab, h},
		"embeddings.LayerNorm.weight":             {h},
		"embeddings.LayerNorm.bias":               {h},
	}
	linear := func(name string, out, in int) {
		s[name+".weight"] = []int{out, in}
		s[name+".bias"] = []int{out}
	}
	norm := func(name string) {
		s[name+".weight"] = []int{h}
		s[name+".bias"] = []int{h}
	}
	for l := range a.layers {
		p := layerPrefix(l)
		linear(p+"attention.self.query", h, h)
		linear(p+"attention.self.key", h, h)
		linear(p+"attention.self.value", h, h)
		linear(p+"attention.output.dense", h, h)
		norm(p + "attention.output.LayerNorm")
		linear(p+"intermediate.dense", a.intermediate, h)
		linear(p+"output.dense", h, a.intermediate)
		norm(p + "output.LayerNorm")
	}
	if head == CrossEncoder {
		if a.xlmr {
			linear("classifier.dense", h, h)
			linear("classifier.out_proj", a.numLabels, h)
		} else {
			linear("pooler.dense", h, h)
			linear("classifier", a.numLabels, h)
		}
	}
	return s
}

// checkIDs rejects token and type ids outside the embedding tables, which
// a gather would otherwise clamp silently.
func (a arch) checkIDs(b Batch) error {
	for i, id := range b.IDs {
		if id < 0 || int(id) >= a.vocab {
			return fmt.Errorf("batch row %d position %d: token id %d outside vocab_size %d", i/b.Len, i%b.Len, id, a.vocab)
		}
		if t := b.TypeIDs[i]; t < 0 || int(t) >= a.typeVocab {
			return fmt.Errorf("batch row %d position %d: type id %d outside type_vocab_size %d", i/b.Len, i%b.Len, t, a.typeVocab)
		}
	}
	return nil
}
