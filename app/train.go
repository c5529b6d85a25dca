package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/train"
	"github.com/precedent/precedent/rerank"
)

const collRuns = "runs"

// TrainOptions configure a fine-tuning run of the cross-encoder; zero
// values take DefaultTrainOptions.
type TrainOptions struct {
	RunOptions            // the options every run takes (MaxLen: tokens per pair, default 256)
	FromScratch   bool    `json:"from_scratch"`          // a small model from scratch instead (tokenizer of Model)
	ScratchLayers int     `json:"scratch_layers"`        // default 2
	ScratchHidden int     `json:"scratch_hidden"`        // default 128
	PosWeight     float64 `json:"pos_weight"`            // 0 = negatives per positive
	Precision     string  `json:"precision,omitempty"`   // validation scoring: "" = project setting, then auto; "f32", "bf16"
	PairFormat    string  `json:"pair_format,omitempty"` // "" = project setting
	MaxMemoryMB   int     `json:"max_memory_mb"`         // memory budget; micro-batch, then batch, then max length, are lowered to fit (0 = Settings.MemoryLimitMB, else 3/4 of RAM)
	// MicroBatch is the pairs per forward/backward pass (default 4): a step
	// accumulates the gradient of its batch over passes of this many pairs,
	// so a step's memory follows the micro-batch while what is optimised
	// follows the batch. At least BatchSize (the CLI's --micro-batch 0) runs
	// the whole batch in one pass; a larger value is lowered to BatchSize. A
	// run recorded before this option existed has 0 and resumes in one pass,
	// as it started (a resumed run keeps its options).
	MicroBatch int `json:"micro_batch,omitempty"`
	// WarmStart is the number of distillation steps run before fine-tuning
	// (0 = none): the cross-encoder is first fitted to the agreement of BM25
	// and the off-the-shelf bi-encoder on training-window tickets searched as
	// queries (see warmStart), with no label.
	WarmStart int `json:"warm_start,omitempty"`
	// PlainShare is the share of training examples (0 to 1) rendered as a
	// pipeline sends plain strings to /v2/rerank (rerank.RenderPlainPair)
	// instead of in the pair format, drawn per example with Seed
	// (plainDraw). Validation, evaluation and serving tickets keep the pair
	// format.
	PlainShare float64 `json:"plain_share"`
}

// RunRecord is one training run in the project's model registry.
type RunRecord struct {
	RunCore
	Options   TrainOptions `json:"options"`
	Positives int          `json:"positives"`
	Negatives int          `json:"negatives"`
	Stale     string       `json:"stale,omitempty"` // set when re-mining changed the labels it was trained on (the run is kept)
	// ValEnd is the end of the validation window it was trained and chosen
	// on: `precedent monitor` watches the queries opened after it.
	ValEnd time.Time `json:"validation_end,omitzero"`
	// WarmStart is what the warm start did (nil: none was asked for).
	WarmStart *WarmStartRecord `json:"warm_start,omitempty"`
}

// TrainResult is a finished (or stopped) run.
type TrainResult struct {
	Run   RunRecord     `json:"run"`
	Curve []train.Point `json:"curve"`
}

// ScratchLR is the default peak learning rate of a model trained from
// scratch (TrainOptions.FromScratch): far above a pretrained model's.
const ScratchLR = 5e-4

// DefaultTrainOptions are the values a fine-tuning run takes where its
// TrainOptions are zero (LR: ScratchLR instead when FromScratch): sizes for
// a full MiniLM-L6 fine-tune. The CLI's train flags default to them.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{RunOptions: defaultRunOptions(256), ScratchLayers: 2, ScratchHidden: 128, MicroBatch: defaultMicroBatch}
}

// defaultMicroBatch is the default TrainOptions.MicroBatch: a quarter of
// the default batch. Measured with `precedent train --steps 24
// --eval-every 12` on the real-archive project (MiniLM-L6, 256 tokens,
// batch 16, XLA CPU; README, "Training memory with defaults"): one pass
// peaked at 3.6–3.8 GB, passes of 8 at 2.4–3.2 GB, passes of 4 at 2.1–2.2
// GB, for about 5% more time per step than passes of 8.
const defaultMicroBatch = 4

