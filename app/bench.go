package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/retrieve"
	"github.com/precedent/precedent/ml/train"
)

// Engine workloads measured by BenchEngine.
const (
	WorkloadTrain  = "train"  // cross-encoder training steps (AdamW included): rows are pairs
	WorkloadRerank = "rerank" // cross-encoder scoring of one query's candidates: rows are candidates
	WorkloadEmbed  = "embed"  // bi-encoder embedding: rows are texts
)

// MiniLMShape is all-MiniLM-L6-v2's encoder shape: 6 layers, hidden 384,
// 12 heads, FFN 1536, BERT vocabulary.
func MiniLMShape() hf.Config {
	return hf.Config{ModelType: hf.ModelTypeBERT, VocabSize: 30522, HiddenSize: 384, NumHiddenLayers: 6,
		NumAttentionHeads: 12, IntermediateSize: 1536, HiddenAct: "gelu", MaxPositionEmbeddings: 512,
		TypeVocabSize: 2, LayerNormEps: 1e-12}
}

// EngineBench sizes one engine measurement: the encoder shape (its
// NumHiddenLayers included), the rows and tokens per call, and how long to
// time after the warm-up call.
type EngineBench struct {
	Workload string
	Backend  string    // as for Backend(name)
	Shape    hf.Config // random N(0, 0.02) weights of this shape
	Rows     int
	SeqLen   int
	MinTime  time.Duration // keep timing until this much has passed…
	MaxIters int           // …or this many calls ran (at least one)
	// MaxWarmup bounds the cost of a slow backend: when the warm-up call
	// alone takes longer, it is reported as the one timed call (compilation
	// included, see EngineTiming.WarmupIncluded). 0 never does this.
	MaxWarmup time.Duration
	// MeasureRows, when between 1 and Rows, runs rerank and embed calls of
	// this many rows and scales their time by the padded row counts (the
	// work per row is the same): for backends too slow for the full batch.
	MeasureRows int
}

