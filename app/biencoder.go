package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/train"
)

// goSequential is the pure-Go backend running one op at a time.
const goSequential = "go:ops_sequential"

// collBiRuns is the registry of bi-encoder runs, apart from the
// cross-encoder runs so that `eval --run best` never picks a bi-encoder.
const collBiRuns = "biencoder_runs"

// BiEncoderOptions configure a bi-encoder fine-tuning run; zero values
// take DefaultBiEncoderOptions.
type BiEncoderOptions struct {
	RunOptions         // the options every run takes (MaxLen: tokens per ticket, default 128; BatchSize: queries per step)
	Scale      float64 `json:"scale"`     // cosine scale in the softmax (default 20, sentence-transformers')
	Negatives  int     `json:"negatives"` // stored hard negatives per example and step (default 1; -1 = in-batch only)
	OneWay     bool    `json:"one_way"`   // query→document loss only (default: symmetric)
}

// DefaultBiEncoderOptions are the values a bi-encoder run takes where its
// BiEncoderOptions are zero: the run defaults of DefaultTrainOptions with
// 128 tokens per ticket, and sentence-transformers' loss with one stored
// hard negative per example. `train --kind bi-encoder` defaults to them.
func DefaultBiEncoderOptions() BiEncoderOptions {
	return BiEncoderOptions{RunOptions: defaultRunOptions(embedMaxLen), Scale: train.DefaultContrastive().Scale, Negatives: 1}
}

func (o BiEncoderOptions) withDefaults() BiEncoderOptions {
	d := DefaultBiEncoderOptions()
	o.RunOptions = o.RunOptions.withDefaults(d.RunOptions)
	if o.Negatives == 0 {
		o.Negatives = d.Negatives
	}
	if o.Scale == 0 {
		o.Scale = d.Scale
	}
	return o
}

// Validate reports the first option out of its bounds (zero values stand
// for their defaults), as an *OptionError naming the option and its flag.
// TrainBiEncoder refuses to start a run with such options (a resumed run
// keeps the options it started with); the CLI calls it first.
func (o BiEncoderOptions) Validate() error {
	o = o.withDefaults()
	if err := o.RunOptions.check(); err != nil {
		return err
	}
	return firstOutOfBounds(
		bound{finite(o.Scale) && o.Scale > 0, "cosine scale", "--scale", "above 0", o.Scale},
		bound{o.Negatives >= -1, "hard negatives per example", "--negatives", "-1 (in-batch only) or more", o.Negatives},
	)
}

// contrastive is the loss setting of o (after withDefaults).
func (o BiEncoderOptions) contrastive() train.ContrastiveOptions {
	return train.ContrastiveOptions{Scale: o.Scale, Negatives: max(o.Negatives, 0), Symmetric: !o.OneWay}
}

// BiEncoderRun is one bi-encoder run in the project's registry.
type BiEncoderRun struct {
	RunCore
	Options   BiEncoderOptions `json:"options"`
	Queries   int              `json:"queries"`    // distinct training queries
	Negatives int              `json:"negatives"`  // stored hard negatives available to them
	KeptStart bool             `json:"kept_start"` // no validated step beat the start: ModelDir holds the starting weights
}

// BiEncoderResult is a finished (or stopped) bi-encoder run.
type BiEncoderResult struct {
	Run   BiEncoderRun  `json:"run"`
	Curve []train.Point `json:"curve"`
}

