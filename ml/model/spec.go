package model

import "fmt"

// MaskedScore is the value the graph adds to the attention score of a
// padded key (see LogitsGraph); an exporter must use the same value for the
// same numbers.
const MaskedScore = maskedScore

// Spec is what a graph built outside GoMLX (an ONNX export, package
// ml/onnx) needs to compute exactly what LogitsGraph and EmbeddingsGraph
// compute. The tensors themselves come from Weights, under HF names made
// with LayerPrefix.
type Spec struct {
	Head HeadKind
	// RoBERTa selects the XLM-RoBERTa variant: positions count the real
	// tokens from PadID+1 (pads get PadID), and the cross-encoder head is
	// classifier.dense → tanh → classifier.out_proj instead of BERT's
	// pooler.dense → tanh → classifier.
	RoBERTa                             bool
	PadID                               int
	Hidden, Layers, Heads, Intermediate int
	// LayerNormEps is the epsilon of every LayerNorm (config layer_norm_eps).
	LayerNormEps float64
	// NumLabels is 1 (the logit) or 2 (the logit is label 1 minus label 0).
	NumLabels int
	// Pooling is the bi-encoder's reduction of token states.
	Pooling Pooling
	// MaxLen is the longest sequence the position embeddings allow.
	MaxLen int
}

// Spec returns the model's architecture; see the Spec type.
func (m *Model) Spec() Spec {
	a := m.arch
	return Spec{Head: m.head, RoBERTa: a.xlmr, PadID: a.padID, Hidden: a.hidden, Layers: a.layers, Heads: a.heads,
		Intermediate: a.intermediate, LayerNormEps: a.eps, NumLabels: a.numLabels, Pooling: a.pooling, MaxLen: a.maxLen()}
}

// LayerPrefix is the HF name prefix of encoder layer l's tensors
// ("encoder.layer.<l>."), as Weights names them.
func LayerPrefix(l int) string { return layerPrefix(l) }

// CheckBatch returns the error Score and Embed would return for b before
// running anything: inconsistent slices, a length beyond MaxLen, or a token
// or type id outside its embedding table (which a gather would otherwise
// clamp or reject with a less helpful message).
func (m *Model) CheckBatch(b Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Len > m.arch.maxLen() {
		return fmt.Errorf("model: batch length %d exceeds the model's maximum %d", b.Len, m.arch.maxLen())
	}
	return m.arch.checkIDs(b)
}
