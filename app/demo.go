package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/precedent/precedent/data/synth"
)

const metaDemo = "demo"

// DemoOptions size the end-to-end demo on the synthetic archive. The
// CLI starts from DefaultDemoOptions; a zero field takes what its step
// takes for it (a zero Train is DefaultTrainOptions, as Train reads it; a
// zero pivot is off).
type DemoOptions struct {
	Tickets   int          `json:"tickets"`
	Seed      int64        `json:"seed"`
	Train     TrainOptions `json:"train"`
	Eval      EvalOptions  `json:"eval"`
	NegPerQ   int          `json:"negatives_per_query"`
	Pivot     int          `json:"pivot"`      // entity-pivot candidates the first stage adds per query
	RulePivot int          `json:"rule_pivot"` // same-rule candidates the first stage adds per query
	Restart   bool         `json:"-"`          // start over instead of resuming
}

// DefaultDemoOptions are `precedent demo`'s: the synthetic archive's
// default size and seed, DemoTrainOptions (minutes on a laptop's CPU), an
// evaluation of 300 test queries reranking 40 candidates each, and the
// first stage's and hard-negative mining's defaults.
func DefaultDemoOptions() DemoOptions {
	fs, ev := DefaultFirstStageOptions(), DefaultEvalOptions()
	ev.Depth, ev.MaxQueries = 40, 300
	return DemoOptions{Tickets: synth.DefaultTickets, Seed: synth.DefaultSeed, Train: DemoTrainOptions(), Eval: ev,
		NegPerQ: DefaultNegativesOptions().PerQuery, Pivot: fs.Pivot, RulePivot: fs.RulePivot}
}

// withDefaults is o as its steps read it: the archive's size and seed and
// the negatives per query filled, and the training and evaluation options
// with their own defaults.
func (o DemoOptions) withDefaults() DemoOptions {
	d := DefaultDemoOptions()
	fillInt(&o.Tickets, d.Tickets)
	if o.Seed == 0 {
		o.Seed = d.Seed
	}
	fillInt(&o.NegPerQ, d.NegPerQ)
	o.Train, o.Eval = o.Train.withDefaults(), o.Eval.withDefaults()
	return o
}

// Validate says which option is out of range (an *OptionError: an
// evaluation option is named "eval.NAME"; a training option by its form
// name and flag, as TrainOptions.Validate names it), or returns nil. Zero
// values are valid.
func (o DemoOptions) Validate() error {
	if err := firstBadField(
		fieldCheck{o.Tickets == 0 || (o.Tickets >= synth.MinTickets && o.Tickets <= synth.MaxTickets), "tickets", o.Tickets,
			fmt.Sprintf("%d to %d tickets (0 = %d)", synth.MinTickets, synth.MaxTickets, synth.DefaultTickets)},
		fieldCheck{o.NegPerQ >= 0 && o.NegPerQ <= maxNegativesPerQuery, "negatives_per_query", o.NegPerQ,
			fmt.Sprintf("negatives per query, 1 to %d (0 = %d)", maxNegativesPerQuery, DefaultNegativesOptions().PerQuery)},
		fieldCheck{o.Pivot >= 0, "pivot", o.Pivot, "0 (off) or more tickets per query"},
		fieldCheck{o.RulePivot >= 0, "rule_pivot", o.RulePivot, "0 (off) or more tickets per query"},
	); err != nil {
		return err
	}
	if err := o.Eval.Validate(); err != nil {
		return within("eval", err)
	}
	return o.Train.Validate()
}

// DemoState is what the demo has done so far; a re-run with the same
// options skips finished steps and resumes a stopped training run.
type DemoState struct {
	Options   DemoOptions `json:"options"`
	Done      []string    `json:"done"`
	Run       string      `json:"run,omitempty"`
	Export    string      `json:"export_dir,omitempty"`
	StartedAt time.Time   `json:"started_at"`
}

// DemoResult gathers every step's figures.
type DemoResult struct {
	Synth      SynthResult      `json:"synth"`
	Mine       MineResult       `json:"mine"`
	FirstStage FirstStageResult `json:"first_stage"`
	Negatives  NegativesResult  `json:"negatives"`
	Train      RunRecord        `json:"train"`
	Eval       EvalResult       `json:"eval"`
	Seconds    float64          `json:"seconds"`
	Skipped    []string         `json:"skipped,omitempty"`
}

