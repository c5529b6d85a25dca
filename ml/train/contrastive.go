package train

import (
	"context"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/precedent/precedent/ml/model"
)

// Encoder is the bi-encoder TrainContrastive fits; ml/model.Model implements it.
type Encoder interface {
	// Store holds the model's variables; training adds its optimizer state under /adamw.
	Store() *gmodel.Store
	// EmbeddingsGraph maps int32 ids, typeIDs and mask [rows, len] to
	// L2-normalised float32 embeddings [rows, hidden], with dropout when
	// scope.IsTraining(g).
	EmbeddingsGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node
}

// PairSet is contrastive training data: example i is a query with one
// relevant document, and the query's hard negatives.
type PairSet interface {
	Len() int
	// Pairs returns the examples of indices, in that order, with at most
	// negatives hard negatives each. It must depend only on its arguments,
	// so that a resumed run sees the same batches.
	Pairs(indices []int, negatives int) (ContrastiveBatch, error)
	// Relevant reports whether doc is known to be relevant to query (keys
	// as in ContrastiveBatch); such a document is left out of the query's
	// negatives.
	Relevant(query, doc string) bool
}

// ContrastiveBatch is a batch of PairSet examples. Every model.Batch may be
// padded to any common Len with Mask 0.
type ContrastiveBatch struct {
	Queries    model.Batch // one row per example
	Positives  model.Batch // one row per example: its relevant document
	Negatives  model.Batch // hard negatives, any number of rows
	NegativeOf []int       // the example row each Negatives row belongs to

	// Identities of the texts (e.g. ticket IDs): a document with the key of
	// an example's query or positive, or one Relevant to its query, is not
	// that example's negative.
	QueryKeys, PositiveKeys, NegativeKeys []string
}

// ContrastiveOptions are TrainContrastive's own hyperparameters; start from
// DefaultContrastive.
type ContrastiveOptions struct {
	Scale     float64 // multiplies cosine similarities before the softmax
	Negatives int     // hard negatives per example and step (0 = in-batch negatives only)
	Symmetric bool    // each positive also picks its query among the batch's queries
}

// DefaultContrastive is sentence-transformers' MultipleNegativesRankingLoss
// setting (scale 20) with one hard negative per example, symmetric.
func DefaultContrastive() ContrastiveOptions {
	return ContrastiveOptions{Scale: 20, Negatives: 1, Symmetric: true}
}

// contrastiveOnePass refuses gradient accumulation: the contrastive loss
// scores every query against every document of the batch (in-batch
// negatives), so the batch's loss is not a sum over parts of it.
func contrastiveOnePass(cfg Config) error {
	if cfg.accumulates() {
		return fmt.Errorf("%w: MicroBatch = %d: the bi-encoder's contrastive loss uses in-batch negatives, so a batch trains in one pass; set MicroBatch to 0", ErrConfig, cfg.MicroBatch)
	}
	return nil
}

func (o ContrastiveOptions) check() error {
	switch {
	case math.IsNaN(o.Scale) || math.IsInf(o.Scale, 0) || o.Scale <= 0:
		return fmt.Errorf("%w: Scale = %v: must be > 0", ErrConfig, o.Scale)
	case o.Negatives < 0:
		return fmt.Errorf("%w: Negatives = %d: must be >= 0", ErrConfig, o.Negatives)
	}
	return nil
}

// TrainContrastive fine-tunes the bi-encoder m on set with ContrastiveLoss
// over in-batch and hard negatives: same optimizer, schedule, validation,
// early stopping, checkpoints, events and Result as Train (see Train), so
// ResumeContrastive continues a cancelled run exactly.
func TrainContrastive(ctx context.Context, backend compute.Backend, m Encoder, set PairSet, cfg Config, opts ContrastiveOptions, validate Validate, onEvent func(Event)) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	if err := contrastiveOnePass(cfg); err != nil {
		return Result{}, err
	}
	if err := opts.check(); err != nil {
		return Result{}, err
	}
	if set.Len() == 0 {
		return Result{}, fmt.Errorf("train: the training set is empty")
	}
	if err := startFresh(m.Store(), cfg); err != nil {
		return Result{}, err
	}
	st := state{
		Config:      cfg,
		Contrastive: &opts,
		TrainLen:    set.Len(),
		TotalSteps:  totalSteps(set.Len(), cfg.BatchSize, cfg.Epochs, cfg.MaxSteps),
	}
	return newRun(m, m.Store(), contrastiveUpdates(backend, m, set, st), st, lengthsOf(set), validate, onEvent).loop(ctx, nil)
}

