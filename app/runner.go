package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/train"
	"github.com/precedent/precedent/platform"
)

// Every model trains through one runner. It owns what a run is to the
// project: the record's status and saving, the refusal to resume a run that
// ended or whose data changed, validating the starting model, the training
// config, the record kept up to date at each checkpoint, and how the run
// ended: finished, early-stopped, cancelled (it resumes) or failed, with
// advice when it ran out of memory. A model brings what only it knows as a
// trainee: its weights, its validation, its loss and how its best weights
// are saved.

// Run statuses: a run is running until it ends with one of train's stop
// reasons (train.StoppedFinished, train.StoppedEarly,
// train.StoppedCancelled) or fails. A cancelled or failed run resumes.
const (
	runRunning = "running"
	runFailed  = "failed"
)

// RunCore is what every training run records, whatever it trains. RunRecord
// and BiEncoderRun embed it, so its fields sit at the top level of their JSON.
type RunCore struct {
	ID          string    `json:"id"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Status      string    `json:"status"` // running, finished, early-stopped, cancelled, failed
	Error       string    `json:"error,omitempty"`
	StartModel  string    `json:"start_model"` // resolved folder, or the from-scratch shape
	Backend     string    `json:"backend"`
	Fingerprint string    `json:"fingerprint"` // the training data and the options that shape it
	Examples    int       `json:"examples"`    // cross-encoder: labelled pairs; bi-encoder: (query, positive) pairs
	Steps       int       `json:"steps"`
	TotalSteps  int       `json:"total_steps"`
	BestStep    int       `json:"best_step"`
	BestMRR     float64   `json:"best_val_mrr@10"`
	StartMRR    float64   `json:"start_val_mrr@10"`
	Dir         string    `json:"dir"`
	ModelDir    string    `json:"model_dir,omitempty"` // the best model (cross-encoder: Hugging Face layout; bi-encoder: sentence-transformers)
	Seconds     float64   `json:"seconds"`
}

// ended reports whether the run finished or stopped early: resuming it has
// nothing left to do.
func (c RunCore) ended() bool {
	return c.Status == train.StoppedFinished || c.Status == train.StoppedEarly
}

// runKind is what the runner knows of a kind of model: its registry and
// how messages name it.
type runKind struct {
	collection string // the store collection of its run records
	idPrefix   string // a run's ID is this prefix and its start time
	step       string // the pipeline step of its events
	run        string // one of its runs, in messages
	verb       string // what a run's errors start with
	model      string // the model, in messages
}

var (
	crossEncoderRuns = runKind{collection: collRuns, idPrefix: "run-", step: "train", run: "run", verb: "train", model: "model"}
	biEncoderRuns    = runKind{collection: collBiRuns, idPrefix: "bi-", step: "train-bi", run: "bi-encoder run", verb: "train bi-encoder", model: "bi-encoder"}
)

// resumable refuses to resume a run that already ended.
func (k runKind) resumable(c RunCore) error {
	if c.ended() {
		return fmt.Errorf("%s %s already %s; start a new run", k.run, c.ID, c.Status)
	}
	return nil
}

// newRun is the record core of a run of k started at t: an ID naming the
// start time, unique in k's registry and among the project's run folders.
func (p *Project) newRun(k runKind, t time.Time) RunCore {
	base := k.idPrefix + t.UTC().Format("20060102-150405")
	id := base
	for i := 2; ; i++ {
		var r json.RawMessage
		ok, _ := p.Store.GetRecord(k.collection, id, &r)
		if _, err := os.Stat(p.Path("runs", id)); !ok && os.IsNotExist(err) {
			break
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
	return RunCore{ID: id, Created: t.UTC(), Dir: p.Path("runs", id)}
}

// putRun stores a run record under its ID in k's registry.
func (p *Project) putRun(k runKind, id string, rec any) error {
	return p.Store.PutRecords(k.collection, []store.Record{{Key: id, Value: rec}})
}

// runner carries one session of a run, new or resumed, to its end.
type runner struct {
	kind     runKind
	rec      *RunCore     // the core of the run's record
	store    func() error // saves the whole record in the kind's registry
	resume   bool         // the session continues a stored run
	start    time.Time    // when the session began
	progress Progress
}

// trainee is what a model brings to the runner.
type trainee struct {
	model     *model.Model // the weights trained (their shape sizes out-of-memory advice)
	posWeight float64      // train.Config.PosWeight (0: negatives per positive)
	// microBatch is train.Config.MicroBatch: the rows of one forward/backward
	// pass when a step accumulates its batch over passes, which is then what
	// out-of-memory advice lowers (0: the whole batch in one pass).
	microBatch int
	validate   train.Validate // validation MRR@10 of the current weights
	// startValidated runs after a new run validated the starting model
	// (nil: nothing to do).
	startValidated func()
	// fit trains with cfg from the starting weights or, resuming, from the
	// run's checkpoint, validating with validate and reporting through onEvent.
	fit func(ctx context.Context, cfg train.Config, validate train.Validate, onEvent func(train.Event)) (train.Result, error)
	// save writes the best weights of a run that finished or stopped early
	// and sets the record's ModelDir.
	save func(res train.Result) error
}

// emit reports a pipeline event of the run's step.
func (r *runner) emit(e Event) {
	e.Step = r.kind.step
	r.progress.emit(e)
}

// fits refuses a new run longer than m's position embeddings allow.
func (r *runner) fits(m *model.Model, maxLen int) error {
	if !r.resume && maxLen > m.MaxLen() {
		return fmt.Errorf("%s: %w", r.kind.verb, &OptionError{Option: "max length", Flag: "--max-len", Value: maxLen,
			Want: fmt.Sprintf("at most %d tokens, the starting %s's positions", m.MaxLen(), r.kind.model)})
	}
	return nil
}

// trainsOn records the fingerprint of the run's training data, refusing to
// resume a run whose data changed since it started.
func (r *runner) trainsOn(fingerprint string) error {
	if r.resume && fingerprint != r.rec.Fingerprint {
		return fmt.Errorf("%s %s: the training data changed since it started (mining, negatives or reviews); start a new run", r.kind.run, r.rec.ID)
	}
	r.rec.Fingerprint = fingerprint
	return nil
}

// run trains t with o: it validates the starting model (a new run), marks
// the run running, trains, and records how the run ended; a run that
// finished or stopped early has t save its best weights. recorded says
// whether the record holds the run's end: a failure before the run was
// first saved, or while saving its model, leaves the stored record as it was.
func (r *runner) run(ctx context.Context, o RunOptions, t trainee) (curve []train.Point, recorded bool, err error) {
	rec := r.rec
	validate := releasing(t.validate)
	if !r.resume {
		r.emit(Event{Phase: "validate", Message: "validation MRR@10 of the starting " + r.kind.model})
		if rec.StartMRR, err = validate(ctx); err != nil {
			return nil, false, err
		}
		if t.startValidated != nil {
			t.startValidated()
		}
	}
	rec.TotalSteps = stepsFor(rec.Examples, o)
	cfg := trainConfig(o, rec.TotalSteps, rec.Dir)
	cfg.PosWeight, cfg.MicroBatch = t.posWeight, t.microBatch
	rec.Status, rec.Updated = runRunning, time.Now().UTC()
	if err := r.store(); err != nil {
		return nil, false, err
	}
	onEvent := trainEvents(r.kind.step, r.progress, func(step int, best float64) {
		rec.Steps, rec.BestMRR, rec.Updated = step, best, time.Now().UTC()
		_ = r.store() // progress bookkeeping; the checkpoint itself is on disk
	})
	res, err := t.fit(ctx, cfg, validate, onEvent)
	rec.Updated, rec.Seconds = time.Now().UTC(), rec.Seconds+time.Since(r.start).Seconds()
	rec.Steps, rec.BestStep, rec.BestMRR = res.Steps, res.BestStep, res.BestMetric
	if err != nil {
		rec.Status = runFailed
		if errors.Is(err, context.Canceled) || res.Stopped == train.StoppedCancelled {
			rec.Status = train.StoppedCancelled
		}
		err = backend.ExplainOutOfMemory(err, backend.ShapeOf(t.model.Config()), o.BatchSize, t.microBatch, o.MaxLen)
		rec.Error = err.Error()
		_ = r.store()
		return res.Curve, true, fmt.Errorf("%s %s: %w", r.kind.verb, rec.ID, err)
	}
	rec.Status, rec.Error = res.Stopped, ""
	if res.Stopped == train.StoppedCancelled {
		_ = r.store()
		return res.Curve, true, fmt.Errorf("%s %s: %w", r.kind.verb, rec.ID, context.Canceled)
	}
	if err := t.save(res); err != nil {
		return nil, false, err
	}
	if err := r.store(); err != nil {
		return nil, false, err
	}
	r.emit(Event{Phase: "done", Done: int64(rec.Steps), Total: int64(rec.TotalSteps), Final: true,
		Values: map[string]float64{"best_val_mrr@10": rec.BestMRR}})
	return res.Curve, true, nil
}

// releasing is validate followed by returning the C heap's free memory to
// the system (platform.ReleaseMemory). Validation scores with graphs and
// buffers of its own shapes, compiled the first time; the heap, tuned to
// keep freed blocks for the training steps' reuse, would otherwise hold
// what compiling and scoring freed through every following step (about
// 0.8 GiB of a default run on the real archive, measured with gdb calling
// malloc_trim), on top of each step's own scratch memory.
func releasing(validate train.Validate) train.Validate {
	return func(ctx context.Context) (float64, error) {
		defer platform.ReleaseMemory()
		return validate(ctx)
	}
}

// trainConfig is the training loop's config for a run of o over total
// steps, checkpointing in dir; validations default to 4 per run.
func trainConfig(o RunOptions, total int, dir string) train.Config {
	cfg := train.DefaultConfig()
	cfg.LR, cfg.Epochs, cfg.BatchSize, cfg.MaxSteps = o.LR, o.Epochs, o.BatchSize, o.MaxSteps
	cfg.Patience, cfg.CheckpointEvery, cfg.Seed, cfg.Dir = o.Patience, o.CheckpointEvery, o.Seed, dir
	cfg.EvalEvery = o.EvalEvery
	if cfg.EvalEvery == 0 {
		cfg.EvalEvery = max(1, total/4)
	}
	return cfg
}

// stepsFor is the number of steps a run of o takes over n examples.
func stepsFor(n int, o RunOptions) int {
	total := (n + o.BatchSize - 1) / o.BatchSize * o.Epochs
	if o.MaxSteps > 0 && o.MaxSteps < total {
		return o.MaxSteps
	}
	return total
}
