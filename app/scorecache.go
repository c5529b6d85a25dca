package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/rerank"
)

// collScores caches reranker scores per (model, rendering, query): the
// starting model's scores never change between runs, and a run's scores do
// not change between evaluations, so each pair is scored once.
const collScores = "score_cache"

// renderVersion names the pair-text rules cached scores were computed
// under; bump it when rendering changes so stale scores are not reused.
const renderVersion = "asof-1"

// modelKey identifies a model folder's weights without reading them: path,
// size and modification time of every weights file.
func modelKey(dir string) string {
	h := sha256.New()
	h.Write([]byte(dir))
	files, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Fprintf(h, "\x00%s\x00%d\x00%d", filepath.Base(f), st.Size(), st.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// startScoreModel names the starting checkpoint of a run's options for the
// score cache.
func startScoreModel(o TrainOptions, dir string) string {
	key := "start:" + dir + fmt.Sprint(o.KeepLayers, o.FromScratch, o.ScratchLayers, o.ScratchHidden, o.Seed)
	if !o.FromScratch {
		key += modelKey(dir)
	}
	return key
}

// runScoreModel names a run's saved model for the score cache.
func runScoreModel(r RunRecord) string { return "run:" + r.ID + modelKey(r.ModelDir) }

// scoreKey is the cache key prefix of one model under one rendering.
func (p *Project) scoreKey(model string, r *rerank.Engine) string {
	var pats []string
	if o, ok, err := p.LastMine(); err == nil && ok {
		pats = append(append(pats, o.Options.Presets...), o.Options.Patterns...)
	}
	parts := []string{model, r.Format().Name, fmt.Sprint(r.MaxLen()), renderVersion, strings.Join(pats, ",")}
	if r.Format().FutureText {
		parts = append(parts, "future-text")
	}
	if r.Precision().String() != "f32" {
		parts = append(parts, r.Precision().String()) // float32 keys stay as they were
	}
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])[:20]
}

// cachedRank is rankLists with the cache: only pairs not scored before
// under key are run through the model; new scores are stored.
func (p *Project) cachedRank(ctx context.Context, key string, r *rerank.Engine, a *archive, qcs []QueryCandidates, depth int, progress rankProgress) ([][]eval.Scored, error) {
	cached := make([]map[string]float32, len(qcs))
	var todo []QueryCandidates
	var todoAt []int
	for i, qc := range qcs {
		var m map[string]float32
		if _, err := p.Store.GetRecord(collScores, key+"\x00"+qc.Query, &m); err != nil {
			return nil, err
		}
		cached[i] = m
		var missing []negatives.Candidate
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			if _, ok := m[c.ID]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			sub := qc
			sub.Candidates = missing
			todo = append(todo, sub)
			todoAt = append(todoAt, i)
		}
	}
	if len(todo) > 0 {
		lists, err := rankLists(ctx, r, a, todo, depth, progress)
		if err != nil {
			return nil, err
		}
		for j, i := range todoAt {
			if cached[i] == nil {
				cached[i] = map[string]float32{}
			}
			for _, s := range lists[j] {
				cached[i][s.ID] = float32(s.Score)
			}
		}
		if err := p.putScores(key, qcs, cached); err != nil {
			return nil, err
		}
	} else if progress != nil {
		progress(1, 1, 1)
	}
	out := make([][]eval.Scored, len(qcs))
	for i, qc := range qcs {
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			out[i] = append(out[i], eval.Scored{ID: c.ID, Score: float64(cached[i][c.ID]), Rank0: c.Rank})
		}
	}
	return out, nil
}

// putScores stores per-query score maps under key.
func (p *Project) putScores(key string, qcs []QueryCandidates, scores []map[string]float32) error {
	recs := make([]store.Record, 0, len(qcs))
	for i, qc := range qcs {
		if scores[i] != nil {
			recs = append(recs, store.Record{Key: key + "\x00" + qc.Query, Value: scores[i]})
		}
	}
	if err := p.Store.PutRecords(collScores, recs); err != nil {
		return fmt.Errorf("score cache: %w", err)
	}
	return nil
}

// cacheLists stores ranked lists (as rank returns them) under key.
func (p *Project) cacheLists(key string, qcs []QueryCandidates, lists [][]eval.Scored) error {
	scores := make([]map[string]float32, len(lists))
	for i, l := range lists {
		scores[i] = make(map[string]float32, len(l))
		for _, s := range l {
			scores[i][s.ID] = float32(s.Score)
		}
	}
	return p.putScores(key, qcs, scores)
}

// futureOnly keeps, per query, the candidates whose text as of the query's
// time differs from their full text — the only pairs a leak probe needs to
// score again.
func futureOnly(a *archive, qcs []QueryCandidates, depth int) []QueryCandidates {
	out := make([]QueryCandidates, 0, len(qcs))
	for _, qc := range qcs {
		q, _ := a.get(qc.Query)
		sub := qc
		sub.Candidates = nil
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			d, _ := a.get(c.ID)
			if hidesFuture(q, d) {
				sub.Candidates = append(sub.Candidates, c)
			}
		}
		out = append(out, sub)
	}
	return out
}

// hidesFuture reports whether d as of q's opening differs from d in full.
func hidesFuture(q, d data.Ticket) bool {
	v := d.AsOf(q.Opened)
	return v.CloseNotes != d.CloseNotes || len(v.Comments) != len(d.Comments) || len(v.Closing) != len(d.Closing)
}