// ResumeContrastive continues the TrainContrastive run saved in cfg.Dir, as
// Resume does for Train; cfg and opts must match the saved run.
func ResumeContrastive(ctx context.Context, backend compute.Backend, m Encoder, set PairSet, cfg Config, opts ContrastiveOptions, validate Validate, onEvent func(Event)) (Result, error) {
	if err := contrastiveOnePass(cfg); err != nil {
		return Result{}, err
	}
	if err := opts.check(); err != nil {
		return Result{}, err
	}
	st, points, err := loadRun(m.Store(), cfg, set.Len())
	if err != nil {
		return Result{}, err
	}
	if st.Contrastive == nil {
		return Result{}, fmt.Errorf("resume %s: %w: the checkpoint is a cross-encoder run (use Resume)", cfg.Dir, ErrConfig)
	}
	if *st.Contrastive != opts {
		return Result{}, fmt.Errorf("resume %s: %w: contrastive options %+v differ from the checkpoint's %+v", cfg.Dir, ErrConfig, opts, *st.Contrastive)
	}
	return newRun(m, m.Store(), contrastiveUpdates(backend, m, set, st), st, lengthsOf(set), validate, onEvent).loop(ctx, points)
}

// contrastiveUpdater pads each batch to a fixed shape (BatchSize queries,
// BatchSize·(1+Negatives) documents) and runs the compiled update.
type contrastiveUpdater struct {
	set  PairSet
	opts ContrastiveOptions
	rows int
	exec *gmodel.Exec
}

func contrastiveUpdates(backend compute.Backend, m Encoder, set PairSet, st state) func() (updater, error) {
	return func() (updater, error) {
		opts, cfg := *st.Contrastive, st.Config
		fn := func(scope *gmodel.Scope, in []*Node) []*Node {
			scope.Store().SetTraining(in[0].Graph(), true)
			q := m.EmbeddingsGraph(scope, in[0], in[1], in[2])
			d := m.EmbeddingsGraph(scope, in[3], in[4], in[5])
			loss := ContrastiveLoss(q, d, in[6], in[7], opts.Scale, opts.Symmetric)
			adamWUpdate(scope.Store(), loss, in[8], in[9], cfg)
			return []*Node{loss}
		}
		exec, err := gmodel.NewExec(backend, m.Store(), fn)
		if err != nil {
			return nil, fmt.Errorf("contrastive step: %w", err)
		}
		exec.SetMaxCache(maxCompiled)
		return &contrastiveUpdater{set: set, opts: opts, rows: cfg.BatchSize, exec: exec}, nil
	}
}

func (u *contrastiveUpdater) update(indices []int, lr float64, t int) (float64, int, error) {
	b, err := u.set.Pairs(indices, u.opts.Negatives)
	if err != nil {
		return 0, 0, err
	}
	in, err := layoutContrastive(b, u.set.Relevant, u.rows, u.opts.Negatives)
	if err != nil {
		return 0, 0, err
	}
	out, err := u.exec.Call(in.qIDs, in.qTypes, in.qMask, in.dIDs, in.dTypes, in.dMask, in.valid, in.weights,
		tensors.FromScalar(float32(lr)), tensors.FromScalar(float32(t)))
	if err != nil {
		return 0, 0, fmt.Errorf("contrastive step %d: %w", t, err)
	}
	return float64(tensors.ToScalar[float32](out[0])), in.realRows, nil
}

func (u *contrastiveUpdater) close() { u.exec.Finalize() }

// contrastiveInputs is one padded batch as the compiled step consumes it.
type contrastiveInputs struct {
	qIDs, qTypes, qMask *tensors.Tensor // int32 [rows, qLen]
	dIDs, dTypes, dMask *tensors.Tensor // int32 [rows·(1+negatives), dLen]
	valid               *tensors.Tensor // float32 [rows, rows·(1+negatives)]
	weights             *tensors.Tensor // float32 [rows]
	realRows            int
	validCells          [][]bool // valid as booleans, for tests
}

