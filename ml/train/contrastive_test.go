package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/model"
)

// seqBackend is the pure-Go backend running one op at a time: its parallel
// op scheduler (compute v0.1.2) deadlocks now and then on the two encoder
// passes of a contrastive step, each saturating the same worker pool.
var seqBackend = sync.OnceValue(func() compute.Backend {
	b, err := gobackend.New("ops_sequential")
	if err != nil {
		panic(err)
	}
	return b
})

// refContrastive is ContrastiveLoss written out in float64.
func refContrastive(q, d [][]float64, valid [][]bool, w []float64, scale float64, symmetric bool) float64 {
	dot := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	nll := func(logits []float64, ok []bool, target int) float64 {
		sum := 0.0
		for j, z := range logits {
			if ok[j] {
				sum += math.Exp(z)
			}
		}
		return math.Log(sum) - logits[target]
	}
	var total, weight float64
	for i := range q {
		logits := make([]float64, len(d))
		for j := range d {
			logits[j] = scale * dot(q[i], d[j])
		}
		l := nll(logits, valid[i], i)
		if symmetric {
			back := make([]float64, len(q))
			ok := make([]bool, len(q))
			for k := range q {
				back[k], ok[k] = scale*dot(q[k], d[i]), valid[k][i]
			}
			l = (l + nll(back, ok, i)) / 2
		}
		total += w[i] * l
		weight += w[i]
	}
	return total / weight
}

func flat(rows [][]float64) []float64 { return slices.Concat(rows...) }

func boolsToFloats(cells [][]bool) []float64 {
	var out []float64
	for _, row := range cells {
		for _, ok := range row {
			if ok {
				out = append(out, 1)
			} else {
				out = append(out, 0)
			}
		}
	}
	return out
}

// contrastiveCase is a batch of 3 queries (the last one padding) against 3
// positives and 2 hard negatives in 2 dimensions.
func contrastiveCase() (q, d [][]float64, valid [][]bool, w []float64) {
	q = [][]float64{{1, 0}, {0.6, 0.8}, {0, 1}}
	d = [][]float64{{0.8, 0.6}, {0, 1}, {1, 0}, {-1, 0}, {0.6, -0.8}}
	valid = [][]bool{
		{true, true, false, true, true}, // doc 2 is also relevant to query 0
		{true, true, true, true, false}, // negative 4 is a padding slot
		{false, false, true, false, false},
	}
	return q, d, valid, []float64{1, 1, 0}
}

func execLoss(t *testing.T, q, d [][]float64, valid [][]bool, w []float64, scale float64, symmetric bool) float64 {
	t.Helper()
	out, err := ExecOnce(testBackend(), func(qn, dn, vn, wn *Node) *Node {
		return ContrastiveLoss(qn, dn, vn, wn, scale, symmetric)
	},
		tensors.FromFlatDataAndDimensions(flat(q), len(q), len(q[0])),
		tensors.FromFlatDataAndDimensions(flat(d), len(d), len(d[0])),
		tensors.FromFlatDataAndDimensions(boolsToFloats(valid), len(q), len(d)),
		tensors.FromFlatDataAndDimensions(w, len(w)))
	require.NoError(t, err)
	return tensors.ToScalar[float64](out)
}

func TestContrastiveLoss(t *testing.T) {
	q, d, valid, w := contrastiveCase()
	for _, tc := range []struct {
		name      string
		scale     float64
		symmetric bool
	}{
		{"one-way scale 1", 1, false},
		{"one-way scale 20", 20, false},
		{"symmetric scale 20", 20, true},
		{"large scale does not overflow", 500, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := refContrastive(q, d, valid, w, tc.scale, tc.symmetric)
			got := execLoss(t, q, d, valid, w, tc.scale, tc.symmetric)
			require.False(t, math.IsNaN(got) || math.IsInf(got, 0))
			assert.InDelta(t, want, got, 1e-9*max(1, math.Abs(want)))
		})
	}
	// Hand-computed: one query, its positive at cos 1 and one negative at cos 0, scale 1.
	got := execLoss(t, [][]float64{{1, 0}}, [][]float64{{1, 0}, {0, 1}}, [][]bool{{true, true}}, []float64{1}, 1, false)
	assert.InDelta(t, math.Log(math.E+1)-1, got, 1e-12)
	// An excluded cell does not count, whatever its similarity.
	got = execLoss(t, [][]float64{{1, 0}}, [][]float64{{1, 0}, {1, 0}}, [][]bool{{true, false}}, []float64{1}, 20, false)
	assert.InDelta(t, 0, got, 1e-12)
}

