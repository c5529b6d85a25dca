package rerank

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
)

// PairEncoder turns (query, candidate) tickets into model input: the pair
// text format, the tokenizer and the token budget. It is safe for
// concurrent use; it does not own the tokenizer.
type PairEncoder struct {
	tok    *tokenizer.Tokenizer
	format pairtext.Format
	maxLen int
}

// NewPairEncoder encodes pairs with tok in format f, cut to maxLen tokens.
func NewPairEncoder(tok *tokenizer.Tokenizer, f pairtext.Format, maxLen int) *PairEncoder {
	return &PairEncoder{tok: tok, format: f, maxLen: maxLen}
}

// Format is the pair text format pairs are rendered in.
func (e *PairEncoder) Format() pairtext.Format { return e.format }

// MaxLen is the token budget of a pair, both sides and special tokens.
func (e *PairEncoder) MaxLen() int { return e.maxLen }

// PadID is the tokenizer's padding token.
func (e *PairEncoder) PadID() int32 { return e.tok.PadID() }

// Render is the pair text of (query, doc) in the format (RenderPair).
func (e *PairEncoder) Render(q, d data.Ticket) (query, doc string) {
	return RenderPair(q, d, e.format)
}

// RenderPlain is the pair text of (query, doc) sent as plain strings, as
// serving renders a plain-text pair (RenderPlainPair).
func (e *PairEncoder) RenderPlain(q, d data.Ticket) (query, doc string) {
	return RenderPlainPair(q, d, e.format)
}

// EncodeTickets tokenizes (query, doc) pairs on every core: pairs[i] is
// rendered as plain strings (RenderPlain) where plain[i] is true, in the
// format (Render) otherwise; plain nil means none is plain.
func (e *PairEncoder) EncodeTickets(pairs [][2]data.Ticket, plain []bool) []tokenizer.Encoding {
	encs := make([]tokenizer.Encoding, len(pairs))
	workers := min(runtime.NumCPU(), max(1, len(pairs)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(pairs); i += workers {
				render := e.Render
				if plain != nil && plain[i] {
					render = e.RenderPlain
				}
				qs, ds := render(pairs[i][0], pairs[i][1])
				encs[i] = e.tok.EncodePair(qs, ds, e.maxLen)
			}
		}()
	}
	wg.Wait()
	return encs
}

// Engine is a cross-encoder ready to score: its model and scorer on one
// backend at one precision, and the PairEncoder that renders its input.
// Training, evaluation, monitoring (in app) and serving (Reranker) all
// score through it. ScoreEncodings is not safe for concurrent use.
type Engine struct {
	*PairEncoder
	m     *model.Model
	sc    *model.Scorer
	batch int // pairs per forward pass
	prec  model.Precision
}

// NewEngine scores with m on b at precision prec, rendering pairs in
// format and cutting them to maxLen tokens with the tokenizer at tokPath,
// which the engine owns until Close.
func NewEngine(m *model.Model, tokPath string, b compute.Backend, format pairtext.Format, maxLen int, prec model.Precision) (*Engine, error) {
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return nil, err
	}
	sc, err := model.NewScorer(m, b, prec)
	if err != nil {
		tok.Close()
		return nil, err
	}
	return &Engine{PairEncoder: NewPairEncoder(tok, format, maxLen), m: m, sc: sc, batch: 32, prec: prec}, nil
}

// Close frees the tokenizer; engines made from this one by WithFormat stop
// working with it.
func (e *Engine) Close() { e.tok.Close() }

// Precision is the number format the engine scores in.
func (e *Engine) Precision() model.Precision { return e.prec }

// WithFormat is the engine rendering pairs in f instead: the same model,
// scorer and tokenizer (close only the original).
func (e *Engine) WithFormat(f pairtext.Format) *Engine {
	c := *e
	c.PairEncoder = NewPairEncoder(e.tok, f, e.maxLen)
	return &c
}

// WithBatch is the engine scoring n pairs per forward pass instead of 32:
// the same model, scorer and tokenizer (close only the original). A
// forward pass's scratch grows with its pairs, so a smaller batch holds
// less memory at a small cost in speed.
func (e *Engine) WithBatch(n int) *Engine {
	c := *e
	c.batch = max(1, n)
	return &c
}

// batchCost is the relative compute of a [rows, length] batch: linear
// layers grow with tokens, attention with tokens × length. The weight of
// the second term is fitted to XLA CPU timings of MiniLM layers (per-row
// time from 16 to 128 tokens grows 9.6× in bf16, 19× in f32, not 8×).
func batchCost(rows, length, hidden int) float64 {
	return float64(rows) * float64(length) * float64(3*hidden/2+length)
}

// runOrder spreads length-bucketed batches so that every stretch of the
// run mixes short and long ones (a fixed permutation, the same every run):
// shortest first, the first tenth of the pairs took a twentieth of the
// time and the ETA shown then was far too short.
func runOrder(n int) []int {
	return rand.New(rand.NewPCG(uint64(n), 0x5eed)).Perm(n)
}

// ScoreEncodings scores encodings in length-bucketed batches; result i is
// the logit of encs[i]. progress (may be nil) gets pairs done and the
// estimated share of the computation done (0 to 1), which ETAs are
// computed from.
func (e *Engine) ScoreEncodings(ctx context.Context, encs []tokenizer.Encoding, progress func(done int, work float64)) ([]float32, error) {
	lengths := make([]int, len(encs))
	for i, enc := range encs {
		lengths[i] = enc.Len()
	}
	out := make([]float32, len(encs))
	done := 0
	batches := tokenizer.Buckets(lengths, e.batch)
	hidden := e.m.Config().HiddenSize
	cost := func(idx []int) float64 {
		longest := 0
		for _, i := range idx {
			longest = max(longest, lengths[i])
		}
		return batchCost(len(idx), longest, hidden)
	}
	total, spent := 0.0, 0.0
	for _, idx := range batches {
		total += cost(idx)
	}
	for _, bi := range runOrder(len(batches)) {
		idx := batches[bi]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		logits, err := e.sc.Score(model.TokenBatch(e.tok.PadPicked(encs, idx)))
		if err != nil {
			return nil, fmt.Errorf("score: %w", err)
		}
		for j, i := range idx {
			out[i] = logits[j]
		}
		done += len(idx)
		spent += cost(idx)
		if progress != nil {
			progress(done, spent/max(total, 1))
		}
	}
	return out, nil
}
