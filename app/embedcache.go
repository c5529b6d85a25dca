package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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

// cachedEmbedder embeds texts with a bi-encoder checkpoint, reading and
// filling the project's vector cache for that model and setting, so an
// interrupted run resumes and a changed text alone is embedded again.
type cachedEmbedder struct {
	emb    *model.Embedder
	tok    *tokenizer.Tokenizer
	cache  *retrieve.VectorCache
	maxLen int
	dim    int
}

// openEmbedder loads the bi-encoder of s and opens its vector cache; Close
// it when done.
func (p *Project) openEmbedder(s embedSpec) (*cachedEmbedder, error) {
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
	emb, err := model.NewEmbedder(m, b, prec)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return nil, err
	}
	fp := fmt.Sprintf("%s|%d|%d|%d|%d", dir, st.Size(), st.ModTime().UnixNano(), maxLen, s.Layers)
	if prec != model.F32 {
		fp += "|" + string(prec) // float32 caches keep their fingerprint
	}
	if err := os.MkdirAll(p.Path("embeddings"), 0o755); err != nil {
		return nil, err
	}
	precision, suffix := retrieve.Float32, ".vec"
	if s.Float16 {
		precision, suffix = retrieve.Float16, ".f16.vec"
	}
	cache, err := retrieve.OpenVectorCache(p.Path("embeddings", filepath.Base(dir)+suffix), fp, ck.Config.HiddenSize, precision)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(ck.TokenizerPath)
	if err != nil {
		cache.Close()
		return nil, err
	}
	return &cachedEmbedder{emb: emb, tok: tok, cache: cache, maxLen: maxLen, dim: ck.Config.HiddenSize}, nil
}

// Close releases the tokenizer and flushes and closes the cache.
func (e *cachedEmbedder) Close() error {
	e.tok.Close()
	return e.cache.Close()
}

// embed gives put every item's vector, from the cache or newly embedded in
// length-bucketed batches (flushed to the cache every 1,024 texts), and
// reports progress under step. A cancelled run keeps what it embedded.
func (e *cachedEmbedder) embed(ctx context.Context, items []embedItem, put func(i int, v []float32) error, step string, progress Progress) error {
	check := func(i int, v []float32) error {
		if len(v) != e.dim {
			return fmt.Errorf("embedding of %s has %d dimensions, the model %d", items[i].key, len(v), e.dim)
		}
		return put(i, v)
	}
	var todo []int
	for i, it := range items {
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
	done := len(items) - len(todo)
	const batch, chunkSize = 64, 64 * 16
	for start := 0; start < len(todo); start += chunkSize {
		chunk := todo[start:min(start+chunkSize, len(todo))]
		encs := make([]tokenizer.Encoding, len(chunk))
		for j, i := range chunk {
			encs[j] = e.tok.Encode(items[i].text, e.maxLen)
		}
		for _, idx := range tokenizer.Buckets(lengthsOf(encs), batch) {
			if err := ctx.Err(); err != nil {
				_ = e.cache.Flush()
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
				if err := e.cache.Put(items[i].key, retrieve.TextHash(items[i].text), out[j]); err != nil {
					return err
				}
			}
			done += len(idx)
			progress.emit(Event{Step: step, Phase: "embed", Done: int64(done), Total: int64(len(items))})
		}
		if err := e.cache.Flush(); err != nil {
			return err
		}
	}
	return nil
}