// TestContrastiveLossGradient checks autodiff of the loss against central
// differences of the float64 reference, for every input coordinate.
func TestContrastiveLossGradient(t *testing.T) {
	q, d, valid, w := contrastiveCase()
	const scale = 3.0
	grads, err := ExecOnceN(testBackend(), func(qn, dn, vn, wn *Node) []*Node {
		return Gradient(ContrastiveLoss(qn, dn, vn, wn, scale, true), qn, dn)
	},
		tensors.FromFlatDataAndDimensions(flat(q), len(q), 2),
		tensors.FromFlatDataAndDimensions(flat(d), len(d), 2),
		tensors.FromFlatDataAndDimensions(boolsToFloats(valid), len(q), len(d)),
		tensors.FromFlatDataAndDimensions(w, len(w)))
	require.NoError(t, err)
	const eps = 1e-6
	for k, vecs := range [][][]float64{q, d} {
		g := tensors.MustCopyFlatData[float64](grads[k])
		nonzero := 0
		for i := range vecs {
			for j := range vecs[i] {
				orig := vecs[i][j]
				vecs[i][j] = orig + eps
				up := refContrastive(q, d, valid, w, scale, true)
				vecs[i][j] = orig - eps
				down := refContrastive(q, d, valid, w, scale, true)
				vecs[i][j] = orig
				fd := (up - down) / (2 * eps)
				assert.InDelta(t, fd, g[i*2+j], 1e-7, "input %d row %d dim %d", k, i, j)
				if math.Abs(fd) > 1e-3 {
					nonzero++
				}
			}
		}
		assert.Positive(t, nonzero, "input %d: a zero gradient proves nothing", k)
	}
	// The padding query (weight 0) gets exactly no gradient.
	assert.Equal(t, []float64{0, 0}, tensors.MustCopyFlatData[float64](grads[0])[4:6])
}

