package bench

import (
	"github.com/precedent/precedent/ml/hf"
)

// Sizes are the workload sizes of one bench run.
type Sizes struct {
	Tickets       int       `json:"tickets"`
	DenseDocs     int       `json:"dense_docs"`
	DenseQueries  int       `json:"dense_queries"`
	DenseMeasured int       `json:"dense_measured_queries"`
	DenseDim      int       `json:"dense_dim"`
	Shape         hf.Config `json:"-"`
	Encoder       string    `json:"encoder"` // Shape, in words
	TrainLayers   int       `json:"train_layers"`
	TrainRows     int       `json:"train_rows"`
	RerankRows    int       `json:"rerank_rows"`
	EmbedRows     int       `json:"embed_rows"`
	SeqLen        int       `json:"seq_len"`
	MinTime       float64   `json:"min_time_s"`
	MaxIters      int       `json:"max_iters"`
	MaxWarmup     float64   `json:"max_warmup_s"` // a slower first GoMLX call is the measurement
	// The user-facing rows: the desktop cold start (fresh processes on a
	// project of ColdStartTickets) and evaluation on an EvalTickets archive
	// after an EvalSteps-step training.
	ColdStartTickets int `json:"coldstart_tickets"`
	ColdStartRuns    int `json:"coldstart_runs"`
	EvalTickets      int `json:"eval_tickets"`
	EvalSteps        int `json:"eval_train_steps"`
}

// FullSizes are the sizes the targets are stated for.
func FullSizes() Sizes {
	return Sizes{Tickets: 140_000, DenseDocs: 140_000, DenseQueries: 20_000, DenseMeasured: 2_000, DenseDim: 384,
		Shape: miniLMShape(), TrainLayers: 2, TrainRows: 16, RerankRows: 50, EmbedRows: 64, SeqLen: 128,
		MinTime: 3, MaxIters: 5, MaxWarmup: 20,
		ColdStartTickets: 140_000, ColdStartRuns: 5, EvalTickets: 20_000, EvalSteps: 20}
}

// QuickSizes is a smoke test: tiny archive, tiny encoder, one timed call.
func QuickSizes() Sizes {
	shape := miniLMShape()
	shape.VocabSize, shape.HiddenSize, shape.NumHiddenLayers, shape.NumAttentionHeads, shape.IntermediateSize = 1000, 32, 2, 2, 64
	return Sizes{Tickets: 1_000, DenseDocs: 4_000, DenseQueries: 400, DenseMeasured: 100, DenseDim: 384,
		Shape: shape, TrainLayers: 1, TrainRows: 4, RerankRows: 5, EmbedRows: 4, SeqLen: 16, MinTime: 0, MaxIters: 1,
		ColdStartTickets: 1_000, ColdStartRuns: 1, EvalTickets: 1_000, EvalSteps: 2}
}
