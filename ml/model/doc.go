// Package model builds BERT and XLM-RoBERTa encoders as GoMLX graphs, with a
// cross-encoder head (one relevance logit per query–document pair) or a
// bi-encoder head (mean or [CLS] pooling, L2-normalised), and runs them on a
// compute backend (see package ml/backend).
//
// The API, stable for other packages:
//
//	type Batch struct{ IDs, TypeIDs, Mask []int32; Rows, Len int } // row-major [Rows, Len]
//	type HeadKind int // CrossEncoder, BiEncoder
//	type Pooling int  // PoolMean, PoolCLS (a bi-encoder folder's 1_Pooling decides)
//	type Options struct{ Head HeadKind; KeepLayers int; Seed int64 }
//
//	func FromCheckpoint(ck *hf.Checkpoint, opts Options) (*Model, error)
//	func FromScratch(cfg hf.Config, head HeadKind, seed int64) (*Model, error)
//	func (m *Model) Config() hf.Config
//	func (m *Model) Head() HeadKind
//	func (m *Model) MaxLen() int                          // longest sequence the positions allow
//	func (m *Model) TokenizerPath() string
//	func (m *Model) Store() *gomlx/ml/model.Store          // the trainable variables
//	func (m *Model) Weights() (map[string]safetensors.Tensor, error) // current values, HF canonical names
//	func (m *Model) Save(dir string) error                // hf.Save with the checkpoint's tokenizer
//
//	func (m *Model) LogitsGraph(scope *model.Scope, ids, typeIDs, mask *graph.Node) *graph.Node
//	func (m *Model) EmbeddingsGraph(scope *model.Scope, ids, typeIDs, mask *graph.Node) *graph.Node
//	func (m *Model) ModelFn(scope *model.Scope, spec any, inputs []*graph.Node) []*graph.Node // train.ModelFn
//	func TokenBatch(tb tokenizer.Batch) Batch                // the model input of a tokenizer batch
//	func PadBatch(b Batch, lenMultiple int, padID int32) Batch
//	func PaddedShape(rows, length, maxLen int) (int, int)   // the shape Score/Embed run a batch at
//
//	type Precision string // F32, BF16: what inference graphs multiply in
//	func ParsePrecision(s string) (Precision, error)
//	func NewScorer(m *Model, backend compute.Backend, p Precision) (*Scorer, error)
//	func (s *Scorer) Score(b Batch) ([]float32, error)       // one logit per row
//	func NewEmbedder(m *Model, backend compute.Backend, p Precision) (*Embedder, error)
//	func (e *Embedder) Embed(b Batch) ([][]float32, error)   // one unit vector per row
//
//	// For graphs built outside GoMLX (ml/onnx exports, ml/ort runs them):
//	func (m *Model) Spec() Spec                              // sizes, variant, eps, head, pooling
//	func LayerPrefix(l int) string                           // HF name prefix of layer l
//	const MaskedScore                                        // the additive mask value
//	func (m *Model) CheckBatch(b Batch) error                // what Score/Embed refuse
//	func (m *Model) Stamp() WeightsStamp                     // changes when training sets new values
//	func OffloadInference(backend compute.Backend, make ForwardMaker) // Scorer/Embedder on that backend run elsewhere
//
// # Variables
//
// Every HF tensor is one GoMLX variable in m.Store(), at the path made by
// replacing the dots of its canonical name with "/": the HF tensor
// "encoder.layer.0.attention.self.query.weight" is the variable
// "/encoder/layer/0/attention/self/query/weight". Shapes are HF's own (Linear
// weights [out, in]), so Weights and Save are a copy, never a transpose. All
// variables are trainable (Variable.Trainable); the graph reads them through
// Variable.NodeValue, so an optimizer that updates them in the same store
// changes what the next Score computes... once the Scorer is rebuilt or its
// executables are run again (they read the store at each call).
//
// # Building the training graph (for ml/train)
//
// LogitsGraph is an ordinary GoMLX graph-building function. It must be called
// with a scope of m.Store() — the scope model.Exec or train.Trainer passes when
// built over m.Store() — and with int32 nodes ids, typeIDs and mask, all
// shaped [rows, len] (mask 1 for tokens, 0 for padding). It returns float32
// logits shaped [rows]. Dropout (hidden_dropout_prob after embeddings,
// attention output and FFN; attention_probs_dropout_prob on the attention
// weights) is active only when scope.IsTraining(g) is true; train.Trainer sets
// that for its training graphs, a hand-written loop sets it with
// m.Store().SetTraining(g, true) before calling LogitsGraph. Dropout draws
// from the store's RNG variable, so seed it with
// m.Store().SetRNGStateFromSeed. A typical step:
//
//	opt := optimizer.Adam().LearningRate(2e-5).WeightDecay(0.01).Done()
//	step, _ := model.NewExec(backend, m.Store(), func(scope *model.Scope, ids, types, mask, labels *graph.Node) *graph.Node {
//		g := ids.Graph()
//		scope.Store().SetTraining(g, true)                    // dropout on
//		logits := m.LogitsGraph(scope, ids, types, mask)      // [rows]
//		l := loss.BinaryCrossentropyLogits([]*graph.Node{labels}, []*graph.Node{logits})
//		opt.UpdateGraph(scope, g, l)                          // updates m.Store()'s variables
//		return l
//	})
//	lossT, err := step.Call1(idsT, typesT, maskT, labelsT)   // int32 [rows, len] ×3, float32 [rows]
//
// TestTrainingStepLearns and TestGradientMatchesFiniteDifference show this
// loop working (gradients checked against finite differences).
//
// ModelFn has train.ModelFn's signature (inputs = ids, typeIDs, mask), so
// train.NewTrainer(backend, m.Store(), m.ModelFn, ...) works directly; it
// returns the logits, or the embeddings for a bi-encoder.
//
// For a checkpoint with num_labels = 2 the logit is logit[1] − logit[0]
// (the log-odds of label 1), so every cross-encoder yields one logit per row.
//
// # Shapes and compilation
//
// A graph compiles once per input shape. Scorer and Embedder pad Len up to a
// multiple of 16 and Rows up to a power of two (below 8) or a multiple of 8,
// with mask 0, which changes no row's result, and cache one executable per
// shape.
//
// # Speed
//
// The pure-Go backend's matrix multiply uses AVX2/AVX-512 only when built
// with GOEXPERIMENT=simd (Go ≥ 1.26); without it scoring is about 4× slower
// (5 vs 22 pairs/s at 64 tokens on the 2-core dev machine).
// BenchmarkScoreMiniLM reports pairs/s at all-MiniLM-L6 shape.
package model