// TestContrastiveGradientThroughEncoder checks the whole training loss —
// two encoder passes, pooling, normalisation, the loss — against finite
// differences of the same float32 graph on a tiny bi-encoder.
func TestContrastiveGradientThroughEncoder(t *testing.T) {
	m, err := model.FromScratch(bertConfig(1, 16), model.BiEncoder, 4)
	require.NoError(t, err)
	// Larger weights than BERT's init, so attention is far from uniform.
	rng := rand.New(rand.NewPCG(3, 3))
	for v := range m.Store().IterVariables() {
		value, err := v.Value()
		require.NoError(t, err)
		data := tensors.MustCopyFlatData[float32](value)
		if len(value.Shape().Dimensions) == 2 {
			for i := range data {
				data[i] = data[i]*10 + float32(rng.NormFloat64()*0.05)
			}
		}
		require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(data, value.Shape().Dimensions...)))
	}
	set := newTopicSet(8, 2, 5)
	b, err := set.Pairs([]int{0, 1, 2}, 1)
	require.NoError(t, err)
	in, err := layoutContrastive(b, set.Relevant, 4, 1)
	require.NoError(t, err)
	args := []any{in.qIDs, in.qTypes, in.qMask, in.dIDs, in.dTypes, in.dMask, in.valid, in.weights}
	probes := []string{
		"/encoder/layer/0/attention/self/query/weight",
		"/encoder/layer/0/intermediate/dense/weight",
		"/encoder/layer/0/output/LayerNorm/weight",
		"/embeddings/word_embeddings/weight",
	}
	lossOf := func(scope *gmodel.Scope, in []*Node) *Node {
		q := m.EmbeddingsGraph(scope, in[0], in[1], in[2])
		d := m.EmbeddingsGraph(scope, in[3], in[4], in[5])
		return ContrastiveLoss(q, d, in[6], in[7], 20, true)
	}
	gradExec, err := gmodel.NewExec(seqBackend(), m.Store(), func(scope *gmodel.Scope, in []*Node) []*Node {
		var wrt []*Node
		for _, p := range probes {
			wrt = append(wrt, scope.Store().GetVariable(p).NodeValue(in[0].Graph()))
		}
		return Gradient(lossOf(scope, in), wrt...)
	})
	require.NoError(t, err)
	grads, err := gradExec.Call(args...)
	require.NoError(t, err)
	lossExec, err := gmodel.NewExec(seqBackend(), m.Store(), func(scope *gmodel.Scope, in []*Node) []*Node {
		return []*Node{lossOf(scope, in)}
	})
	require.NoError(t, err)
	loss := func() float64 {
		out, err := lossExec.Call(args...)
		require.NoError(t, err)
		return float64(tensors.ToScalar[float32](out[0]))
	}
	const eps = 1e-2
	for i, p := range probes {
		g := tensors.MustCopyFlatData[float32](grads[i])
		best := 0
		for j, x := range g {
			if math.Abs(float64(x)) > math.Abs(float64(g[best])) {
				best = j
			}
		}
		v := m.Store().GetVariable(p)
		value, err := v.Value()
		require.NoError(t, err)
		orig := tensors.MustCopyFlatData[float32](value)
		dims := value.Shape().Dimensions
		at := func(delta float32) float64 {
			data := slices.Clone(orig)
			data[best] += delta
			require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(data, dims...)))
			return loss()
		}
		fd := (at(eps) - at(-eps)) / (2 * eps)
		require.NoError(t, v.SetValue(tensors.FromFlatDataAndDimensions(orig, dims...)))
		assert.Greater(t, math.Abs(float64(g[best])), 1e-3, "%s: a zero gradient proves nothing", p)
		assert.InDelta(t, fd, g[best], 2e-3+0.05*math.Abs(fd), "%s[%d]", p, best)
	}
}

func TestLayoutContrastive(t *testing.T) {
	set := newTopicSet(12, 4, 1)
	// Examples 0 and 4 share topic 0 (queries of one topic are relevant to
	// each other's positives).
	b, err := set.Pairs([]int{0, 4, 1}, 2)
	require.NoError(t, err)
	in, err := layoutContrastive(b, set.Relevant, 4, 2)
	require.NoError(t, err)
	require.Equal(t, 3, in.realRows)
	require.Len(t, in.validCells, 4)
	require.Len(t, in.validCells[0], 4*3)
	assert.Equal(t, []float32{1, 1, 1, 0}, tensors.MustCopyFlatData[float32](in.weights))
	c := in.validCells
	assert.True(t, c[0][0] && c[1][1] && c[2][2], "own positives")
	assert.False(t, c[0][1], "example 4's positive is relevant to query 0")
	assert.False(t, c[1][0], "and the other way round")
	assert.True(t, c[0][2] && c[2][0], "other topics are negatives")
	assert.False(t, c[0][3], "padding positive slot")
	assert.True(t, c[0][4] && c[0][5], "own hard negatives at rows+0..1")
	assert.True(t, c[2][7], "another example's hard negative")
	assert.False(t, c[2][4], "unless it is relevant to the query (example 0's negative is of query 2's topic)")
	assert.False(t, c[0][10] || c[0][11], "padding negative slots of the padding row")
	assert.Equal(t, []bool{false, false, false, true, false, false, false, false, false, false, false, false}, c[3], "padding row sees only itself")
	// Padding rows hold one token so their embedding stays finite.
	qMask := tensors.MustCopyFlatData[int32](in.qMask)
	qLen := in.qMask.Shape().Dimensions[1]
	assert.Equal(t, int32(1), qMask[3*qLen])
	assert.Equal(t, int32(0), qMask[3*qLen+1])

	_, err = layoutContrastive(b, set.Relevant, 2, 2)
	assert.ErrorContains(t, err, "3 examples, want 1..2")
	_, err = layoutContrastive(b, set.Relevant, 4, 1)
	assert.ErrorContains(t, err, "more than 1 negatives")
}

