package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/train"
)

// Engine workloads measured by timeEngine.
const (
	workloadTrain  = "train"  // cross-encoder training steps (AdamW included): rows are pairs
	workloadRerank = "rerank" // cross-encoder scoring of one query's candidates: rows are candidates
	workloadEmbed  = "embed"  // bi-encoder embedding: rows are texts
)

// miniLMShape is all-MiniLM-L6-v2's encoder shape: 6 layers, hidden 384,
// 12 heads, FFN 1536, BERT vocabulary.
func miniLMShape() hf.Config {
	return hf.Config{ModelType: hf.ModelTypeBERT, VocabSize: 30522, HiddenSize: 384, NumHiddenLayers: 6,
		NumAttentionHeads: 12, IntermediateSize: 1536, HiddenAct: "gelu", MaxPositionEmbeddings: 512,
		TypeVocabSize: 2, LayerNormEps: 1e-12}
}

// engineSpec sizes one engine measurement: the encoder shape (its
// NumHiddenLayers included), the rows and tokens per call, and how long to
// time after the warm-up call.
type engineSpec struct {
	Workload string
	Runtime  *backend.Runtime // opens Backend (nil is backend.Default())
	Backend  string           // as for Runtime.Backend(name)
	// Precision of rerank and embed products (training steps are float32).
	Precision model.Precision
	Shape     hf.Config // random N(0, 0.02) weights of this shape
	Rows      int
	SeqLen    int
	MinTime   time.Duration // keep timing until this much has passed…
	MaxIters  int           // …or this many calls ran (at least one)
	// MaxWarmup bounds the cost of a slow backend: when the warm-up call
	// alone takes longer, it is reported as the one timed call (compilation
	// included, see engineTiming.WarmupIncluded). 0 never does this.
	MaxWarmup time.Duration
	// MeasureRows, when between 1 and Rows, runs rerank and embed calls of
	// this many rows and scales their time by the padded row counts (the
	// work per row is the same): for backends too slow for the full batch.
	MeasureRows int
}

// engineTiming is what timeEngine measured; the warm-up call (graph
// compilation included) is reported apart and excluded from Seconds.
type engineTiming struct {
	Backend       string  `json:"backend"`
	Description   string  `json:"description"`
	Iters         int     `json:"iters"`
	Seconds       float64 `json:"seconds"`
	WarmupSeconds float64 `json:"warmup_seconds"`
	Rows          int     `json:"rows"`
	MeasuredRows  int     `json:"measured_rows"` // rows actually run per call; Seconds is scaled to Rows
	// WarmupIncluded is set when the warm-up call exceeded MaxWarmup and is
	// the measurement: an upper bound, since it includes compilation.
	WarmupIncluded bool `json:"warmup_included"`
}

// PerIter is the mean seconds of one timed call.
func (t engineTiming) PerIter() float64 { return t.Seconds / float64(max(t.Iters, 1)) }

// timeEngine times one workload of the GoMLX engine on random weights and
// random token IDs (every token real, no padding) through the same code
// paths as the pipeline: model.Scorer, model.Embedder and train.Train.
func timeEngine(ctx context.Context, b engineSpec) (engineTiming, error) {
	if b.Rows <= 0 || b.SeqLen <= 0 || b.MaxIters <= 0 {
		return engineTiming{}, fmt.Errorf("bench %s: rows %d, seq len %d, max iters %d must be > 0", b.Workload, b.Rows, b.SeqLen, b.MaxIters)
	}
	be, info, err := b.Runtime.Backend(b.Backend)
	if err != nil {
		return engineTiming{}, fmt.Errorf("bench %s: %w", b.Workload, err)
	}
	head := model.CrossEncoder
	if b.Workload == workloadEmbed {
		head = model.BiEncoder
	}
	m, err := model.FromScratch(b.Shape, head, 1)
	if err != nil {
		return engineTiming{}, fmt.Errorf("bench %s: %w", b.Workload, err)
	}
	t := engineTiming{Backend: info.Name, Description: info.Description, Rows: b.Rows, MeasuredRows: b.Rows}
	scale := 1.0
	if b.Workload != workloadTrain && b.MeasureRows > 0 && b.MeasureRows < b.Rows {
		t.MeasuredRows = b.MeasureRows
		scale = float64(model.PadBatch(model.Batch{Rows: b.Rows}, 1, 0).Rows) / float64(model.PadBatch(model.Batch{Rows: b.MeasureRows}, 1, 0).Rows)
	}
	batch := benchBatch(b.Shape.VocabSize, t.MeasuredRows, b.SeqLen, head == model.CrossEncoder)
	var call func() error
	switch b.Workload {
	case workloadRerank:
		sc, err := model.NewScorer(m, be, b.Precision)
		if err != nil {
			return t, fmt.Errorf("bench rerank: %w", err)
		}
		call = func() error { _, err := sc.Score(batch); return err }
	case workloadEmbed:
		em, err := model.NewEmbedder(m, be, b.Precision)
		if err != nil {
			return t, fmt.Errorf("bench embed: %w", err)
		}
		call = func() error { _, err := em.Embed(batch); return err }
	case workloadTrain:
		return benchTrain(ctx, b, m, batch, t)
	default:
		return t, fmt.Errorf("bench: unknown workload %q (%s, %s, %s)", b.Workload, workloadTrain, workloadRerank, workloadEmbed)
	}
	start := time.Now()
	if err := call(); err != nil {
		return t, fmt.Errorf("bench %s warm-up: %w", b.Workload, err)
	}
	t.WarmupSeconds = time.Since(start).Seconds()
	if b.MaxWarmup > 0 && t.WarmupSeconds > b.MaxWarmup.Seconds() {
		t.Iters, t.Seconds, t.WarmupIncluded = 1, t.WarmupSeconds*scale, true
		return t, nil
	}
	start = time.Now()
	for t.Iters < b.MaxIters && (t.Iters == 0 || time.Since(start) < b.MinTime) {
		if err := ctx.Err(); err != nil {
			return t, err
		}
		if err := call(); err != nil {
			return t, fmt.Errorf("bench %s call %d: %w", b.Workload, t.Iters+1, err)
		}
		t.Iters++
	}
	t.Seconds = time.Since(start).Seconds() * scale
	return t, nil
}