// validationTokens bounds the tokens of one validation forward pass
// during training: validation runs beside the training state (weights,
// AdamW moments, accumulators), and its scratch grows with rows × length.
// At the default 256 tokens that is 16 pairs per pass; at the demo's 128,
// the engine's usual 32.
const validationTokens = 4096

// validationBatch is the pairs per validation forward pass at maxLen.
func validationBatch(maxLen int) int { return min(32, max(1, validationTokens/max(1, maxLen))) }

// DemoTrainOptions are DefaultTrainOptions cut to fine-tune in minutes on
// a laptop's CPU (two layers kept, 128 tokens, 400 steps, a smaller
// validation): the defaults of `precedent demo` and of the desktop's
// Training panel.
func DemoTrainOptions() TrainOptions {
	o := DefaultTrainOptions()
	o.KeepLayers, o.MaxLen, o.MaxSteps, o.LR = 2, 128, 400, 1e-4
	o.EvalEvery, o.Patience, o.ValQueries, o.ValDepth = 100, 2, 60, 40
	// Two layers at 128 tokens hold about a twelfth of the default's
	// activations: the whole batch fits in one pass, the fastest way.
	o.MicroBatch = o.BatchSize
	return o
}

func (o TrainOptions) withDefaults() TrainOptions {
	d := DefaultTrainOptions()
	if o.LR == 0 && o.FromScratch {
		o.LR = ScratchLR
	}
	o.RunOptions = o.RunOptions.withDefaults(d.RunOptions)
	if o.ScratchLayers == 0 {
		o.ScratchLayers = d.ScratchLayers
	}
	if o.ScratchHidden == 0 {
		o.ScratchHidden = d.ScratchHidden
	}
	if o.MicroBatch == 0 {
		o.MicroBatch = d.MicroBatch
	}
	if o.MicroBatch > o.BatchSize && o.BatchSize > 0 {
		o.MicroBatch = o.BatchSize // one pass either way
	}
	return o
}

// Validate reports the first option out of its bounds (zero values stand
// for their defaults), as an *OptionError naming the option and its flag.
// Train refuses to start a run with such options (a resumed run keeps the
// options it started with); the CLI and the desktop call it first.
func (o TrainOptions) Validate() error {
	o = o.withDefaults()
	if err := o.RunOptions.check(); err != nil {
		return err
	}
	heads := max(1, o.ScratchHidden/64) // as startModel builds it
	_, _, precErr := inferencePrecision(o.Precision, backend.Info{})
	_, formatErr := pairtext.ByName(o.PairFormat)
	return firstOutOfBounds(
		bound{o.ScratchLayers >= 1 && o.ScratchLayers <= maxKeepLayers, "layers from scratch", "--scratch-layers", fmt.Sprintf("1 to %d", maxKeepLayers), o.ScratchLayers},
		bound{o.ScratchHidden >= 1 && o.ScratchHidden%heads == 0, "hidden size from scratch", "--scratch-hidden",
			"a positive size its attention heads (one per 64) divide, such as a multiple of 64", o.ScratchHidden},
		bound{finite(o.PosWeight) && o.PosWeight >= 0, "positive weight", "", "0 (negatives per positive) or more", o.PosWeight},
		bound{precErr == nil, "precision", "--precision", "auto, f32 or bf16", o.Precision},
		bound{formatErr == nil, "pair format", "--pair-format", "structured or plain", o.PairFormat},
		bound{o.MaxMemoryMB >= 0, "memory budget", "--max-memory", "0 (the project's limit) or more MB", o.MaxMemoryMB},
		bound{o.MicroBatch >= 1 && o.MicroBatch <= o.BatchSize, "micro-batch", "--micro-batch", fmt.Sprintf("0 (the whole batch) to the batch size, %d", o.BatchSize), o.MicroBatch},
		bound{o.WarmStart >= 0 && o.WarmStart <= maxRunSteps, "warm-start steps", "--warm-start", fmt.Sprintf("0 (none) to %d", maxRunSteps), o.WarmStart},
		bound{o.PlainShare >= 0 && o.PlainShare <= 1, "plain share", "--plain-share", "0 to 1", o.PlainShare},
	)
}

