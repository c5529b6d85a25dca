package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
)

// trainParams are the hyper-parameters the form edits.
type trainParams struct {
	LR         float64
	Epochs     int
	MaxSteps   int // 0 = all epochs
	BatchSize  int
	MaxLength  int
	KeepLayers int // 0 = all layers of the starting model
}

// defaultTrainParams are app.DemoTrainOptions' values of the fields the
// form edits: sized to fine-tune in minutes on a laptop's CPU.
func defaultTrainParams() trainParams {
	o := app.DemoTrainOptions()
	return trainParams{LR: o.LR, Epochs: o.Epochs, MaxSteps: o.MaxSteps, BatchSize: o.BatchSize, MaxLength: o.MaxLen, KeepLayers: o.KeepLayers}
}

// parseTrainParams reads the form's fields, naming the first bad one. The
// form checks only that a field is a number, and not 0 where its label
// gives 0 no meaning (app reads a zero as "the default", but the form
// shows the default, so a 0 typed over it is a slip); app's Validate holds
// the bounds.
func parseTrainParams(lr, epochs, steps, batch, maxLen, keep string) (trainParams, error) {
	var tp trainParams
	var err error
	if tp.LR, err = strconv.ParseFloat(strings.TrimSpace(lr), 64); err != nil || tp.LR == 0 {
		return tp, fmt.Errorf("learning rate %q: give a number above 0, such as 2e-5", lr)
	}
	ints := []struct {
		name string
		text string
		dst  *int
		zero bool // the label gives 0 a meaning
	}{
		{"epochs", epochs, &tp.Epochs, false},
		{"max steps", steps, &tp.MaxSteps, true},
		{"batch size", batch, &tp.BatchSize, false},
		{"max length", maxLen, &tp.MaxLength, false},
		{"layers to keep", keep, &tp.KeepLayers, true},
	}
	for _, f := range ints {
		v, err := strconv.Atoi(strings.TrimSpace(f.text))
		if err != nil || (v == 0 && !f.zero) {
			return tp, fmt.Errorf("%s %q: give a whole number", f.name, f.text)
		}
		*f.dst = v
	}
	if err := tp.over(app.DemoTrainOptions()).Validate(); err != nil {
		var oe *app.OptionError
		if errors.As(err, &oe) {
			shown := *oe
			shown.Flag = "" // the form's name for the field says which one
			return tp, &shown
		}
		return tp, err
	}
	return tp, nil
}

// over is o with the form's values over it.
func (tp trainParams) over(o app.TrainOptions) app.TrainOptions {
	o.LR, o.Epochs, o.MaxSteps, o.BatchSize, o.MaxLen, o.KeepLayers = tp.LR, tp.Epochs, tp.MaxSteps, tp.BatchSize, tp.MaxLength, tp.KeepLayers
	return o
}

// trainingPanel configures, runs and watches fine-tuning.
type trainingPanel struct {
	d *desktop

	model                                  *widget.Entry
	scratch                                *widget.Check
	backend                                *widget.Label
	lr, epochs, steps, batch, maxLen, keep *widget.Entry
	startBtn, stopBtn, resumeBtn           *widget.Button
	progress                               *widget.ProgressBar
	status                                 *widget.Label
	progressVal                            binding.Float  // bound to progress
	statusText                             binding.String // bound to status: the run's state
	loss, mrr                              *lineChart
	history                                *widget.Label
	job                                    *app.Job

	root fyne.CanvasObject
}

