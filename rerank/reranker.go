package rerank

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
)

// Reranker is an exported model loaded for serving: it renders pairs with
// the model's own precedent.json (the training-time pair text, ID mask
// included) and scores them. Encoding is safe for concurrent use and runs
// outside the model lock; Score serialises on the model.
type Reranker struct {
	rr       *Engine
	cfg      ServingConfig
	card     *ModelCard
	verified bool
	backend  string
	prec     string // precision, and why
	mask     func(string) string
	lift     bool

	mu     sync.Mutex // the model: one Score at a time; Close waits for it
	closed bool
}

// RerankerOptions configure LoadReranker; zero values take the defaults.
type RerankerOptions struct {
	// Runtime opens the backend: the one its main built (nil is
	// backend.Default(), for tests).
	Runtime   *backend.Runtime
	Backend   string // compute backend ("" = the runtime's default, normally the fastest available)
	Precision string // products: "" or "auto" (the backend's choice), "f32", "bf16"
	Batch     int    // pairs per forward pass (default 32)
	// LiftPlain renders plain-text pairs as tickets (LiftPlain) in the
	// model's pair format instead of passing the text through, so a model
	// trained on structured pairs sees its header, entities and shared
	// entities in plain strings too.
	LiftPlain bool
}

// ErrClosed is returned by Score after Close.
var ErrClosed = errors.New("reranker closed")

// LoadReranker loads a model folder in Hugging Face layout. An exported
// folder's manifest is verified first: a changed, truncated or missing file
// is refused, naming it (ErrManifest).
func LoadReranker(dir string, o RerankerOptions) (*Reranker, error) {
	verified, err := VerifyManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", filepath.Base(dir), err)
	}
	sc, err := ReadServingConfig(dir)
	if err != nil {
		return nil, err
	}
	f, err := sc.PairText()
	if err != nil {
		return nil, err
	}
	ck, err := hf.Load(dir)
	if err != nil {
		return nil, err
	}
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	if err != nil {
		return nil, err
	}
	b, info, err := o.Runtime.Backend(o.Backend)
	if err != nil {
		return nil, err
	}
	prec, precNote, err := InferencePrecision(o.Precision, info)
	if err != nil {
		return nil, err
	}
	rr, err := NewEngine(m, ck.TokenizerPath, b, f, sc.MaxLen, prec)
	if err != nil {
		return nil, err
	}
	if o.Batch > 0 {
		rr.batch = o.Batch
	}
	for p := 1; ; p *= 2 { // a power of two, so full batches are one of servingShape's shapes
		if p >= rr.batch {
			rr.batch = p
			break
		}
	}
	r := &Reranker{rr: rr, cfg: sc, verified: verified, backend: info.Name, prec: precNote, mask: f.Mask, lift: o.LiftPlain}
	if r.mask == nil {
		r.mask = func(s string) string { return s }
	}
	if c, ok, err := ReadModelCard(dir); err != nil {
		rr.Close()
		return nil, fmt.Errorf("model %s: %w", filepath.Base(dir), err)
	} else if ok {
		r.card = &c
	}
	return r, nil
}

// RenderPair is the pair text of (query, doc) in format f: the one place
// training, evaluation, serving and `precedent pairtext` turn tickets into
// model input.
func RenderPair(q, d data.Ticket, f pairtext.Format) (query, doc string) {
	return pairtext.QuerySide(q, f), pairtext.DocSide(q, d, f)
}

// Close waits for a Score in progress, then frees the tokenizer.
func (r *Reranker) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.rr.Close()
	}
}

// Pair is one query/candidate pair to score: tickets, or plain text when
// the ticket is nil.
type Pair struct {
	Query, Doc         *data.Ticket
	QueryText, DocText string
}