// topicSet is a toy retrieval task: query i and its positive share topic
// token 10 + i%topics among noise tokens; hard negatives come from the next
// topics. A document is relevant to every query of its topic.
type topicSet struct {
	topics int
	n      int
	seed   uint64
}

func newTopicSet(n, topics int, seed uint64) *topicSet {
	return &topicSet{topics: topics, n: n, seed: seed}
}

// topicNoise noise tokens drawn from a small vocabulary surround the topic
// token: too few distinct noise tokens to memorise pairs by, so the topic
// is the one signal that generalises.
const topicNoise, noiseVocab = 6, 10

// text is a sequence of the topic token among noise tokens 50..50+noiseVocab.
func (s *topicSet) text(topic int, stream, i uint64) []int32 {
	rng := rand.New(rand.NewPCG(s.seed, stream<<32|i))
	row := make([]int32, 1+topicNoise)
	row[0] = int32(10 + topic)
	for j := 1; j < len(row); j++ {
		row[j] = int32(50 + rng.IntN(noiseVocab))
	}
	rng.Shuffle(len(row), func(a, b int) { row[a], row[b] = row[b], row[a] })
	return row
}

func rowsBatch(rows [][]int32) model.Batch {
	length := 0
	for _, r := range rows {
		length = max(length, len(r))
	}
	b := model.Batch{Rows: len(rows), Len: length,
		IDs: make([]int32, len(rows)*length), TypeIDs: make([]int32, len(rows)*length), Mask: make([]int32, len(rows)*length)}
	for i, r := range rows {
		copy(b.IDs[i*length:], r)
		for j := range r {
			b.Mask[i*length+j] = 1
		}
	}
	return b
}

func (s *topicSet) Len() int { return s.n }

func (s *topicSet) topicOf(key string) int {
	var kind byte
	var topic, i int
	if _, err := fmt.Sscanf(key, "%c%d-%d", &kind, &topic, &i); err != nil {
		panic(err)
	}
	return topic
}

func (s *topicSet) Relevant(query, doc string) bool { return s.topicOf(query) == s.topicOf(doc) }

func (s *topicSet) Pairs(indices []int, negatives int) (ContrastiveBatch, error) {
	var b ContrastiveBatch
	var qs, ps, ns [][]int32
	for r, i := range indices {
		topic := i % s.topics
		qs = append(qs, s.text(topic, 1, uint64(i)))
		ps = append(ps, s.text(topic, 2, uint64(i)))
		b.QueryKeys = append(b.QueryKeys, fmt.Sprintf("q%d-%d", topic, i))
		b.PositiveKeys = append(b.PositiveKeys, fmt.Sprintf("d%d-%d", topic, i))
		for k := range negatives {
			other := (topic + 1 + k) % s.topics
			ns = append(ns, s.text(other, 3+uint64(k), uint64(i)))
			b.NegativeOf = append(b.NegativeOf, r)
			b.NegativeKeys = append(b.NegativeKeys, fmt.Sprintf("n%d-%d", other, i*10+k))
		}
	}
	b.Queries, b.Positives, b.Negatives = rowsBatch(qs), rowsBatch(ps), rowsBatch(ns)
	return b, nil
}

// topicMRR embeds validation queries and ten candidates each (one of the
// query's topic) with the model's current weights and returns MRR@10.
func topicMRR(t *testing.T, m *model.Model, s *topicSet) Validate {
	emb, err := model.NewEmbedder(m, seqBackend(), model.F32)
	require.NoError(t, err)
	return func(context.Context) (float64, error) {
		const queries, cands = 20, 10
		var qs, ds [][]int32
		for i := range queries {
			topic := i % s.topics
			qs = append(qs, s.text(topic, 7, uint64(i)))
			for c := range cands {
				ds = append(ds, s.text((topic+c)%s.topics, 8, uint64(i*cands+c)))
			}
		}
		qv, err := emb.Embed(rowsBatch(qs))
		if err != nil {
			return 0, err
		}
		dv, err := emb.Embed(rowsBatch(ds))
		if err != nil {
			return 0, err
		}
		sum := 0.0
		for i := range queries {
			cos := func(c int) float64 {
				s := 0.0
				for k, x := range qv[i] {
					s += float64(x * dv[i*cands+c][k])
				}
				return s
			}
			rank := 1
			for c := 1; c < cands; c++ {
				if cos(c) > cos(0) {
					rank++
				}
			}
			sum += 1 / float64(rank)
		}
		return sum / queries, nil
	}
}