// layoutContrastive places the queries in rows 0..n−1 of a [rows, ·] query
// batch, their positives in document rows 0..n−1, and the hard negatives of
// example i in document rows rows + i·negatives + k. Padding rows hold one
// token of id 0 (so their embedding stays finite) and are excluded
// everywhere and weigh 0; a cell is valid when it is the example's own
// positive or a real document that is neither the query itself, nor a copy
// of its positive, nor relevant to it.
func layoutContrastive(b ContrastiveBatch, relevant func(q, d string) bool, rows, negatives int) (contrastiveInputs, error) {
	n := b.Queries.Rows
	switch {
	case n == 0 || n > rows:
		return contrastiveInputs{}, fmt.Errorf("batch: %d examples, want 1..%d", n, rows)
	case b.Positives.Rows != n:
		return contrastiveInputs{}, fmt.Errorf("batch: %d positives for %d queries", b.Positives.Rows, n)
	case len(b.QueryKeys) != n || len(b.PositiveKeys) != n:
		return contrastiveInputs{}, fmt.Errorf("batch: %d query keys and %d positive keys for %d examples", len(b.QueryKeys), len(b.PositiveKeys), n)
	case len(b.NegativeOf) != b.Negatives.Rows || len(b.NegativeKeys) != b.Negatives.Rows:
		return contrastiveInputs{}, fmt.Errorf("batch: %d negatives with %d owners and %d keys", b.Negatives.Rows, len(b.NegativeOf), len(b.NegativeKeys))
	}
	for _, x := range []model.Batch{b.Queries, b.Positives, b.Negatives} {
		if err := x.Validate(); err != nil {
			return contrastiveInputs{}, err
		}
	}
	docs := rows * (1 + negatives)
	dKeys := make([]string, docs)
	dOwner := make([]int, docs) // -1: padding slot
	for i := range dOwner {
		dOwner[i] = -1
	}
	dSrc := make([]struct {
		b   *model.Batch
		row int
	}, docs)
	for i := range n {
		dKeys[i], dOwner[i] = b.PositiveKeys[i], i
		dSrc[i].b, dSrc[i].row = &b.Positives, i
	}
	used := make([]int, n)
	for r, owner := range b.NegativeOf {
		if owner < 0 || owner >= n {
			return contrastiveInputs{}, fmt.Errorf("batch: negative %d belongs to example %d of %d", r, owner, n)
		}
		if used[owner] == negatives {
			return contrastiveInputs{}, fmt.Errorf("batch: example %d has more than %d negatives", owner, negatives)
		}
		slot := rows + owner*negatives + used[owner]
		used[owner]++
		dKeys[slot], dOwner[slot] = b.NegativeKeys[r], owner
		dSrc[slot].b, dSrc[slot].row = &b.Negatives, r
	}

	qLen := bucketLen(max(b.Queries.Len, 1))
	dLen := bucketLen(max(b.Positives.Len, b.Negatives.Len, 1))
	qIDs, qTypes, qMask := make([]int32, rows*qLen), make([]int32, rows*qLen), make([]int32, rows*qLen)
	dIDs, dTypes, dMask := make([]int32, docs*dLen), make([]int32, docs*dLen), make([]int32, docs*dLen)
	copyRow := func(ids, types, mask []int32, length, dst int, src *model.Batch, row int) {
		if src == nil {
			mask[dst*length] = 1 // padding: one token of id 0
			return
		}
		copy(ids[dst*length:], src.IDs[row*src.Len:(row+1)*src.Len])
		copy(types[dst*length:], src.TypeIDs[row*src.Len:(row+1)*src.Len])
		copy(mask[dst*length:], src.Mask[row*src.Len:(row+1)*src.Len])
	}
	for r := range rows {
		var src *model.Batch
		if r < n {
			src = &b.Queries
		}
		copyRow(qIDs, qTypes, qMask, qLen, r, src, r)
	}
	for r := range docs {
		copyRow(dIDs, dTypes, dMask, dLen, r, dSrc[r].b, dSrc[r].row)
	}

	valid := make([]float32, rows*docs)
	cells := make([][]bool, rows)
	weights := make([]float32, rows)
	for i := range rows {
		cells[i] = make([]bool, docs)
		if i >= n {
			cells[i][i] = true // a padding row sees only its own slot: finite, weight 0
			continue
		}
		weights[i] = 1
		for j := range docs {
			switch {
			case j == i:
				cells[i][j] = true
			case dOwner[j] < 0:
			case dKeys[j] == b.QueryKeys[i] || dKeys[j] == b.PositiveKeys[i]:
			case relevant(b.QueryKeys[i], dKeys[j]):
			default:
				cells[i][j] = true
			}
		}
	}
	for i, row := range cells {
		for j, ok := range row {
			if ok {
				valid[i*docs+j] = 1
			}
		}
	}
	return contrastiveInputs{
		qIDs:       tensors.FromFlatDataAndDimensions(qIDs, rows, qLen),
		qTypes:     tensors.FromFlatDataAndDimensions(qTypes, rows, qLen),
		qMask:      tensors.FromFlatDataAndDimensions(qMask, rows, qLen),
		dIDs:       tensors.FromFlatDataAndDimensions(dIDs, docs, dLen),
		dTypes:     tensors.FromFlatDataAndDimensions(dTypes, docs, dLen),
		dMask:      tensors.FromFlatDataAndDimensions(dMask, docs, dLen),
		valid:      tensors.FromFlatDataAndDimensions(valid, rows, docs),
		weights:    tensors.FromFlatDataAndDimensions(weights, rows),
		realRows:   n,
		validCells: cells,
	}, nil
}
