package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/retrieve"
	"github.com/precedent/precedent/ml/train"
	"github.com/precedent/precedent/rerank"
)

// The warm start (TrainOptions.WarmStart) teaches the cross-encoder what
// relevance looks like on this archive before it sees a single mined label:
// training-window tickets are searched like queries (BM25 over the tickets
// opened before each, as the first stage does), a few candidates of each
// list are scored by the off-the-shelf bi-encoder, and the reciprocal-rank
// fusion of the two orders becomes a soft target the cross-encoder is fitted
// to (BCE), on the pair text Train renders. No label is used, and no ticket
// of the validation or test window is a query or a candidate.
const (
	warmDepth   = 30  // BM25 candidates retrieved per warm-start query
	warmTop     = 4   // of which the BM25 top are always kept …
	warmPick    = 8   // … and the rest drawn at random from the list, up to this many per query
	warmRRFK    = 10  // reciprocal-rank fusion constant: 1/(k + BM25 rank) + 1/(k + bi-encoder rank)
	warmTau     = 2.0 // soft target of fused rank r: exp(−(r−1)/τ)
	warmTeacher = "rrf(bm25, " + DefaultModel + " cosine)"
)

// WarmStartRecord is what a run's warm start did (RunRecord.WarmStart).
type WarmStartRecord struct {
	Steps          int     `json:"steps"`   // distillation steps asked for
	Done           int     `json:"done"`    // steps run
	Teacher        string  `json:"teacher"` // how the targets were made
	Queries        int     `json:"queries"` // training-window tickets searched as queries
	Pairs          int     `json:"pairs"`   // (query, candidate) pairs with a soft target
	LastLoss       float64 `json:"last_loss"`
	ValMRR         float64 `json:"val_mrr@10"` // validation MRR@10 after the warm start, before fine-tuning
	TeacherSeconds float64 `json:"teacher_seconds"`
	Seconds        float64 `json:"seconds"` // the whole warm start, teacher included
	Finished       bool    `json:"finished"`
}

// warmQueries draws n training-window tickets (opened before w.TrainEnd)
// as warm-start queries, leaving out the archive's first ticket (nothing
// precedes it); the draw depends only on the tickets and seed, and the
// result is in archive order. n ≤ 0 or more than there are: all of them.
func warmQueries(tickets []data.Ticket, w split.Windows, n int, seed int64) []data.Ticket {
	var pool []data.Ticket
	for _, t := range tickets {
		if w.Of(t.Opened) == split.Train {
			pool = append(pool, t)
		}
	}
	slices.SortStableFunc(pool, func(a, b data.Ticket) int {
		if data.Earlier(a, b) {
			return -1
		}
		if data.Earlier(b, a) {
			return 1
		}
		return 0
	})
	if len(pool) > 0 {
		pool = pool[1:] // the earliest has no precedent to search
	}
	if n <= 0 || n >= len(pool) {
		return pool
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x3a4d))
	idx := rng.Perm(len(pool))[:n]
	slices.Sort(idx)
	out := make([]data.Ticket, n)
	for i, j := range idx {
		out[i] = pool[j]
	}
	return out
}

// warmPickCandidates keeps the first top candidates of a first-stage list
// and up to pick−top others drawn at random from the rest, in list order.
func warmPickCandidates(list []negatives.Candidate, top, pick int, rng *rand.Rand) []negatives.Candidate {
	if len(list) <= pick {
		return slices.Clone(list)
	}
	out := slices.Clone(list[:top])
	rest := rng.Perm(len(list) - top)[:pick-top]
	slices.Sort(rest)
	for _, i := range rest {
		out = append(out, list[top+i])
	}
	return out
}