// Train fine-tunes the cross-encoder on the train window's positives and
// reviewed hard negatives, validating MRR@10 on the validation window's
// stored candidates, keeping the best model, stopping early, and saving the
// result in Hugging Face layout. A cancelled run resumes with
// TrainOptions.Resume. The runner (runner.go) does what every model's run
// does; this prepares the cross-encoder's part.
func (p *Project) Train(ctx context.Context, o TrainOptions, progress Progress) (TrainResult, error) {
	start := time.Now()
	settings := p.SettingsSnapshot()
	var rec RunRecord
	resume := o.Resume != ""
	if resume {
		r, err := p.findRun(o.Resume)
		if err != nil {
			return TrainResult{}, err
		}
		if err := crossEncoderRuns.resumable(r.RunCore); err != nil {
			return TrainResult{}, err
		}
		backendName := o.Backend
		rec, o = r, r.Options
		o.Backend = backendName
	} else {
		o = o.withDefaults()
		if err := o.Validate(); err != nil {
			return TrainResult{}, fmt.Errorf("train: %w", err)
		}
		rec = RunRecord{RunCore: p.newRun(crossEncoderRuns, start), Options: o}
	}
	rn := &runner{kind: crossEncoderRuns, rec: &rec.RunCore, store: func() error { return p.saveRun(rec) },
		resume: resume, start: start, progress: progress}
	a, err := p.loadArchive()
	if err != nil {
		return TrainResult{}, err
	}
	m, tokPath, startModel, err := p.startModel(o)
	if err != nil {
		return TrainResult{}, err
	}
	if err := rn.fits(m, o.MaxLen); err != nil {
		return TrainResult{}, err
	}
	if !resume { // a resumed run keeps the batch and length it started with
		fit, err := fitMemory(&o, m, settings.MemoryLimitMB)
		if err != nil {
			return TrainResult{}, fmt.Errorf("train: %w", err)
		}
		rec.Options = o
		if fit.Lowered {
			rn.emit(Event{Phase: "prepare", Message: "memory: lowered to " + fit.String()})
		}
	}
	b, info, err := p.backend(pick(o.Backend, settings.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return TrainResult{}, err
	}
	format, err := p.pairFormatIn(settings, o.PairFormat)
	if err != nil {
		return TrainResult{}, err
	}
	prec, _, err := inferencePrecision(pick(o.Precision, settings.Precision, defaultPrecision), info)
	if err != nil {
		return TrainResult{}, err
	}
	eng, err := rerank.NewEngine(m, tokPath, b, format, o.MaxLen, prec)
	if err != nil {
		return TrainResult{}, err
	}
	defer eng.Close()
	rr := eng.WithBatch(validationBatch(o.MaxLen))

	rn.emit(Event{Phase: "prepare", Message: "building the training set"})
	exs, err := p.trainingExamples(a)
	if err != nil {
		return TrainResult{}, err
	}
	if err := rn.trainsOn(fingerprint(exs, startModel, format.Name, trainShape(o))); err != nil {
		return TrainResult{}, err
	}
	tps, err := ticketPairs(a, exs)
	if err != nil {
		return TrainResult{}, err
	}
	labels := make([]float32, len(exs))
	rec.Positives, rec.Negatives = 0, 0
	for i, e := range exs {
		labels[i] = e.Label
		if e.Label > 0 {
			rec.Positives++
		} else {
			rec.Negatives++
		}
	}
	set := newPairSet(rr.PairEncoder, tps, labels)
	set.plain = plainDraw(len(tps), o.PlainShare, o.Seed)
	rec.Examples, rec.StartModel, rec.Backend = len(exs), startModel, info.Description
	if mr, ok, err := p.LastMine(); err == nil && ok && rec.ValEnd.IsZero() {
		rec.ValEnd = mr.Split.ValEnd
	}

	val, err := p.validationQueries(o)
	if err != nil {
		return TrainResult{}, err
	}
	// Every validation's scores are kept, so the starting model's and the
	// best checkpoint's go to the score cache and evaluation, which chooses
	// its fusion on these same lists, does not score them again.
	type validation struct {
		mrr   float64
		lists [][]eval.Scored
	}
	var validations []validation
	validate := func(ctx context.Context) (float64, error) {
		clock := newETAClock()
		lists, err := rankLists(ctx, rr, a, val, o.ValDepth, func(done, total int, work float64) {
			rn.emit(Event{Phase: "validate", Done: int64(done), Total: int64(total), ETA: clock.left(workUnits(work), workUnits(1))})
		})
		if err != nil {
			return 0, err
		}
		mrr := mrrAt10(val, lists)
		validations = append(validations, validation{mrr, lists})
		return mrr, nil
	}
	startValidated := func() {
		if !o.FromScratch {
			_ = p.cacheLists(p.scoreKey(startScoreModel(o, startModel), rr), val, validations[0].lists) // a cache: a failure only costs time later
		}
	}
	fit := func(ctx context.Context, cfg train.Config, validate train.Validate, onEvent func(train.Event)) (train.Result, error) {
		fresh := !resume
		// The warm start runs once, before the first fine-tuning step; a run
		// stopped during it starts the warm start and fine-tuning over when resumed.
		if o.WarmStart > 0 && (rec.WarmStart == nil || !rec.WarmStart.Finished) {
			progress.emit(Event{Step: "warm-start", Phase: "prepare", Message: fmt.Sprintf("%d distillation steps: %s", o.WarmStart, warmTeacher)})
			ws, err := p.warmStart(ctx, a, rr, b, m, o, val, progress)
			rec.WarmStart, rec.Updated = &ws, time.Now().UTC()
			if err != nil {
				return train.Result{}, err
			}
			if err := p.saveRun(rec); err != nil {
				return train.Result{}, err
			}
			progress.emit(Event{Step: "warm-start", Phase: "done", Message: fmt.Sprintf("warm start: %d steps on %d pairs of %d queries in %.0fs, validation MRR@10 %.3f → %.3f",
				ws.Done, ws.Pairs, ws.Queries, ws.Seconds, rec.StartMRR, ws.ValMRR)})
			fresh = true
		}
		if fresh {
			return train.Train(ctx, b, m, set, cfg, validate, onEvent)
		}
		return train.Resume(ctx, b, m, set, cfg, validate, onEvent)
	}
	save := func(train.Result) error {
		rn.emit(Event{Phase: "save", Message: "saving the best model (Hugging Face layout)"})
		rec.ModelDir = filepath.Join(rec.Dir, "model")
		if err := m.Save(rec.ModelDir); err != nil {
			return err
		}
		sc, err := p.servingConfigFor(rec)
		if err != nil {
			return err
		}
		if err := writeServingConfig(rec.ModelDir, sc); err != nil {
			return err
		}
		// The saved model is the checkpoint whose validation scored best (the
		// last one with that score): cache its validation scores.
		for i := len(validations) - 1; i >= 0; i-- {
			if validations[i].mrr == rec.BestMRR {
				_ = p.cacheLists(p.scoreKey(runScoreModel(rec), rr), val, validations[i].lists)
				break
			}
		}
		return nil
	}
	curve, recorded, err := rn.run(ctx, o.RunOptions, trainee{model: m, posWeight: o.PosWeight, microBatch: o.MicroBatch, validate: validate,
		startValidated: startValidated, fit: fit, save: save})
	if !recorded {
		return TrainResult{}, err
	}
	return TrainResult{Run: rec, Curve: curve}, err
}

// trainShape is the part of the options that shapes the training set's
// model input, for its fingerprint. A run without a plain share keeps the
// fingerprint it had before PlainShare existed.
func trainShape(o TrainOptions) string {
	s := fmt.Sprint(o.MaxLen, o.KeepLayers, o.FromScratch, o.ScratchLayers, o.ScratchHidden)
	if o.PlainShare > 0 {
		s += fmt.Sprint(" plain ", o.PlainShare)
	}
	return s
}

// startModel builds the cross-encoder training starts from and returns the
// tokenizer path and a description of the start.
func (p *Project) startModel(o TrainOptions) (*model.Model, string, string, error) {
	dir, err := p.ResolveModel(o.Model)
	if err != nil {
		return nil, "", "", fmt.Errorf("%w: %w", errNoModel, err)
	}
	ck, err := hf.Load(dir)
	if err != nil {
		return nil, "", "", fmt.Errorf("%w: %w", errNoModel, err)
	}
	if o.FromScratch {
		cfg := ck.Config
		cfg.Architectures = []string{"BertForSequenceClassification"}
		cfg.NumHiddenLayers, cfg.HiddenSize = o.ScratchLayers, o.ScratchHidden
		cfg.NumAttentionHeads = max(1, o.ScratchHidden/64)
		cfg.IntermediateSize = 4 * o.ScratchHidden
		cfg.ID2Label, cfg.Label2ID = map[string]string{"0": "LABEL_0"}, map[string]int{"LABEL_0": 0}
		m, err := model.FromScratch(cfg, model.CrossEncoder, o.Seed)
		if err != nil {
			return nil, "", "", err
		}
		m.SetTokenizerPath(ck.TokenizerPath)
		return m, ck.TokenizerPath, fmt.Sprintf("scratch(%d layers, hidden %d; tokenizer of %s)", o.ScratchLayers, o.ScratchHidden, dir), nil
	}
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder, KeepLayers: o.KeepLayers, Seed: o.Seed})
	if err != nil {
		return nil, "", "", err
	}
	return m, ck.TokenizerPath, dir, nil
}