func (s *DemoState) done(step string) bool {
	for _, d := range s.Done {
		if d == step {
			return true
		}
	}
	return false
}

// Demo runs the whole pipeline on the built-in synthetic archive in this
// project: generate, import, mine, first stage, negatives, fine-tune,
// evaluate. It refuses a project holding a real archive.
func (p *Project) Demo(ctx context.Context, o DemoOptions, progress Progress) (DemoResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return DemoResult{}, fmt.Errorf("demo: %w", err)
	}
	o = o.withDefaults()
	var st DemoState
	have, err := p.Store.GetMeta(metaDemo, &st)
	if err != nil {
		return DemoResult{}, err
	}
	n, err := p.Store.CountTickets()
	if err != nil {
		return DemoResult{}, err
	}
	if n > 0 && !have {
		return DemoResult{}, fmt.Errorf("project %s already holds an archive of %d tickets: run the demo in another folder (--home DIR or PRECEDENT_HOME)", p.Dir, n)
	}
	if !have || o.Restart || !sameDemo(st.Options, o) {
		st = DemoState{Options: o, StartedAt: time.Now().UTC()}
	}
	var res DemoResult
	step := func(name string, fn func() error) error {
		if st.done(name) {
			res.Skipped = append(res.Skipped, name)
			return nil
		}
		if err := fn(); err != nil {
			return err
		}
		st.Done = append(st.Done, name)
		return p.Store.SetMeta(metaDemo, st)
	}
	dir := p.Path("synthetic-archive")
	if err := step("synth", func() error {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		res.Synth, err = Synth(ctx, synth.Config{Tickets: o.Tickets, Seed: o.Seed}, dir, progress)
		return err
	}); err != nil {
		return res, err
	}
	if err := step("import", func() error {
		_, err := p.Import(ctx, dir+"/"+synth.TicketsCSVName, ImportOptions{}, progress)
		return err
	}); err != nil {
		return res, err
	}
	if err := step("mine", func() error {
		res.Mine, err = p.Mine(ctx, MineOptions{}, progress)
		return err
	}); err != nil {
		return res, err
	}
	if err := step("first-stage", func() error {
		res.FirstStage, err = p.FirstStage(ctx, FirstStageOptions{Source: SourceBM25, K: max(40, o.Eval.Depth), Pivot: o.Pivot, RulePivot: o.RulePivot}, progress)
		return err
	}); err != nil {
		return res, err
	}
	if err := step("negatives", func() error {
		no := NegativesOptions{}
		no.PerQuery = o.NegPerQ
		res.Negatives, err = p.MineNegatives(ctx, no, progress)
		return err
	}); err != nil {
		return res, err
	}
	if err := step("train", func() error {
		to := o.Train
		if st.Run != "" {
			to.Resume = st.Run
		}
		tr, err := p.Train(ctx, to, func(e Event) {
			progress.emit(e)
		})
		if tr.Run.ID != "" && st.Run == "" {
			st.Run = tr.Run.ID
			_ = p.Store.SetMeta(metaDemo, st)
		}
		res.Train = tr.Run
		return err
	}); err != nil {
		return res, err
	}
	if err := step("evaluate", func() error {
		eo := o.Eval
		eo.Run = st.Run
		res.Eval, err = p.Evaluate(ctx, eo, progress)
		return err
	}); err != nil {
		return res, err
	}
	// Fill in what earlier sessions did, for the summary.
	if res.Mine.Tickets == 0 {
		res.Mine, _, _ = p.LastMine()
	}
	if res.FirstStage.Docs == 0 {
		_, _ = p.Store.GetMeta(metaFirstStage, &res.FirstStage)
	}
	if res.Negatives.Queries == 0 {
		res.Negatives, _, _ = p.LastNegatives()
	}
	if res.Train.ID == "" && st.Run != "" {
		res.Train, _ = p.findRun(st.Run)
	}
	if res.Eval.Run == "" {
		res.Eval, _, _ = p.LastEval()
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// sameDemo reports whether two demos' options are the same demo: the same
// values once their defaults are filled, whatever resumes, restarts or
// where it runs.
func sameDemo(a, b DemoOptions) bool {
	a, b = a.withDefaults(), b.withDefaults()
	a.Restart, b.Restart = false, false
	a.Train.Resume, b.Train.Resume = "", ""
	a.Train.Backend, b.Train.Backend = "", ""
	a.Eval.Backend, b.Eval.Backend = "", ""
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}