// Render is the exact text of both sides of the model input: tickets in
// the pair format through the same renderer as training (the query as it
// opened, the candidate as of the query's opening — see
// VisibilityAsOfQuery), plain text with only the ID mask applied. A
// plain-text query beside a ticket candidate is rendered as a ticket whose
// description it is. With RerankerOptions.LiftPlain, plain text on either
// side is read into a ticket (LiftPlain) and rendered in the pair format.
func (r *Reranker) Render(p Pair) (query, doc string) {
	switch {
	case p.Doc != nil:
		q := data.Ticket{Description: p.QueryText}
		if r.lift {
			q = LiftPlain(p.QueryText)
		}
		if p.Query != nil {
			q = *p.Query
		}
		return r.rr.Render(q, *p.Doc)
	case p.Query != nil && r.lift:
		return r.rr.Render(*p.Query, LiftPlain(p.DocText))
	case p.Query != nil:
		qs, _ := r.rr.Render(*p.Query, data.Ticket{})
		return qs, r.mask(p.DocText)
	case r.lift:
		return r.rr.Render(LiftPlain(p.QueryText), LiftPlain(p.DocText))
	default:
		return r.mask(p.QueryText), r.mask(p.DocText)
	}
}

// Encode tokenizes pairs with the model's template and token budget. It is
// safe for concurrent use and does not take the model lock.
func (r *Reranker) Encode(pairs []Pair) []tokenizer.Encoding {
	encs, _ := r.EncodeWith(pairs, EncodeOptions{})
	return encs
}

// EncodeOptions change what EncodeWith keeps of each pair; the zero value
// is Encode's behaviour.
type EncodeOptions struct {
	DocTokens  int  // cut each document side to this many tokens first (0: no cut), as Cohere's max_tokens_per_doc
	NoTruncate bool // refuse a pair over max_len (a *TooLongError) instead of truncating it, as TEI's truncate: false
}

// TooLongError is EncodeWith's refusal, under NoTruncate, of a pair that
// does not fit the model's input.
type TooLongError struct {
	Index  int // the first such pair
	MaxLen int // the model's input length in tokens, both sides and special tokens together
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("pair %d is longer than the model's %d-token input", e.Index, e.MaxLen)
}

// EncodeWith is Encode with options; safe for concurrent use.
func (r *Reranker) EncodeWith(pairs []Pair, o EncodeOptions) ([]tokenizer.Encoding, error) {
	encs := make([]tokenizer.Encoding, len(pairs))
	for i, p := range pairs {
		q, d := r.Render(p)
		var cut bool
		encs[i], cut = r.rr.tok.EncodePairLimited(q, d, r.rr.maxLen, o.DocTokens)
		if cut && o.NoTruncate {
			return nil, &TooLongError{Index: i, MaxLen: r.rr.maxLen}
		}
	}
	return encs, nil
}

// Score returns the raw logit of each encoding, in length-bucketed forward
// passes under the model lock. Batches are padded to a few fixed shapes
// (see servingShape) so a compiled backend compiles a handful of graphs
// once, whatever mix of request sizes arrives; padding rows and columns
// are masked and do not change any real row's score.
func (r *Reranker) Score(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	lengths := make([]int, len(encs))
	for i, e := range encs {
		lengths[i] = e.Len()
	}
	out := make([]float32, len(encs))
	for _, idx := range tokenizer.Buckets(lengths, r.rr.batch) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		longest := 0
		for _, i := range idx {
			longest = max(longest, lengths[i])
		}
		rows, length := servingShape(len(idx), longest, r.rr.batch, r.rr.maxLen)
		b := model.Batch{Rows: rows, Len: length, IDs: make([]int32, rows*length), TypeIDs: make([]int32, rows*length), Mask: make([]int32, rows*length)}
		pad := r.rr.tok.PadID()
		for row := range rows {
			at := row * length
			for j := at; j < at+length; j++ {
				b.IDs[j] = pad
			}
			if row >= len(idx) {
				b.Mask[at] = 1 // a filler row: one visible pad token, score discarded
				continue
			}
			e := encs[idx[row]]
			copy(b.IDs[at:], e.IDs)
			copy(b.TypeIDs[at:], e.TypeIDs)
			for j := at; j < at+e.Len(); j++ {
				b.Mask[j] = 1
			}
		}
		logits, err := r.rr.sc.Score(b)
		if err != nil {
			return nil, fmt.Errorf("score: %w", err)
		}
		for row, i := range idx {
			out[i] = logits[row]
		}
	}
	return out, nil
}