func contrastiveConfig(dir string) Config {
	cfg := DefaultConfig()
	cfg.LR = 5e-3
	cfg.BatchSize = 8
	cfg.Epochs = 4
	cfg.EvalEvery = 8
	cfg.Patience = 0
	cfg.Seed = 7
	cfg.Dir = dir
	return cfg
}

func TestTrainContrastiveRaisesValidationMRR(t *testing.T) {
	m, err := model.FromScratch(bertConfig(1, 32), model.BiEncoder, 2)
	require.NoError(t, err)
	set := newTopicSet(128, 16, 9)
	validate := topicMRR(t, m, set)
	start, err := validate(context.Background())
	require.NoError(t, err)
	var events []Event
	res, err := TrainContrastive(context.Background(), seqBackend(), m, set, contrastiveConfig(t.TempDir()), DefaultContrastive(), validate,
		func(e Event) { events = append(events, e) })
	require.NoError(t, err)
	assert.Equal(t, StoppedFinished, res.Stopped)
	assert.Equal(t, 64, res.Steps)
	assert.Greater(t, res.BestMetric, start+0.3, "validation MRR@10 from %.3f to %.3f", start, res.BestMetric)
	first, last := res.Curve[0].Loss, res.Curve[len(res.Curve)-1].Loss
	assert.Less(t, last, first, "loss falls")
	// The store holds the best weights after the run.
	end, err := validate(context.Background())
	require.NoError(t, err)
	assert.InDelta(t, res.BestMetric, end, 1e-9)
	require.NotEmpty(t, events)
	assert.Equal(t, PhaseDone, events[len(events)-1].Phase)
}

func TestResumeContrastiveMatchesUninterruptedRun(t *testing.T) {
	set := newTopicSet(24, 6, 4)
	cfg := func(dir string) Config {
		c := contrastiveConfig(dir)
		c.Epochs, c.EvalEvery, c.CheckpointEvery = 2, 2, 2 // 6 steps
		return c
	}
	opts := DefaultContrastive()
	newModel := func(seed int64) *model.Model {
		m, err := model.FromScratch(bertConfig(1, 16), model.BiEncoder, seed)
		require.NoError(t, err)
		return m
	}
	ref := newModel(1)
	want, err := TrainContrastive(context.Background(), seqBackend(), ref, set, cfg(t.TempDir()), opts, topicMRR(t, ref, set), nil)
	require.NoError(t, err)
	require.Equal(t, 6, want.Steps)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := newModel(1)
	part, err := TrainContrastive(ctx, seqBackend(), first, set, cfg(dir), opts, topicMRR(t, first, set), func(e Event) {
		if e.Phase == PhaseTrain && e.Step == 3 {
			cancel()
		}
	})
	require.NoError(t, err)
	require.Equal(t, StoppedCancelled, part.Stopped)

	other := opts
	other.Scale = 10
	_, err = ResumeContrastive(context.Background(), seqBackend(), newModel(2), set, cfg(dir), other, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = Resume(context.Background(), testBackend(), newBagModel(1, 0), newToySet(24, 1), cfg(dir), nil, nil)
	require.Error(t, err, "a cross-encoder cannot resume a contrastive run")

	second := newModel(99)
	got, err := ResumeContrastive(context.Background(), seqBackend(), second, set, cfg(dir), opts, topicMRR(t, second, set), nil)
	require.NoError(t, err)
	assert.Equal(t, want.Steps, got.Steps)
	assert.Equal(t, want.BestStep, got.BestStep)
	assert.Equal(t, want.BestMetric, got.BestMetric)
	require.Len(t, got.Curve, len(want.Curve))
	for i := range want.Curve {
		assert.Equal(t, want.Curve[i].Loss, got.Curve[i].Loss, "loss at step %d", want.Curve[i].Step)
	}
	assert.Equal(t, storeValues(ref.Store()), storeValues(second.Store()))
}
