package train

import (
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	gmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/precedent/precedent/ml/model"
)

// testBackend is the pure-Go backend shared by the tests.
func testBackend() compute.Backend { return gobackend.GetBackend() }

// bagModel is a tiny stand-in cross-encoder: mean of token embeddings
// (masked), a LayerNorm-like scale, dropout when training, then a dense
// layer to one logit. Its variable names mimic ml/model's.
type bagModel struct {
	store   *gmodel.Store
	dropout float64
}

const bagVocab, bagDim = 12, 4

func newBagModel(seed uint64, dropout float64) *bagModel {
	rng := rand.New(rand.NewPCG(seed, 7))
	randn := func(n int, scale float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(rng.NormFloat64() * scale)
		}
		return out
	}
	store := gmodel.NewStore()
	must := func(path string, t *tensors.Tensor) {
		if _, err := store.CreateVariable(path, t); err != nil {
			panic(err)
		}
	}
	must("/embeddings/word_embeddings/weight", tensors.FromFlatDataAndDimensions(randn(bagVocab*bagDim, 0.5), bagVocab, bagDim))
	must("/embeddings/LayerNorm/weight", tensors.FromFlatDataAndDimensions([]float32{1, 1, 1, 1}, bagDim))
	must("/classifier/weight", tensors.FromFlatDataAndDimensions(randn(bagDim, 0.5), bagDim))
	must("/classifier/bias", tensors.FromFlatDataAndDimensions([]float32{0.1}, 1))
	return &bagModel{store: store, dropout: dropout}
}

func (m *bagModel) Store() *gmodel.Store { return m.store }

func (m *bagModel) LogitsGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node {
	g := ids.Graph()
	get := func(p string) *Node { return scope.Store().GetVariable(p).NodeValue(g) }
	maskF := ConvertDType(mask, dtypes.Float32)                                                               // [rows, len]
	emb := Gather(get("/embeddings/word_embeddings/weight"), ExpandAxes(ConvertDType(ids, dtypes.Int32), -1)) // [rows, len, dim]
	sum := ReduceSum(Mul(emb, ExpandAxes(maskF, -1)), 1)
	mean := Div(sum, ExpandAxes(MaxScalar(ReduceSum(maskF, 1), 1), -1))
	h := Mul(mean, ExpandAxes(get("/embeddings/LayerNorm/weight"), 0))
	if m.dropout > 0 && scope.IsTraining(g) {
		h = layers.DropoutStatic(scope, h, m.dropout)
	}
	logits := ReduceSum(Mul(h, ExpandAxes(get("/classifier/weight"), 0)), -1)
	return Add(logits, Reshape(get("/classifier/bias")))
}

// toySet is a separable problem: positives mention token 1, negatives token
// 2, around noise tokens 3..11; lengths vary from 3 to 40.
type toySet struct {
	ids    [][]int32
	labels []float32
}

func newToySet(n int, seed uint64) *toySet {
	rng := rand.New(rand.NewPCG(seed, 11))
	s := &toySet{}
	for i := range n {
		length := 3 + rng.IntN(38)
		row := make([]int32, length)
		for j := range row {
			row[j] = int32(3 + rng.IntN(bagVocab-3))
		}
		label := float32(0)
		if i%4 == 0 {
			label = 1
		}
		key := int32(2)
		if label == 1 {
			key = 1
		}
		for j := 0; j < length; j += 3 {
			row[j] = key
		}
		s.ids = append(s.ids, row)
		s.labels = append(s.labels, label)
	}
	return s
}

func (s *toySet) Len() int { return len(s.ids) }

func (s *toySet) Lengths() []int {
	out := make([]int, len(s.ids))
	for i, r := range s.ids {
		out[i] = len(r)
	}
	return out
}

func (s *toySet) Labels() []float32 { return s.labels }

func (s *toySet) Batch(indices []int) (model.Batch, []float32, error) {
	length := 0
	for _, i := range indices {
		length = max(length, len(s.ids[i]))
	}
	b := model.Batch{Rows: len(indices), Len: length}
	b.IDs = make([]int32, b.Rows*length)
	b.TypeIDs = make([]int32, b.Rows*length)
	b.Mask = make([]int32, b.Rows*length)
	labels := make([]float32, len(indices))
	for r, i := range indices {
		copy(b.IDs[r*length:], s.ids[i])
		for j := range s.ids[i] {
			b.Mask[r*length+j] = 1
		}
		labels[r] = s.labels[i]
	}
	return b, labels, nil
}

// plainSet hides the optional Lengths and Labeled interfaces of a toySet.
type plainSet struct{ s *toySet }

func (p plainSet) Len() int                                        { return p.s.Len() }
func (p plainSet) Batch(idx []int) (model.Batch, []float32, error) { return p.s.Batch(idx) }

// storeValues copies every variable of store, by path.
func storeValues(store *gmodel.Store) map[string][]float32 {
	out := map[string][]float32{}
	for v := range store.IterVariables() {
		if !v.HasValue() || v.DType() != dtypes.Float32 {
			continue
		}
		out[v.Path()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return out
}