// EngineTiming is what BenchEngine measured; the warm-up call (graph
// compilation included) is reported apart and excluded from Seconds.
type EngineTiming struct {
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
func (t EngineTiming) PerIter() float64 { return t.Seconds / float64(max(t.Iters, 1)) }

// BenchEngine times one workload of the GoMLX engine on random weights and
// random token IDs (every token real, no padding) through the same code
// paths as the pipeline: model.Scorer, model.Embedder and train.Train.
func BenchEngine(ctx context.Context, b EngineBench) (EngineTiming, error) {
	if b.Rows <= 0 || b.SeqLen <= 0 || b.MaxIters <= 0 {
		return EngineTiming{}, fmt.Errorf("bench %s: rows %d, seq len %d, max iters %d must be > 0", b.Workload, b.Rows, b.SeqLen, b.MaxIters)
	}
	be, info, err := Backend(b.Backend)
	if err != nil {
		return EngineTiming{}, fmt.Errorf("bench %s: %w", b.Workload, err)
	}
	head := model.CrossEncoder
	if b.Workload == WorkloadEmbed {
		head = model.BiEncoder
	}
	m, err := model.FromScratch(b.Shape, head, 1)
	if err != nil {
		return EngineTiming{}, fmt.Errorf("bench %s: %w", b.Workload, err)
	}
	t := EngineTiming{Backend: info.Name, Description: info.Description, Rows: b.Rows, MeasuredRows: b.Rows}
	scale := 1.0
	if b.Workload != WorkloadTrain && b.MeasureRows > 0 && b.MeasureRows < b.Rows {
		t.MeasuredRows = b.MeasureRows
		scale = float64(model.PadBatch(model.Batch{Rows: b.Rows}, 1, 0).Rows) / float64(model.PadBatch(model.Batch{Rows: b.MeasureRows}, 1, 0).Rows)
	}
	batch := benchBatch(b.Shape.VocabSize, t.MeasuredRows, b.SeqLen, head == model.CrossEncoder)
	var call func() error
	switch b.Workload {
	case WorkloadRerank:
		sc, err := model.NewScorer(m, be)
		if err != nil {
			return t, fmt.Errorf("bench rerank: %w", err)
		}
		call = func() error { _, err := sc.Score(batch); return err }
	case WorkloadEmbed:
		em, err := model.NewEmbedder(m, be)
		if err != nil {
			return t, fmt.Errorf("bench embed: %w", err)
		}
		call = func() error { _, err := em.Embed(batch); return err }
	case WorkloadTrain:
		return benchTrain(ctx, b, m, batch, t)
	default:
		return t, fmt.Errorf("bench: unknown workload %q (%s, %s, %s)", b.Workload, WorkloadTrain, WorkloadRerank, WorkloadEmbed)
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
func benchTrain(ctx context.Context, b EngineBench, m *model.Model, batch model.Batch, t EngineTiming) (EngineTiming, error) {
	be, _, err := Backend(b.Backend)
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

// FirstStageTiming splits the BM25 first stage into index build and search.
type FirstStageTiming struct {
	Docs          int     `json:"docs"`
	Queries       int     `json:"queries"`
	K             int     `json:"k"`
	BuildSeconds  float64 `json:"build_seconds"`
	SearchSeconds float64 `json:"search_seconds"`
}

// BenchFirstStage builds the project's BM25 index and retrieves the time-
// aware top-k of every mined query, as FirstStage does, without storing
// the lists; loading the tickets is not timed.
func (p *Project) BenchFirstStage(ctx context.Context, k int) (FirstStageTiming, error) {
	a, queries, _, _, _, err := p.firstStageQueries()
	if err != nil {
		return FirstStageTiming{}, err
	}
	res := FirstStageTiming{Docs: len(a.Tickets), Queries: len(queries), K: k}
	start := time.Now()
	ix, err := retrieve.NewBM25(bm25Docs(a.Tickets), retrieve.BM25Params{})
	if err != nil {
		return res, fmt.Errorf("bench first stage: %w", err)
	}
	res.BuildSeconds = time.Since(start).Seconds()
	start = time.Now()
	if _, err := ix.SearchBatch(ctx, queries, k, nil); err != nil {
		return res, fmt.Errorf("bench first stage: %w", err)
	}
	res.SearchSeconds = time.Since(start).Seconds()
	return res, nil
}

// DenseTiming is an exact dense top-k measurement, extrapolated linearly
// from the queries actually run to the queries asked for.
type DenseTiming struct {
	Docs             int     `json:"docs"`
	Dim              int     `json:"dim"`
	K                int     `json:"k"`
	Queries          int     `json:"queries"`          // asked for
	Measured         int     `json:"measured_queries"` // actually run
	BuildSeconds     float64 `json:"build_seconds"`
	MeasuredSeconds  float64 `json:"measured_seconds"`
	EstimatedSeconds float64 `json:"estimated_seconds"` // MeasuredSeconds × Queries / Measured
}

// BenchDense indexes docs random unit vectors of dim dimensions and runs
// measured of queries random queries, top-k each, with no time limit (every
// query scans every document: the worst case).
func BenchDense(ctx context.Context, docs, queries, measured, dim, k int) (DenseTiming, error) {
	measured = min(max(measured, 1), queries)
	res := DenseTiming{Docs: docs, Dim: dim, K: k, Queries: queries, Measured: measured}
	rng := rand.New(rand.NewPCG(3, 4))
	m := retrieve.Matrix{Rows: docs, Dim: dim, Data: make([]float32, docs*dim)}
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	ids := make([]string, docs)
	opened := make([]time.Time, docs)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ids {
		ids[i] = fmt.Sprintf("INC%07d", i)
		opened[i] = t0.Add(time.Duration(i) * time.Minute)
	}
	start := time.Now()
	ix, err := retrieve.NewDense(ids, opened, m, retrieve.DenseOptions{})
	if err != nil {
		return res, fmt.Errorf("bench dense: %w", err)
	}
	res.BuildSeconds = time.Since(start).Seconds()
	qs := make([]retrieve.Query, measured)
	for i := range qs {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		qs[i] = retrieve.Query{ID: fmt.Sprintf("Q%d", i), Vector: v}
	}
	start = time.Now()
	if _, err := ix.SearchBatch(ctx, qs, k, nil); err != nil {
		return res, fmt.Errorf("bench dense: %w", err)
	}
	res.MeasuredSeconds = time.Since(start).Seconds()
	res.EstimatedSeconds = res.MeasuredSeconds * float64(queries) / float64(measured)
	return res, nil
}