// servingShape is the padded shape of a batch of n encodings, the longest
// of length longest: rows a power of two up to batch, length the next of
// maxLen/4, maxLen/2 and maxLen — at most a few dozen shapes in all.
func servingShape(n, longest, batch, maxLen int) (rows, length int) {
	rows = 1
	for rows < n {
		rows *= 2
	}
	rows = min(rows, max(batch, n))
	length = maxLen
	for _, l := range []int{maxLen / 4, maxLen / 2} {
		if longest <= l {
			length = l
			break
		}
	}
	return rows, max(length, longest)
}

// Warmup compiles the largest serving shape (a full batch of maxLen tokens)
// before the first request.
func (r *Reranker) Warmup(ctx context.Context) error {
	enc := tokenizer.Encoding{IDs: make([]int32, r.rr.maxLen), TypeIDs: make([]int32, r.rr.maxLen)}
	for i := range enc.IDs {
		enc.IDs[i] = r.rr.tok.PadID()
	}
	encs := make([]tokenizer.Encoding, r.rr.batch)
	for i := range encs {
		encs[i] = enc
	}
	_, err := r.Score(ctx, encs)
	return err
}

// Tokens is the encoding of a pair as token IDs and type IDs.
func (r *Reranker) Tokens(p Pair) tokenizer.Encoding { return r.Encode([]Pair{p})[0] }

// RerankerInfo is what a server may tell its clients about the model: no
// paths, no internals.
type RerankerInfo struct {
	Run        string     `json:"run,omitempty"`
	PairFormat string     `json:"pair_format"`
	MaxLen     int        `json:"max_len"`
	IDMasked   bool       `json:"id_masked"`
	Verified   bool       `json:"manifest_verified"`
	Backend    string     `json:"backend"`   // the configuration name ("xla:cpu", "go"), no paths
	Precision  string     `json:"precision"` // the products' number format, and why
	Card       *ModelCard `json:"model_card,omitempty"`
}

// Info describes the loaded model.
func (r *Reranker) Info() RerankerInfo {
	return RerankerInfo{Run: r.cfg.Run, PairFormat: r.cfg.PairFormat, MaxLen: r.cfg.MaxLen,
		IDMasked: len(r.cfg.IDPresets)+len(r.cfg.IDPatterns) > 0, Verified: r.verified, Backend: r.backend, Precision: r.prec, Card: r.card}
}

// Evidence is why a candidate matches a query, beyond its score: the
// entities both tickets mention, the fields they share and how far apart
// they opened.
type Evidence struct {
	Shared     []string `json:"shared_entities,omitempty"` // "host ws-042", "ip 10.0.0.7"
	Terms      []string `json:"shared_terms,omitempty"`    // words both texts use, as the Evaluation panel's "why this match"
	SameFields []string `json:"same_fields,omitempty"`     // rule, host, user when equal
	TimeGap    string   `json:"time_gap,omitempty"`
}

// Explain is the evidence for (query, candidate), under the same visibility
// rule as the model input.
func (r *Reranker) Explain(q, d data.Ticket) Evidence {
	q, d = q.Opening(), d.AsOf(q.Opened)
	var e Evidence
	var stops pairtext.Stops
	if r.rr != nil {
		stops = pairtext.StopsOf(r.rr.format.StopEntities)
	}
	for _, s := range pairtext.Entities(d).Shared(pairtext.Entities(q)).Evidence(stops) {
		e.Shared = append(e.Shared, s.Kind.String()+" "+s.Value)
	}
	for _, f := range []struct{ name, a, b string }{{"rule", q.Rule, d.Rule}, {"host", q.Host, d.Host}, {"user", q.User, d.User}} {
		if f.a != "" && f.a == f.b {
			e.SameFields = append(e.SameFields, f.name)
		}
	}
	e.Terms = SharedTerms(q.QueryText(), d.DocumentText(), MaxSharedTerms)
	e.TimeGap = pairtext.TimeGap(q.Opened, d.Opened)
	return e
}

// ParseTicketText reads s as one JSON ticket object; ok is false for text
// that is not a JSON object with at least one ticket field, which is then
// plain text.
func ParseTicketText(s string) (data.Ticket, bool) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 || b[0] != '{' {
		return data.Ticket{}, false
	}
	var t data.Ticket
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return data.Ticket{}, false
	}
	if t.ID == "" && t.Title == "" && t.Description == "" && t.Rule == "" {
		return data.Ticket{}, false
	}
	return t, true
}