// benchTrain runs train.Train on one repeated batch (default fine-tuning
// config: dropout, BCE, clipping, AdamW) and times the steps after the first.
func benchTrain(ctx context.Context, b engineSpec, m *model.Model, batch model.Batch, t engineTiming) (engineTiming, error) {
	be, _, err := b.Runtime.Backend(b.Backend)
	if err != nil {
		return t, err
	}
	cfg := train.DefaultConfig()
	cfg.BatchSize = b.Rows
	cfg.MaxSteps = b.MaxIters + 1
	set := &benchSet{batch: batch, n: b.Rows * cfg.MaxSteps}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var first time.Time
	_, err = train.Train(runCtx, be, m, set, cfg, nil, func(e train.Event) {
		if e.Phase != train.PhaseTrain {
			return
		}
		now := time.Now()
		if e.Step == 1 {
			first = now
			t.WarmupSeconds = now.Sub(start).Seconds()
			if b.MaxWarmup > 0 && now.Sub(start) > b.MaxWarmup {
				t.Iters, t.Seconds, t.WarmupIncluded = 1, t.WarmupSeconds, true
				cancel()
			}
			return
		}
		t.Iters = e.Step - 1
		t.Seconds = now.Sub(first).Seconds()
		if now.Sub(first) >= b.MinTime {
			cancel() // enough timed steps: Train stops before the next one
		}
	})
	if err := ctx.Err(); err != nil {
		return t, err
	}
	if err != nil {
		return t, fmt.Errorf("bench train: %w", err)
	}
	if t.Iters == 0 {
		return t, fmt.Errorf("bench train: no step ran after the warm-up")
	}
	return t, nil
}

// benchSet serves the same batch for every index set: shapes, not data, set the speed.
type benchSet struct {
	batch model.Batch
	n     int
}

func (s *benchSet) Len() int { return s.n }

func (s *benchSet) Batch(indices []int) (model.Batch, []float32, error) {
	rows := min(len(indices), s.batch.Rows)
	b := model.Batch{Rows: rows, Len: s.batch.Len,
		IDs:     s.batch.IDs[:rows*s.batch.Len],
		TypeIDs: s.batch.TypeIDs[:rows*s.batch.Len],
		Mask:    s.batch.Mask[:rows*s.batch.Len]}
	labels := make([]float32, rows)
	for i := 0; i < rows; i += 4 {
		labels[i] = 1 // one positive per three negatives
	}
	return b, labels, nil
}

// benchBatch draws random token IDs; a pair's second half has type 1.
func benchBatch(vocab, rows, seqLen int, pair bool) model.Batch {
	rng := rand.New(rand.NewPCG(1, 2))
	b := model.Batch{Rows: rows, Len: seqLen, IDs: make([]int32, rows*seqLen), TypeIDs: make([]int32, rows*seqLen), Mask: make([]int32, rows*seqLen)}
	lo := min(1000, vocab/2)
	for i := range b.IDs {
		b.IDs[i] = int32(lo + rng.IntN(vocab-lo))
		b.Mask[i] = 1
		if pair && i%seqLen >= seqLen/2 {
			b.TypeIDs[i] = 1
		}
	}
	return b
}