// TrainBiEncoder fine-tunes a bi-encoder (all-MiniLM-L6-v2 by default) on
// the train window's mined positives, with the stored hard negatives after
// review, by the symmetric multiple-negatives ranking loss; it validates
// MRR@10 of cosine re-sorting on the validation window's stored candidates,
// keeps the best model, stops early, and saves it in sentence-transformers
// layout under the run's folder (model/). A cancelled run resumes with
// BiEncoderOptions.Resume. The runner (runner.go) does what every model's
// run does; this prepares the bi-encoder's part.
func (p *Project) TrainBiEncoder(ctx context.Context, o BiEncoderOptions, progress Progress) (BiEncoderResult, error) {
	start := time.Now()
	var rec BiEncoderRun
	resume := o.Resume != ""
	if resume {
		r, err := p.findBiRun(o.Resume)
		if err != nil {
			return BiEncoderResult{}, err
		}
		if err := biEncoderRuns.resumable(r.RunCore); err != nil {
			return BiEncoderResult{}, err
		}
		backendName := o.Backend
		rec, o = r, r.Options
		o.Backend = backendName
	} else {
		o = o.withDefaults()
		if err := o.Validate(); err != nil {
			return BiEncoderResult{}, fmt.Errorf("train bi-encoder: %w", err)
		}
		rec = BiEncoderRun{RunCore: p.newRun(biEncoderRuns, start), Options: o}
	}
	rn := &runner{kind: biEncoderRuns, rec: &rec.RunCore, store: func() error { return p.saveBiRun(rec) },
		resume: resume, start: start, progress: progress}
	a, err := p.loadArchive()
	if err != nil {
		return BiEncoderResult{}, err
	}
	mt, err := p.matcher()
	if err != nil {
		return BiEncoderResult{}, err
	}
	startDir, err := p.ResolveModel(o.Model)
	if err != nil {
		return BiEncoderResult{}, fmt.Errorf("%w: %w", errNoModel, err)
	}
	ck, err := hf.Load(startDir)
	if err != nil {
		return BiEncoderResult{}, fmt.Errorf("%w: %w", errNoModel, err)
	}
	startWeights := func() (*model.Model, error) {
		return model.FromCheckpoint(ck, model.Options{Head: model.BiEncoder, KeepLayers: o.KeepLayers, Seed: o.Seed})
	}
	m, err := startWeights()
	if err != nil {
		return BiEncoderResult{}, err
	}
	if err := rn.fits(m, o.MaxLen); err != nil {
		return BiEncoderResult{}, err
	}
	settings := p.SettingsSnapshot()
	b, info, err := p.backend(pick(o.Backend, settings.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return BiEncoderResult{}, err
	}
	if !info.Accelerated && !strings.Contains(info.Name, "ops_sequential") {
		// The pure-Go backend's parallel op scheduler (gomlx/compute v0.1.2)
		// can deadlock on a contrastive step's two encoder passes, each
		// saturating the same worker pool; one op at a time never does.
		if b, info, err = p.backend(goSequential); err != nil {
			return BiEncoderResult{}, err
		}
	}
	prec, _, err := inferencePrecision(pick("", settings.Precision, defaultPrecision), info)
	if err != nil {
		return BiEncoderResult{}, err
	}
	enc, err := newEmbedder(m, ck.TokenizerPath, b, o.MaxLen, prec)
	if err != nil {
		return BiEncoderResult{}, err
	}
	defer enc.Close()

	rn.emit(Event{Phase: "prepare", Message: "building the training pairs"})
	td, err := p.biEncoderData(a)
	if err != nil {
		return BiEncoderResult{}, err
	}
	if err := rn.trainsOn(td.fingerprint(startDir, fmt.Sprint(o.MaxLen, o.KeepLayers))); err != nil {
		return BiEncoderResult{}, err
	}
	set := newBiPairSet(p, a, mt, enc, td)
	rec.Examples, rec.Queries, rec.Negatives = len(td.examples), td.queries(), td.negativeCount()
	rec.StartModel, rec.Backend = startDir, info.Description

	val, err := p.validationSample(o.ValQueries)
	if err != nil {
		return BiEncoderResult{}, err
	}
	validate := func(ctx context.Context) (float64, error) {
		lists, err := enc.rank(ctx, p, a, mt, val, o.ValDepth, func(done, total int) {
			rn.emit(Event{Phase: "validate", Done: int64(done), Total: int64(total)})
		})
		if err != nil {
			return 0, err
		}
		return mrrAt10(val, lists), nil
	}
	fit := func(ctx context.Context, cfg train.Config, validate train.Validate, onEvent func(train.Event)) (train.Result, error) {
		if resume {
			return train.ResumeContrastive(ctx, b, m, set, cfg, o.contrastive(), validate, onEvent)
		}
		return train.TrainContrastive(ctx, b, m, set, cfg, o.contrastive(), validate, onEvent)
	}
	save := func(res train.Result) error {
		if keepStart(rec.StartMRR, res) {
			// No validated step beat the starting bi-encoder: keep its pretrained similarity.
			rn.emit(Event{Phase: "save", Message: fmt.Sprintf(
				"no step beat the starting bi-encoder's validation MRR@10 %.3f (best %.3f at step %d): keeping the start", rec.StartMRR, res.BestMetric, res.BestStep)})
			if m, err = startWeights(); err != nil {
				return err
			}
			rec.KeptStart = true
		}
		rn.emit(Event{Phase: "save", Message: "saving the best bi-encoder (sentence-transformers layout)"})
		modelDir := filepath.Join(rec.Dir, "model")
		if err := saveBiEncoder(m, startDir, modelDir, o.MaxLen, rec.ID); err != nil {
			return err
		}
		rec.ModelDir = modelDir
		return nil
	}
	curve, recorded, err := rn.run(ctx, o.RunOptions, trainee{model: m, validate: validate, fit: fit, save: save})
	if !recorded {
		return BiEncoderResult{}, err
	}
	return BiEncoderResult{Run: rec, Curve: curve}, err
}

// keepStart reports whether the run's best validated weights are no better
// than the starting bi-encoder's (validated before the first step), so
// the start is what to save.
func keepStart(startMRR float64, res train.Result) bool {
	return res.BestStep == 0 || res.BestMetric <= startMRR
}

// biSide says which side of a search a ticket is rendered for.
type biSide int

const (
	biQuery    biSide = iota // the ticket as a query: what was known when it opened
	biDocument               // the ticket as a closed precedent
)

// biEncoderText is what the bi-encoder embeds of a ticket: as a query, the
// text known when it opened with ticket IDs masked (the reranker's query
// text); as a document, what the first stage indexes of it at its opening.
// A document is embedded once for every query, so it holds nothing written
// after it opened (data.Ticket.AsOf); its notes reach the cross-encoder
// through the pair text, as of each query's time. Training, validation and
// BiEncoderScores all render tickets here and only here.
func (p *Project) biEncoderText(t data.Ticket, side biSide, m *mining.Matcher) string {
	if side == biQuery {
		return p.queryText(t, m)
	}
	return split.MaskIDs(docText(t.Opening()), m)
}

// biKey names a ticket rendered for a side, for embedding caches. A query
// is rendered as the learned ranker's evidence renders it (queryText), so
// they share "q:"; a document is not (embedDocText is "d:"), so it has a
// key of its own: one vector cache per model holds both without each
// overwriting the other's vectors.
func biKey(id string, side biSide) string {
	if side == biQuery {
		return "q:" + id
	}
	return "bd:" + id
}

// biExample is one (query, relevant document) training pair.
type biExample struct{ Query, Positive string }

// biTrainingData is the bi-encoder's training set before tokenization.
type biTrainingData struct {
	examples  []biExample
	negatives map[string][]string        // query → usable hard negatives, in stored order
	relevant  map[string]map[string]bool // query → every ticket known relevant to it (any window, any filter)
}

// biEncoderData gathers the train window's training positives (mined, and
// promoted by review), the usable hard negatives after review, and every
// known relevance link, used to keep a relevant ticket out of a query's
// in-batch negatives.
func (p *Project) biEncoderData(a *archive) (biTrainingData, error) {
	pairs, err := p.Pairs()
	if err != nil {
		return biTrainingData{}, err
	}
	rv, err := p.reviews()
	if err != nil {
		return biTrainingData{}, err
	}
	td := biTrainingData{negatives: map[string][]string{}, relevant: map[string]map[string]bool{}}
	link := func(q, d string) {
		if td.relevant[q] == nil {
			td.relevant[q] = map[string]bool{}
		}
		td.relevant[q][d] = true
	}
	for _, sp := range pairs {
		link(sp.Query, sp.Positive)
		if sp.Window != "train" || !sp.Training() {
			continue
		}
		if _, ok := a.get(sp.Query); !ok {
			continue
		}
		if _, ok := a.get(sp.Positive); !ok {
			continue
		}
		td.examples = append(td.examples, biExample{sp.Query, sp.Positive})
	}
	err = forEachJSON(p.Store, collNegatives, func(q string, negs []negatives.HardNegative) error {
		var qc QueryCandidates
		if _, err := p.Store.GetRecord(collCandidates, q, &qc); err != nil {
			return err
		}
		if qc.Window != "train" {
			return nil
		}
		usable, promoted := negatives.ApplyReviews(negs, rv)
		for _, n := range usable {
			if _, ok := a.get(n.Candidate); ok {
				td.negatives[q] = append(td.negatives[q], n.Candidate)
			}
		}
		for _, n := range promoted {
			link(q, n.Candidate)
			if _, ok := a.get(n.Candidate); ok {
				td.examples = append(td.examples, biExample{q, n.Candidate})
			}
		}
		return nil
	})
	if err != nil {
		return biTrainingData{}, err
	}
	slices.SortFunc(td.examples, func(x, y biExample) int {
		if c := strings.Compare(x.Query, y.Query); c != 0 {
			return c
		}
		return strings.Compare(x.Positive, y.Positive)
	})
	td.examples = slices.Compact(td.examples)
	if len(td.examples) == 0 {
		return biTrainingData{}, fmt.Errorf("no training positives in the train window: run mining first (precedent mine)")
	}
	return td, nil
}

func (td biTrainingData) queries() int {
	n := 0
	for i, e := range td.examples {
		if i == 0 || e.Query != td.examples[i-1].Query {
			n++
		}
	}
	return n
}

func (td biTrainingData) negativeCount() int {
	n := 0
	for i, e := range td.examples {
		if i == 0 || e.Query != td.examples[i-1].Query {
			n += len(td.negatives[e.Query])
		}
	}
	return n
}

// fingerprint identifies the training data and the options that shape it.
func (td biTrainingData) fingerprint(parts ...string) string {
	exs := make([]example, 0, len(td.examples))
	for _, e := range td.examples {
		exs = append(exs, example{Query: e.Query, Doc: e.Positive, Label: 1})
		for _, n := range td.negatives[e.Query] {
			exs = append(exs, example{Query: e.Query, Doc: n})
		}
	}
	return fingerprint(exs, parts...)
}

// saveBiRun stores r in the bi-encoder registry.
func (p *Project) saveBiRun(r BiEncoderRun) error { return p.putRun(biEncoderRuns, r.ID, r) }

// BiEncoderRuns lists the bi-encoder runs, newest first.
func (p *Project) BiEncoderRuns() ([]BiEncoderRun, error) {
	return newestFirst[BiEncoderRun](p.Store, collBiRuns)
}

// findBiRun resolves a bi-encoder run ID; "last" is the newest.
func (p *Project) findBiRun(id string) (BiEncoderRun, error) {
	runs, err := p.BiEncoderRuns()
	if err != nil {
		return BiEncoderRun{}, err
	}
	if len(runs) == 0 {
		return BiEncoderRun{}, fmt.Errorf("no bi-encoder runs yet: run `precedent train --kind bi-encoder` first")
	}
	if id == "" || id == "last" {
		return runs[0], nil
	}
	for _, r := range runs {
		if r.ID == id {
			return r, nil
		}
	}
	return BiEncoderRun{}, fmt.Errorf("no bi-encoder run %q", id)
}
