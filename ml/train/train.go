package train

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/precedent/precedent/ml/safetensors"
)

// Validate scores the model's current weights on held-out queries (e.g.
// MRR@10); higher is better. It should return promptly once ctx is done.
type Validate func(ctx context.Context) (float64, error)

// Train fine-tunes m on set from scratch (the model's current weights) and
// returns when all steps ran, validation stopped improving for
// cfg.Patience rounds, or ctx was cancelled; in the last case a checkpoint in
// cfg.Dir lets Resume continue. validate and onEvent may be nil.
func Train(ctx context.Context, backend compute.Backend, m Model, set TrainSet, cfg Config, validate Validate, onEvent func(Event)) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	if set.Len() == 0 {
		return Result{}, fmt.Errorf("train: the training set is empty")
	}
	if err := startFresh(m.Store(), cfg); err != nil {
		return Result{}, err
	}
	posWeight := cfg.PosWeight
	if posWeight == 0 {
		posWeight = 1
		if l, ok := set.(Labeled); ok {
			posWeight = defaultPosWeight(l.Labels())
		}
	}
	st := state{
		Config:     cfg,
		TrainLen:   set.Len(),
		PosWeight:  posWeight,
		TotalSteps: totalSteps(set.Len(), cfg.BatchSize, cfg.Epochs, cfg.MaxSteps),
	}
	return newRun(m, m.Store(), pairUpdates(backend, m, set, st), st, lengthsOf(set), validate, onEvent).loop(ctx, nil)
}

// startFresh checks that cfg.Dir holds no run yet, creates it, and resets
// the optimizer state and the dropout stream of store.
func startFresh(store *gmodel.Store, cfg Config) error {
	if cfg.Dir != "" {
		for _, name := range []string{checkpointDir, "." + checkpointDir + "-old", curveFile} {
			if _, err := os.Stat(filepath.Join(cfg.Dir, name)); !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("train %s: %w", cfg.Dir, ErrRunExists)
			}
		}
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return fmt.Errorf("train %s: %w", cfg.Dir, err)
		}
	}
	// Moments left by an earlier run on this model would skew the first updates.
	if err := store.DeleteVariablesInScope(optimizerScope); err != nil {
		return fmt.Errorf("train: clearing optimizer state: %w", err)
	}
	if err := store.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return fmt.Errorf("train: seeding dropout: %w", err)
	}
	return nil
}

// lengthsOf returns the set's token counts when it implements Lengths.
func lengthsOf(set any) []int {
	if l, ok := set.(Lengths); ok {
		return l.Lengths()
	}
	return nil
}

// Resume continues the run saved in cfg.Dir/checkpoint with the same data
// order, optimizer state and dropout stream, so it ends with the same
// weights and losses as an uninterrupted run. cfg must match the saved run
// in every field that changes the numbers (Patience, CheckpointEvery and Dir
// may differ, and MicroBatch: see Config.sameTrajectory); m must be built
// like the saved model (its weights are overwritten).
func Resume(ctx context.Context, backend compute.Backend, m Model, set TrainSet, cfg Config, validate Validate, onEvent func(Event)) (Result, error) {
	st, points, err := loadRun(m.Store(), cfg, set.Len())
	if err != nil {
		return Result{}, err
	}
	if st.Contrastive != nil {
		return Result{}, fmt.Errorf("resume %s: %w: the checkpoint is a bi-encoder run (use ResumeContrastive)", cfg.Dir, ErrConfig)
	}
	return newRun(m, m.Store(), pairUpdates(backend, m, set, st), st, lengthsOf(set), validate, onEvent).loop(ctx, points)
}

// loadRun reads the checkpoint in cfg.Dir into store and returns its state
// (with cfg in place of the saved config) and the curve up to its step,
// after checking that cfg and the training set's size n match the run.
func loadRun(store *gmodel.Store, cfg Config, n int) (state, []Point, error) {
	if err := cfg.check(); err != nil {
		return state{}, nil, err
	}
	if cfg.Dir == "" {
		return state{}, nil, fmt.Errorf("resume: %w: Dir is empty", ErrNoCheckpoint)
	}
	folder, err := openFolder(cfg.Dir, checkpointDir)
	if err != nil {
		return state{}, nil, fmt.Errorf("resume: %w", err)
	}
	st, err := loadFolder(folder, store, func(string) bool { return true })
	if err != nil {
		return state{}, nil, fmt.Errorf("resume: %w", err)
	}
	if err := cfg.sameTrajectory(st.Config); err != nil {
		return state{}, nil, fmt.Errorf("resume %s: %w", folder, err)
	}
	if n != st.TrainLen {
		return state{}, nil, fmt.Errorf("resume %s: %w: training set has %d examples, the checkpoint was trained on %d",
			folder, ErrConfig, n, st.TrainLen)
	}
	st.Config = cfg
	points, err := ReadCurve(cfg.Dir)
	if err != nil {
		return state{}, nil, fmt.Errorf("resume: %w", err)
	}
	kept := points[:0]
	for _, p := range points {
		if p.Step <= st.Step {
			kept = append(kept, p)
		}
	}
	return st, kept, nil
}

