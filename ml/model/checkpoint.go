package model

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/safetensors"
)

// Options configure FromCheckpoint.
type Options struct {
	Head       HeadKind // what to build on the encoder
	KeepLayers int      // keep only the first KeepLayers encoder layers; 0 keeps all
	Seed       int64    // seeds a fresh cross-encoder head when the checkpoint has none
}

// defaultDropout is HF's hidden/attention dropout when config.json omits it.
const defaultDropout = 0.1

// FromCheckpoint builds a model from a loaded HF folder. A cross-encoder
// from an encoder-only checkpoint gets a fresh single-logit head drawn from
// N(0, 0.02) (a BERT checkpoint keeps its trained pooler). A bi-encoder
// pools as the folder's sentence-transformers config says, mean by default.
func FromCheckpoint(ck *hf.Checkpoint, opts Options) (*Model, error) {
	if ck == nil {
		return nil, fmt.Errorf("model: nil checkpoint")
	}
	cfg, weights := ck.Config, ck.Weights
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", ck.Dir, err)
	}
	if opts.KeepLayers < 0 {
		return nil, fmt.Errorf("model: checkpoint %s: KeepLayers %d is negative", ck.Dir, opts.KeepLayers)
	}
	if opts.KeepLayers > 0 && opts.KeepLayers != cfg.NumHiddenLayers {
		var err error
		if cfg, weights, err = hf.TruncateLayers(cfg, weights, opts.KeepLayers); err != nil {
			return nil, fmt.Errorf("model: checkpoint %s: %w", ck.Dir, err)
		}
	}
	if opts.Head == CrossEncoder && !ck.HasHead() {
		weights = hf.WithHead(cfg, weights, rand.New(rand.NewPCG(uint64(opts.Seed), 0x4ead)))
	}
	pooling := PoolMean
	if ck.Pooling == hf.PoolingCLS {
		pooling = PoolCLS
	}
	a, err := archFromConfig(cfg, weights, pooling)
	if err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", ck.Dir, err)
	}
	m, err := newModel(a, opts.Head, weights)
	if err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", ck.Dir, err)
	}
	m.cfg, m.tokenizerPath = cfg, ck.TokenizerPath
	return m, nil
}

// FromScratch builds a randomly initialised model (N(0, 0.02) matrices, unit
// LayerNorms, zero biases) for cfg; a cross-encoder gets one logit.
func FromScratch(cfg hf.Config, head HeadKind, seed int64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("model: from scratch: %w", err)
	}
	a, err := archFromConfig(cfg, nil, PoolMean)
	if err != nil {
		return nil, fmt.Errorf("model: from scratch: %w", err)
	}
	a.numLabels = 1
	m, err := newModel(a, head, randomWeights(a, head, seed))
	if err != nil {
		return nil, fmt.Errorf("model: from scratch: %w", err)
	}
	m.cfg = cfg
	return m, nil
}

// Config returns the HF config the model was built from (after truncation).
func (m *Model) Config() hf.Config { return m.cfg }

// TokenizerPath is the checkpoint's tokenizer.json, "" for FromScratch
// until SetTokenizerPath names the one its token IDs come from.
func (m *Model) TokenizerPath() string { return m.tokenizerPath }

// SetTokenizerPath names the tokenizer.json a from-scratch model is trained
// with, so Save writes a complete folder.
func (m *Model) SetTokenizerPath(path string) { m.tokenizerPath = path }

// Save writes the current weights as an HF folder loadable by transformers
// and by FromCheckpoint, copying the checkpoint's tokenizer when known.
func (m *Model) Save(dir string) error {
	w, err := m.Weights()
	if err != nil {
		return fmt.Errorf("model: save %s: %w", dir, err)
	}
	if err := hf.Save(dir, m.cfg, w, m.tokenizerPath); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

// archFromConfig reads the graph's shapes from cfg; numLabels comes from the
// classifier's output weight when weights hold one.
func archFromConfig(cfg hf.Config, weights map[string]safetensors.Tensor, pooling Pooling) (arch, error) {
	a := arch{
		xlmr:          cfg.IsXLMR(),
		vocab:         cfg.VocabSize,
		hidden:        cfg.HiddenSize,
		layers:        cfg.NumHiddenLayers,
		heads:         cfg.NumAttentionHeads,
		intermediate:  cfg.IntermediateSize,
		maxPositions:  cfg.MaxPositionEmbeddings,
		typeVocab:     cfg.TypeVocabSize,
		padID:         cfg.PadTokenID,
		eps:           cfg.LayerNormEps,
		numLabels:     cfg.NumLabels(),
		pooling:       pooling,
		hiddenDropout: defaultDropout,
		attnDropout:   defaultDropout,
	}
	for _, name := range []string{"classifier.weight", "classifier.out_proj.weight"} {
		if t, ok := weights[name]; ok && len(t.Shape) == 2 {
			a.numLabels = t.Shape[0]
		}
	}
	for key, dst := range map[string]*float64{
		"hidden_dropout_prob":          &a.hiddenDropout,
		"attention_probs_dropout_prob": &a.attnDropout,
	} {
		raw, ok := cfg.Extra[key]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil || *dst < 0 || *dst >= 1 {
			return arch{}, fmt.Errorf("config: %s = %s, want a number in [0, 1)", key, raw)
		}
	}
	return a, nil
}