func newTrainingPanel(d *desktop) *trainingPanel {
	p := &trainingPanel{d: d}
	p.model = widget.NewEntry()
	p.model.SetPlaceHolder(app.DefaultModel + " (default starting checkpoint)")
	p.scratch = widget.NewCheck("Small model from scratch (uses only the starting model's tokenizer; for trying the pipeline)", func(on bool) {
		// Swap the default learning rate with the mode, keeping a value the user typed.
		if on {
			if p.lr.Text == strconv.FormatFloat(defaultTrainParams().LR, 'g', -1, 64) {
				p.lr.SetText(strconv.FormatFloat(app.ScratchLR, 'g', -1, 64))
			}
		} else if p.lr.Text == strconv.FormatFloat(app.ScratchLR, 'g', -1, 64) {
			p.lr.SetText(strconv.FormatFloat(defaultTrainParams().LR, 'g', -1, 64))
		}
	})
	p.backend = widget.NewLabel("…")
	p.backend.Wrapping = fyne.TextWrapWord
	entry := func(v string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(v)
		return e
	}
	dp := defaultTrainParams()
	p.lr = entry(strconv.FormatFloat(dp.LR, 'g', -1, 64))
	p.epochs = entry(strconv.Itoa(dp.Epochs))
	p.steps = entry(strconv.Itoa(dp.MaxSteps))
	p.batch = entry(strconv.Itoa(dp.BatchSize))
	p.maxLen = entry(strconv.Itoa(dp.MaxLength))
	p.keep = entry(strconv.Itoa(dp.KeepLayers))
	p.startBtn = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), func() { p.start(false) })
	p.startBtn.Importance = widget.HighImportance
	p.stopBtn = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), p.stop)
	p.stopBtn.Disable()
	p.resumeBtn = widget.NewButtonWithIcon("Resume", theme.MediaReplayIcon(), func() { p.start(true) })
	p.progressVal, p.statusText = binding.NewFloat(), binding.NewString()
	p.progress = widget.NewProgressBarWithData(p.progressVal)
	p.status = widget.NewLabelWithData(p.statusText)
	p.status.Wrapping = fyne.TextWrapWord
	p.loss = newLineChart("Training loss", "%.4f", colBlue, "The loss curve appears once training starts.")
	p.mrr = newLineChart("Validation MRR@10", "%.3f", colGreen, "Validation MRR@10 appears after each evaluation.")
	p.history = widget.NewLabel("")
	p.history.Wrapping = fyne.TextWrapWord

	chooseModel := widget.NewButtonWithIcon("Choose folder…", theme.FolderOpenIcon(), func() {
		fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil {
				d.showError("Choose model folder", err)
				return
			}
			if u != nil {
				p.model.SetText(u.Path())
			}
		}, d.win)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	form := widget.NewForm(
		widget.NewFormItem("Starting model", container.NewBorder(nil, nil, nil, chooseModel, p.model)),
		widget.NewFormItem("", p.scratch),
		widget.NewFormItem("Compute backend", p.backend),
		widget.NewFormItem("Learning rate", p.lr),
		widget.NewFormItem("Epochs", p.epochs),
		widget.NewFormItem("Max steps (0 = all epochs)", p.steps),
		widget.NewFormItem("Batch size", p.batch),
		widget.NewFormItem("Max length (tokens)", p.maxLen),
		widget.NewFormItem("Layers to keep (0 = all)", p.keep),
	)
	left := container.NewVScroll(container.NewVBox(heading("Fine-tune the reranker"), form,
		container.NewHBox(p.startBtn, p.stopBtn, p.resumeBtn), p.progress, p.status,
		heading("Runs"), p.history))
	charts := container.NewGridWithRows(2, p.loss, p.mrr)
	split := container.NewHSplit(left, charts)
	split.Offset = 0.42
	p.root = split
	return p
}

func (p *trainingPanel) title() string           { return "Training" }
func (p *trainingPanel) icon() fyne.Resource     { return theme.ComputerIcon() }
func (p *trainingPanel) view() fyne.CanvasObject { return p.root }

// refresh shows the backend, the prerequisites and the run history.
func (p *trainingPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		p.setStatus(err.Error())
		return
	}
	if start := proj.SettingsSnapshot().StartModel; p.model.Text == "" && start != "" {
		p.model.SetText(start)
	}
	p.showBackend(proj)
	p.showRuns(proj)
	if p.job == nil {
		if _, ok, _ := proj.LastNegatives(); !ok {
			p.setStatus("Mine hard negatives first (Negatives tab): training reads the mined positives and the reviewed negatives.")
		} else {
			p.setStatus("Ready: choose the starting model and press Start. Stop keeps a checkpoint; Resume continues the last unfinished run.")
		}
	}
	p.setRunning(p.job != nil)
}

// showRuns lists the training runs, newest first.
func (p *trainingPanel) showRuns(proj *app.Project) {
	runs, err := proj.Runs()
	if err != nil {
		p.history.SetText("Could not list runs: " + err.Error())
		return
	}
	if len(runs) == 0 {
		p.history.SetText("No runs yet.")
		return
	}
	var b strings.Builder
	for _, r := range runs {
		backend, _, _ := strings.Cut(r.Backend, " — ")
		fmt.Fprintf(&b, "%s · %s · step %d/%d · val MRR@10 %.3f → %.3f · %s\n", r.ID, r.Status, r.Steps, r.TotalSteps, r.StartMRR, r.BestMRR, backend)
	}
	p.history.SetText(b.String())
	if p.job == nil && len(p.loss.ys) == 0 {
		p.plotCurve(proj)
	}
}