// updater applies one optimizer update on a batch of example indices and
// returns the loss before it and the number of real (unpadded) rows.
type updater interface {
	update(indices []int, lr float64, t int) (loss float64, rows int, err error)
	close()
}

// pairUpdates returns the constructor of the cross-encoder's updater
// (labelled pairs, BCE): one pass per step (pairUpdater), or accumulated
// over passes of Config.MicroBatch rows (accumUpdater). The loop calls it
// once it knows it will train, compiling nothing before.
func pairUpdates(backend compute.Backend, m Model, set TrainSet, st state) func() (updater, error) {
	return func() (updater, error) {
		if st.Config.accumulates() {
			s, err := newAccumStepper(backend, m, st.Config, st.PosWeight)
			if err != nil {
				return nil, err
			}
			return &accumUpdater{set: set, rows: st.Config.BatchSize, step: s}, nil
		}
		s, err := newStepper(backend, m, st.Config, st.PosWeight)
		if err != nil {
			return nil, err
		}
		return &pairUpdater{set: set, rows: st.Config.BatchSize, step: s}, nil
	}
}

// pairUpdater runs a step's batch, padded to rows, in one pass.
type pairUpdater struct {
	set  TrainSet
	rows int
	step *stepper
}

func (u *pairUpdater) update(indices []int, lr float64, t int) (float64, int, error) {
	b, labels, err := u.set.Batch(indices)
	if err != nil {
		return 0, 0, err
	}
	in, err := padInputs(b, labels, u.rows)
	if err != nil {
		return 0, 0, err
	}
	loss, _, err := u.step.run(in, lr, t)
	return loss, in.realRows, err
}

func (u *pairUpdater) close() { u.step.close() }

// accumUpdater runs a step's batch in passes and applies the optimizer
// once (accumStepper).
type accumUpdater struct {
	set  TrainSet
	rows int
	step *accumStepper
}

func (u *accumUpdater) update(indices []int, lr float64, t int) (float64, int, error) {
	b, labels, err := u.set.Batch(indices)
	if err != nil {
		return 0, 0, err
	}
	loss, _, err := u.step.run(b, labels, u.rows, lr, t)
	return loss, b.Rows, err
}

func (u *accumUpdater) close() { u.step.close() }

// run is one Train or Resume call in progress.
type run struct {
	store    *gmodel.Store
	exporter weightsExporter // nil when the model cannot name its weights the HF way
	updates  func() (updater, error)
	n        int // training examples
	st       state
	cfg      Config
	validate Validate
	onEvent  func(Event)
	sched    Schedule
	lengths  []int

	orderEpoch int
	order      [][]int
	points     []Point
	curve      *curveLog
	bestMem    map[string]*tensors.Tensor // best weights when there is no Dir

	stepEpoch      int     // epoch of the last step, for events
	examplesPerSec float64 // exponential moving average
	secPerStep     float64 // exponential moving average
	secPerEval     float64 // exponential moving average of a validation's duration
}

func newRun(model any, store *gmodel.Store, updates func() (updater, error), st state, lengths []int, validate Validate, onEvent func(Event)) *run {
	r := &run{
		store: store, updates: updates, n: st.TrainLen, st: st, cfg: st.Config,
		validate: validate, onEvent: onEvent,
		sched:      newSchedule(st.Config.LR, st.Config.WarmupFrac, st.TotalSteps),
		lengths:    lengths,
		orderEpoch: -1,
		stepEpoch:  st.Epoch,
	}
	if w, ok := model.(weightsExporter); ok {
		r.exporter = w
	}
	return r
}