// warmTargets turns two teachers' views of one candidate list into soft
// targets in (0, 1]: bm25Rank[i] is candidate i's first-stage rank (lower is
// better), cos[i] its bi-encoder cosine to the query. Each teacher's order
// is re-ranked 1..n within the list (bi-encoder ties by first-stage rank),
// fused by reciprocal rank, 1/(k + r_bm25) + 1/(k + r_bi), and the fused
// rank r (ties by first-stage rank) becomes exp(−(r−1)/τ): 1 for the
// candidate both teachers put first, falling fast where they disagree or
// both put it low.
func warmTargets(bm25Rank []int, cos []float64, k, tau float64) []float32 {
	n := len(bm25Rank)
	byBM25 := make([]int, n)
	for i := range byBM25 {
		byBM25[i] = i
	}
	slices.SortStableFunc(byBM25, func(a, b int) int { return cmp.Compare(bm25Rank[a], bm25Rank[b]) })
	rb := make([]int, n)
	for r, i := range byBM25 {
		rb[i] = r + 1
	}
	byCos := slices.Clone(byBM25)
	slices.SortStableFunc(byCos, func(a, b int) int { return cmp.Compare(cos[b], cos[a]) })
	re := make([]int, n)
	for r, i := range byCos {
		re[i] = r + 1
	}
	fused := make([]float64, n)
	for i := range fused {
		fused[i] = 1/(k+float64(rb[i])) + 1/(k+float64(re[i]))
	}
	byFused := slices.Clone(byBM25)
	slices.SortStableFunc(byFused, func(a, b int) int { return cmp.Compare(fused[b], fused[a]) })
	out := make([]float32, n)
	for r, i := range byFused {
		out[i] = float32(math.Exp(-float64(r) / tau))
	}
	return out
}

// warmQueriesFor is how many queries give steps batches of pairs (each
// query yields up to warmPick pairs; the few short lists are made up for by
// a second pass over the pairs).
func warmQueriesFor(steps, batch int) int {
	return (steps*batch + warmPick - 1) / warmPick
}