// showBackend names the compute backend the project's settings select,
// resolved in the background because creating an accelerator can take a while.
func (p *trainingPanel) showBackend(proj *app.Project) {
	p.backend.SetText("resolving…")
	go func() {
		info, err := proj.BackendInfo()
		uiDo(func() {
			if err != nil {
				p.backend.SetText("unavailable: " + err.Error() + " (choose another accelerator in Settings)")
				return
			}
			p.backend.SetText(info.Description)
		})
	}()
}

// params reads and validates the form.
func (p *trainingPanel) params() (trainParams, error) {
	return parseTrainParams(p.lr.Text, p.epochs.Text, p.steps.Text, p.batch.Text, p.maxLen.Text, p.keep.Text)
}

// options turns the form into training options: app.DemoTrainOptions with
// the form's values (validated by params) over them.
func (p *trainingPanel) options() (app.TrainOptions, error) {
	tp, err := p.params()
	if err != nil {
		return app.TrainOptions{}, err
	}
	o := tp.over(app.DemoTrainOptions())
	o.Model, o.FromScratch = strings.TrimSpace(p.model.Text), p.scratch.Checked
	return o, nil
}

func (p *trainingPanel) start(resume bool) {
	o, err := p.options()
	if err != nil {
		p.d.showError("Training", err)
		return
	}
	if resume {
		o = app.TrainOptions{RunOptions: app.RunOptions{Resume: "last"}}
	}
	p.train(o)
}

// train runs one training job and plots its events.
func (p *trainingPanel) train(o app.TrainOptions) *app.Job {
	if o.Resume == "" {
		p.loss.reset()
		p.mrr.reset()
	}
	p.setProgress(0)
	p.setStatus("Starting…")
	p.job = p.d.run("training", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		_, err := proj.Train(ctx, o, progress)
		return err
	}, p.onEvent, func(err error) {
		p.job = nil
		p.setRunning(false)
		if proj, perr := p.d.project(); perr == nil {
			p.showRuns(proj)
		}
		switch {
		case err == nil:
			p.setStatus("Finished: the best model is saved; evaluate it on the Evaluation tab.")
		case errors.Is(err, context.Canceled):
			p.setStatus("Stopped: press Resume to continue from the last checkpoint.")
		default:
			p.setStatus("Failed: " + err.Error())
		}
	})
	p.setRunning(p.job != nil)
	return p.job
}

func (p *trainingPanel) stop() {
	if p.job != nil {
		p.job.Cancel()
		p.setStatus("Stopping at the next safe point; the checkpoint is kept for Resume.")
	}
}

// setStatus and setProgress update the bound run state.
func (p *trainingPanel) setStatus(s string)    { _ = p.statusText.Set(s) }
func (p *trainingPanel) setProgress(v float64) { _ = p.progressVal.Set(v) }

func (p *trainingPanel) setRunning(running bool) {
	if running {
		p.startBtn.Disable()
		p.resumeBtn.Disable()
		p.stopBtn.Enable()
		return
	}
	p.startBtn.Enable()
	p.resumeBtn.Enable()
	p.stopBtn.Disable()
}

// onEvent plots loss and validation MRR and shows speed and ETA.
func (p *trainingPanel) onEvent(e app.Event) {
	if e.Total > 0 {
		p.setProgress(float64(e.Done) / float64(e.Total))
	}
	if v, ok := e.Values["loss"]; ok {
		p.loss.add(float64(e.Done), v)
	}
	if v, ok := e.Values["val_mrr@10"]; ok {
		p.mrr.add(float64(e.Done), v)
	}
	var parts []string
	if e.Phase != "" {
		parts = append(parts, e.Phase)
	}
	if e.Total > 0 {
		parts = append(parts, fmt.Sprintf("step %d of %d", e.Done, e.Total))
	}
	if v, ok := e.Values["examples_per_s"]; ok {
		parts = append(parts, fmt.Sprintf("%.1f examples/s", v))
	}
	if v, ok := e.Values["lr"]; ok {
		parts = append(parts, fmt.Sprintf("lr %.2g", v))
	}
	if e.ETA > 0 {
		parts = append(parts, "ETA "+e.ETA.Round(time.Second).String())
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if len(parts) > 0 {
		p.setStatus(strings.Join(parts, " · "))
	}
}

// plotCurve redraws the newest run's curves, so a reopened project shows
// its last run.
func (p *trainingPanel) plotCurve(proj *app.Project) {
	points, err := proj.RunCurve("last")
	if err != nil {
		p.setStatus("Could not read the last run's curve: " + err.Error())
		return
	}
	for _, pt := range points {
		p.loss.add(float64(pt.Step), pt.Loss)
		if pt.Val != nil {
			p.mrr.add(float64(pt.Step), *pt.Val)
		}
	}
}