// loop trains until the end, early stopping or cancellation.
func (r *run) loop(ctx context.Context, points []Point) (Result, error) {
	if r.lengths != nil && len(r.lengths) != r.n {
		return Result{}, fmt.Errorf("train: Lengths() has %d entries for %d examples", len(r.lengths), r.n)
	}
	r.points = points
	if r.st.Stopped != "" { // resuming a run that already ended
		if err := r.restoreBest(); err != nil {
			return Result{}, err
		}
		return r.result(r.st.Stopped), nil
	}
	resumedStop := false
	if r.st.PendingEval {
		var err error
		if resumedStop, err = r.evaluate(ctx); err != nil {
			return Result{}, err
		}
		if n := len(r.points); n > 0 && r.points[n-1].Step == r.st.Step && !r.st.PendingEval {
			r.points[n-1].Val = ptr(r.st.LastVal)
		}
	}
	curve, err := openCurve(r.cfg.Dir, r.points)
	if err != nil {
		return Result{}, fmt.Errorf("train: %w", err)
	}
	r.curve = curve
	defer r.curve.close()
	switch {
	case r.st.PendingEval: // cancelled again
		return r.finish(StoppedCancelled)
	case resumedStop:
		return r.finish(StoppedEarly)
	}

	step, err := r.updates()
	if err != nil {
		return Result{}, err
	}
	defer step.close()

	for r.st.Step < r.st.TotalSteps {
		if ctx.Err() != nil {
			return r.finish(StoppedCancelled)
		}
		start := time.Now()
		indices := r.batchIndices()
		lr := r.sched.At(r.st.Step)
		loss, rows, err := step.update(indices, lr, r.st.Step+1)
		if err != nil {
			return Result{}, fmt.Errorf("train step %d (epoch %d batch %d): %w", r.st.Step+1, r.st.Epoch, r.st.Batch, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return Result{}, fmt.Errorf("train step %d (epoch %d batch %d): loss is %v", r.st.Step+1, r.st.Epoch, r.st.Batch, loss)
		}
		r.timeStep(time.Since(start), rows)

		epoch := r.st.Epoch
		r.st.Step++
		r.st.LastLoss, r.st.LastLR = loss, lr
		r.st.Batch++
		epochEnd := r.st.Batch == len(r.order)
		if epochEnd {
			r.st.Epoch++
			r.st.Batch = 0
		}
		point := Point{Step: r.st.Step, Epoch: epoch, Loss: loss, LR: lr, ExamplesPerSec: r.examplesPerSec}
		r.stepEpoch = epoch
		r.emit(PhaseTrain, nil)

		last := r.st.Step == r.st.TotalSteps
		stop := false
		if r.validate != nil && ((r.cfg.EvalEvery > 0 && r.st.Step%r.cfg.EvalEvery == 0) || (r.cfg.EvalEvery == 0 && epochEnd) || last) {
			r.st.PendingEval = true
			if stop, err = r.evaluate(ctx); err != nil {
				return Result{}, err
			}
			if !r.st.PendingEval {
				point.Val = ptr(r.st.LastVal)
			}
		}
		r.points = append(r.points, point)
		if err := r.curve.append(point); err != nil {
			return Result{}, err
		}
		switch {
		case r.st.PendingEval:
			return r.finish(StoppedCancelled)
		case stop:
			return r.finish(StoppedEarly)
		case !last && r.cfg.CheckpointEvery > 0 && r.st.Step%r.cfg.CheckpointEvery == 0:
			if err := r.checkpoint(); err != nil {
				return Result{}, err
			}
		}
	}
	return r.finish(StoppedFinished)
}

// batchIndices returns the example indices of the next batch.
func (r *run) batchIndices() []int {
	if r.orderEpoch != r.st.Epoch {
		r.order = epochOrder(r.n, r.cfg.BatchSize, r.cfg.Seed, r.st.Epoch, r.lengths)
		r.orderEpoch = r.st.Epoch
	}
	return r.order[r.st.Batch]
}

// smoothing is the weight of the newest step in the throughput averages.
const smoothing = 0.2

// timeStep updates the throughput averages with one step's duration.
func (r *run) timeStep(d time.Duration, rows int) {
	sec := max(d.Seconds(), 1e-9)
	if r.secPerStep == 0 {
		r.secPerStep, r.examplesPerSec = sec, float64(rows)/sec
		return
	}
	r.secPerStep += smoothing * (sec - r.secPerStep)
	r.examplesPerSec += smoothing * (float64(rows)/sec - r.examplesPerSec)
}

// emit sends an event to the callback, if any.
func (r *run) emit(phase string, val *float64) {
	if r.onEvent == nil {
		return
	}
	r.onEvent(Event{
		Step:           r.st.Step,
		TotalSteps:     r.st.TotalSteps,
		Epoch:          r.stepEpoch,
		Loss:           r.st.LastLoss,
		LR:             r.st.LastLR,
		ExamplesPerSec: r.examplesPerSec,
		ETA:            r.eta(),
		ValMetric:      val,
		Best:           r.st.BestMetric,
		Phase:          phase,
	})
}

// eta is the expected time to the end of the run: the remaining steps and
// the validations still due, each at its recent average duration.
func (r *run) eta() time.Duration {
	sec := r.secPerStep * float64(r.st.TotalSteps-r.st.Step)
	if r.validate != nil {
		sec += r.secPerEval * float64(r.evalsAfter(r.st.Step))
	}
	return time.Duration(sec * float64(time.Second))
}

// evalsAfter counts the validations due after step (the last step always
// validates).
func (r *run) evalsAfter(step int) int {
	every := r.cfg.EvalEvery
	if every == 0 {
		every = stepsPerEpoch(r.n, r.cfg.BatchSize)
	}
	total := r.st.TotalSteps
	if step >= total {
		return 0
	}
	n := total/every - step/every
	if total%every != 0 {
		n++
	}
	return n
}

// evaluate runs the validation due at the current step. A validation
// interrupted by ctx leaves st.PendingEval set so that Resume repeats it.
func (r *run) evaluate(ctx context.Context) (stop bool, err error) {
	start := time.Now()
	metric, err := r.validate(ctx)
	if sec := time.Since(start).Seconds(); r.secPerEval == 0 {
		r.secPerEval = sec
	} else {
		r.secPerEval += smoothing * (sec - r.secPerEval)
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		return false, fmt.Errorf("validate at step %d: %w", r.st.Step, err)
	}
	r.st.PendingEval = false
	r.st.LastVal = metric
	if !math.IsNaN(metric) && (!r.st.HasBest || metric > r.st.BestMetric) {
		r.st.HasBest, r.st.BestMetric, r.st.BestStep, r.st.SinceBest = true, metric, r.st.Step, 0
		if err := r.saveBest(); err != nil {
			return false, err
		}
	} else {
		r.st.SinceBest++
	}
	r.emit(PhaseValidate, &metric)
	return r.cfg.Patience > 0 && r.st.SinceBest >= r.cfg.Patience, nil
}

// saveBest snapshots the model variables as the best so far.
func (r *run) saveBest() error {
	store := r.store
	if r.cfg.Dir == "" {
		r.bestMem = map[string]*tensors.Tensor{}
		for v := range store.IterVariables() {
			if !isBestVar(v) || !v.HasValue() {
				continue
			}
			value, err := v.Value()
			if err == nil {
				value, err = value.LocalClone()
			}
			if err != nil {
				return fmt.Errorf("save best at step %d variable %s: %w", r.st.Step, v.Path(), err)
			}
			r.bestMem[v.Path()] = value
		}
		return nil
	}
	var extra func(string) error
	if r.exporter != nil {
		extra = func(tmp string) error {
			weights, err := r.exporter.Weights()
			if err != nil {
				return err
			}
			return safetensors.Write(filepath.Join(tmp, weightsFile), weights, map[string]string{
				"format": "pt", "step": fmt.Sprint(r.st.Step), "metric": fmt.Sprint(r.st.BestMetric),
			})
		}
	}
	if err := saveFolder(r.cfg.Dir, bestDir, store, r.st, isBestVar, extra); err != nil {
		return fmt.Errorf("step %d: %w", r.st.Step, err)
	}
	return nil
}

// restoreBest puts the best validated weights back into the model's store.
func (r *run) restoreBest() error {
	if !r.st.HasBest {
		return nil
	}
	if r.cfg.Dir == "" {
		for path, value := range r.bestMem {
			if v := r.store.GetVariable(path); v != nil {
				if err := v.SetValue(value); err != nil {
					return fmt.Errorf("restore best variable %s: %w", path, err)
				}
			}
		}
		return nil
	}
	folder, err := openFolder(r.cfg.Dir, bestDir)
	if err != nil {
		return fmt.Errorf("restore best: %w", err)
	}
	return LoadWeights(r.store, folder)
}

// checkpoint saves everything Resume needs; a no-op without Dir.
func (r *run) checkpoint() error {
	if r.cfg.Dir == "" {
		return nil
	}
	if err := saveFolder(r.cfg.Dir, checkpointDir, r.store, r.st, isCheckpointVar, nil); err != nil {
		return fmt.Errorf("step %d: %w", r.st.Step, err)
	}
	r.emit(PhaseCheckpoint, nil)
	return nil
}

// finish writes the last checkpoint, restores the best weights unless the
// run was cancelled, and reports the result.
func (r *run) finish(reason string) (Result, error) {
	if reason != StoppedCancelled {
		r.st.Stopped = reason
	}
	if err := r.checkpoint(); err != nil {
		return Result{}, err
	}
	if reason != StoppedCancelled {
		if err := r.restoreBest(); err != nil {
			return Result{}, err
		}
	}
	res := r.result(reason)
	r.emit(PhaseDone, nil)
	return res, nil
}

// result summarizes the run's state.
func (r *run) result(reason string) Result {
	res := Result{Steps: r.st.Step, Stopped: reason, Curve: r.points}
	if r.st.HasBest {
		res.BestStep, res.BestMetric = r.st.BestStep, r.st.BestMetric
		if r.cfg.Dir != "" {
			res.BestDir = filepath.Join(r.cfg.Dir, bestDir)
		}
	}
	return res
}

func ptr(x float64) *float64 { return &x }