// warmStart distils the teacher (warmTargets) into m through rr's pair
// rendering for o.WarmStart steps, before fine-tuning. The model keeps its
// last weights (there is nothing to validate the distillation against
// without labels); val, when not empty, is scored after it for the record.
func (p *Project) warmStart(ctx context.Context, a *archive, rr *rerank.Engine, b compute.Backend, m *model.Model, o TrainOptions,
	val []QueryCandidates, progress Progress) (WarmStartRecord, error) {
	start := time.Now()
	rec := WarmStartRecord{Steps: o.WarmStart, Teacher: warmTeacher}
	mr, ok, err := p.LastMine()
	if err != nil {
		return rec, err
	}
	if !ok {
		return rec, fmt.Errorf("warm start: no mining yet: run precedent mine first (it sets the training window)")
	}
	mt, err := p.matcher()
	if err != nil {
		return rec, err
	}
	qs := warmQueries(a.Tickets, mr.Split, warmQueriesFor(o.WarmStart, o.BatchSize), o.Seed)
	if len(qs) == 0 {
		return rec, fmt.Errorf("warm start: the training window holds no ticket to search with")
	}
	progress.emit(Event{Step: "warm-start", Phase: "index", Message: fmt.Sprintf("BM25 over %d tickets for %d training-window queries", len(a.Tickets), len(qs))})
	ix, err := retrieve.NewBM25(bm25Docs(a.Tickets), retrieve.BM25Params{})
	if err != nil {
		return rec, fmt.Errorf("warm start: %w", err)
	}
	rq := make([]retrieve.Query, len(qs))
	for i, t := range qs {
		rq[i] = retrieve.Query{ID: t.ID, Text: firstStageQuery(t, mt), Before: t.Opened}
	}
	lists, err := ix.SearchBatch(ctx, rq, warmDepth, func(done, total int) {
		progress.emit(Event{Step: "warm-start", Phase: "search", Done: int64(done), Total: int64(total)})
	})
	if err != nil {
		return rec, fmt.Errorf("warm start: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x77a7))
	var qcs []QueryCandidates
	for i, l := range lists {
		if len(l) < 2 { // nothing to order
			continue
		}
		qcs = append(qcs, QueryCandidates{Query: qs[i].ID, Window: split.Train.String(), Rule: qs[i].Rule,
			Candidates: warmPickCandidates(l, warmTop, warmPick, rng)})
	}
	if len(qcs) == 0 {
		return rec, fmt.Errorf("warm start: no training-window query found candidates")
	}
	progress.emit(Event{Step: "warm-start", Phase: "teacher", Message: fmt.Sprintf("bi-encoder %s on %d lists", DefaultModel, len(qcs))})
	cos, err := p.BiEncoderScores(ctx, DefaultModel, qcs, progress)
	if err != nil {
		return rec, fmt.Errorf("warm start: teacher: %w", err)
	}
	rec.TeacherSeconds = time.Since(start).Seconds()
	var pairs [][2]data.Ticket
	var targets []float32
	for i, qc := range qcs {
		ranks, cs := warmTeacherInputs(qc, cos[i])
		q, _ := a.get(qc.Query)
		for j, t := range warmTargets(ranks, cs, warmRRFK, warmTau) {
			d, ok := a.get(qc.Candidates[j].ID)
			if !ok {
				return rec, fmt.Errorf("warm start: candidate %s is not in the archive", qc.Candidates[j].ID)
			}
			pairs = append(pairs, [2]data.Ticket{q, d})
			targets = append(targets, t)
		}
	}
	rec.Queries, rec.Pairs = len(qcs), len(pairs)
	cfg := train.DefaultConfig()
	cfg.LR, cfg.BatchSize, cfg.MaxSteps, cfg.Seed = o.LR, o.BatchSize, o.WarmStart, o.Seed
	cfg.MicroBatch = o.MicroBatch // its steps are fine-tuning's size: the same memory
	cfg.Epochs = max(1, (o.WarmStart*o.BatchSize+len(pairs)-1)/len(pairs))
	cfg.PosWeight = 1 // soft targets: no class to reweight
	cfg.Patience, cfg.CheckpointEvery, cfg.Dir = 0, 0, ""
	res, err := train.Train(ctx, b, m, newPairSet(rr.PairEncoder, pairs, targets), cfg, nil, trainEvents("warm-start", progress, func(int, float64) {}))
	rec.Done, rec.Seconds = res.Steps, time.Since(start).Seconds()
	if n := len(res.Curve); n > 0 {
		rec.LastLoss = res.Curve[n-1].Loss
	}
	if err != nil {
		return rec, fmt.Errorf("warm start: %w", err)
	}
	if res.Stopped == train.StoppedCancelled {
		return rec, fmt.Errorf("warm start: %w", context.Canceled)
	}
	if len(val) > 0 {
		progress.emit(Event{Step: "warm-start", Phase: "validate", Message: "validation MRR@10 after the warm start"})
		vl, err := rankLists(ctx, rr, a, val, o.ValDepth, nil)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return rec, fmt.Errorf("warm start: %w", err)
			}
			return rec, fmt.Errorf("warm start: validate: %w", err)
		}
		rec.ValMRR = mrrAt10(val, vl)
	}
	rec.Finished, rec.Seconds = true, time.Since(start).Seconds()
	return rec, nil
}

// warmTeacherInputs lines up a list's first-stage ranks and the bi-encoder's
// cosines (scored lists keep the list's order; matched by ID to be safe).
func warmTeacherInputs(qc QueryCandidates, scored []eval.Scored) ([]int, []float64) {
	byID := make(map[string]float64, len(scored))
	for _, s := range scored {
		byID[s.ID] = s.Score
	}
	ranks := make([]int, len(qc.Candidates))
	cs := make([]float64, len(qc.Candidates))
	for i, c := range qc.Candidates {
		ranks[i], cs[i] = c.Rank, byID[c.ID]
	}
	return ranks, cs
}
