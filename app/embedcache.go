package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/retrieve"
	"github.com/precedent/precedent/ml/tokenizer"
)

// embedSpec says which bi-encoder embeds tickets, and how.
type embedSpec struct {
	Model   string // folder or name ("" = the project's bi-encoder, else DefaultModel)
	MaxLen  int    // tokens per text (0 = embedMaxLen)
	Layers  int    // encoder layers kept (0 = all)
	Float16 bool   // cache half floats
}

// embedItem is one text to embed under a cache key ("d:ID", "q:ID").
type embedItem struct{ key, text string }

// embedder embeds texts with a bi-encoder. One opened by openEmbedder
// reads and fills the project's vector cache for that model and setting,
// so an interrupted run resumes and a changed text alone is embedded
// again; one made by newEmbedder (training, whose weights change between
// validations) has no cache.
type embedder struct {
	emb    *model.Embedder
	tok    *tokenizer.Tokenizer
	cache  *retrieve.VectorCache // nil: none
	maxLen int
	batch  int // texts per forward pass
	dim    int
}

// newEmbedder embeds with m's current weights on b at precision prec, cut
// to maxLen tokens (at most the model's), without a cache; Close it when
// done.
func newEmbedder(m *model.Model, tokPath string, b compute.Backend, maxLen int, prec model.Precision) (*embedder, error) {
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return nil, err
	}
	emb, err := model.NewEmbedder(m, b, prec)
	if err != nil {
		tok.Close()
		return nil, err
	}
	return &embedder{emb: emb, tok: tok, maxLen: min(maxLen, m.MaxLen()), batch: 32, dim: m.Config().HiddenSize}, nil
}

// openEmbedder loads the bi-encoder of s and opens its vector cache; Close
// it when done.
func (p *Project) openEmbedder(s embedSpec) (*embedder, error) {
	settings := p.SettingsSnapshot()
	dir, err := p.ResolveModel(pick(s.Model, settings.BiEncoder, DefaultModel))
	if err != nil {
		return nil, err
	}
	ck, err := hf.Load(dir)
	if err != nil {
		return nil, err
	}
	maxLen := s.MaxLen
	if maxLen <= 0 {
		maxLen = embedMaxLen
	}
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.BiEncoder, KeepLayers: s.Layers})
	if err != nil {
		return nil, err
	}
	b, info, err := p.backend(pick("", settings.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return nil, err
	}
	prec, _, err := inferencePrecision(pick("", settings.Precision, defaultPrecision), info)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return nil, err
	}
	e, err := newEmbedder(m, ck.TokenizerPath, b, maxLen, prec)
	if err != nil {
		return nil, err
	}
	e.batch = 64
	fp := fmt.Sprintf("%s|%d|%d|%d|%d", dir, st.Size(), st.ModTime().UnixNano(), e.maxLen, s.Layers)
	if prec != model.F32 {
		fp += "|" + string(prec) // float32 caches keep their fingerprint
	}
	if err := os.MkdirAll(p.Path("embeddings"), 0o755); err != nil {
		e.Close()
		return nil, err
	}
	precision, suffix := retrieve.Float32, ".vec"
	if s.Float16 {
		precision, suffix = retrieve.Float16, ".f16.vec"
	}
	if e.cache, err = retrieve.OpenVectorCache(p.Path("embeddings", filepath.Base(dir)+suffix), fp, e.dim, precision); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the tokenizer and flushes and closes the cache.
func (e *embedder) Close() error {
	e.tok.Close()
	if e.cache == nil {
		return nil
	}
	return e.cache.Close()
}

// embed gives put every item's vector, from the cache or newly embedded in
// length-bucketed batches (flushed to the cache every 1,024 texts), and
// reports the items done out of all of them after each batch (progress
// may be nil). A cancelled run keeps what it embedded.
func (e *embedder) embed(ctx context.Context, items []embedItem, put func(i int, v []float32) error, progress func(done, total int)) error {
	check := func(i int, v []float32) error {
		if len(v) != e.dim {
			return fmt.Errorf("embedding of %s has %d dimensions, the model %d", items[i].key, len(v), e.dim)
		}
		return put(i, v)
	}
	var todo []int
	for i, it := range items {
		if e.cache == nil {
			todo = append(todo, i)
			continue
		}
		v, ok, err := e.cache.Get(it.key, retrieve.TextHash(it.text))
		if err != nil {
			return err
		}
		if !ok {
			todo = append(todo, i)
			continue
		}
		if err := check(i, v); err != nil {
			return err
		}
	}
	flush := func() error {
		if e.cache == nil {
			return nil
		}
		return e.cache.Flush()
	}
	done := len(items) - len(todo)
	const chunkSize = 64 * 16
	for start := 0; start < len(todo); start += chunkSize {
		chunk := todo[start:min(start+chunkSize, len(todo))]
		encs := make([]tokenizer.Encoding, len(chunk))
		for j, i := range chunk {
			encs[j] = e.tok.Encode(items[i].text, e.maxLen)
		}
		for _, idx := range tokenizer.Buckets(lengthsOf(encs), e.batch) {
			if err := ctx.Err(); err != nil {
				_ = flush()
				return err
			}
			out, err := e.emb.Embed(model.TokenBatch(e.tok.PadPicked(encs, idx)))
			if err != nil {
				return fmt.Errorf("embed: %w", err)
			}
			for j, k := range idx {
				i := chunk[k]
				if err := check(i, out[j]); err != nil {
					return err
				}
				if e.cache != nil {
					if err := e.cache.Put(items[i].key, retrieve.TextHash(items[i].text), out[j]); err != nil {
						return err
					}
				}
			}
			done += len(idx)
			if progress != nil {
				progress(done, len(items))
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// embedProgress reports embedding progress as events of step.
func embedProgress(step string, progress Progress) func(done, total int) {
	return func(done, total int) {
		progress.emit(Event{Step: step, Phase: "embed", Done: int64(done), Total: int64(total)})
	}
}