// validationQueries picks the validation window's queries, evenly spread in
// time, capped at o.ValQueries.
func (p *Project) validationQueries(o TrainOptions) ([]QueryCandidates, error) {
	return p.validationSample(o.ValQueries)
}

// validationSample is n of the validation window's queries with candidates
// and a relevant ticket among them, evenly spread in time (n < 0: all).
func (p *Project) validationSample(n int) ([]QueryCandidates, error) {
	qcs, err := p.Candidates("validation")
	if err != nil {
		return nil, err
	}
	qcs = slices.DeleteFunc(qcs, func(qc QueryCandidates) bool { return len(qc.Relevant) == 0 })
	if len(qcs) == 0 {
		return nil, fmt.Errorf("no validation queries with candidates: widen the validation window (precedent mine --val)")
	}
	return spread(qcs, n), nil
}

// spread keeps n items evenly spaced (all when n < 0 or n ≥ len).
func spread[T any](xs []T, n int) []T {
	if n < 0 || n >= len(xs) {
		return xs
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, xs[i*len(xs)/n])
	}
	return out
}

// saveRun stores r in the cross-encoder registry.
func (p *Project) saveRun(r RunRecord) error { return p.putRun(crossEncoderRuns, r.ID, r) }

// Runs lists the training runs, newest first.
func (p *Project) Runs() ([]RunRecord, error) { return newestFirst[RunRecord](p.Store, collRuns) }

// findRun resolves a run ID; "last" is the newest run, "best" the finished
// run with the best validation MRR@10.
func (p *Project) findRun(id string) (RunRecord, error) {
	runs, err := p.Runs()
	if err != nil {
		return RunRecord{}, err
	}
	if len(runs) == 0 {
		return RunRecord{}, fmt.Errorf("no training runs yet: run `precedent train` first")
	}
	switch id {
	case "", "last":
		return runs[0], nil
	case "best":
		best := -1
		for i, r := range runs {
			if r.ModelDir != "" && (best < 0 || r.BestMRR > runs[best].BestMRR) {
				best = i
			}
		}
		if best < 0 {
			return RunRecord{}, fmt.Errorf("no finished training run yet")
		}
		return runs[best], nil
	}
	for _, r := range runs {
		if r.ID == id {
			return r, nil
		}
	}
	return RunRecord{}, fmt.Errorf("no run %q (see `precedent runs`)", id)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
