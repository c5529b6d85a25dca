package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
)

// Options say how the window starts.
type Options struct {
	DataDir       string // project directory; "" = $PRECEDENT_HOME or the platform folder
	ScreenshotDir string // when set, show each tab in turn for a capture script (see screenshots.go)
	// StartupProbe, when set, is the file the startup probe writes once the
	// first panel is drawn with its figures; the app then quits (measurement
	// only, see startupprobe.go). Started is the fallback start time.
	StartupProbe string
	Started      time.Time
	// Runtime is how the app computes, built by its main: every project
	// opened in the window uses it, and it applies their memory limit
	// (nil is backend.Default()).
	Runtime *backend.Runtime
}

// panel is one tab of the window.
type panel interface {
	title() string
	icon() fyne.Resource
	view() fyne.CanvasObject
	// refresh reloads what the project holds (or shows "do X first"); it
	// runs on the UI goroutine when the project changes and when the tab opens.
	refresh()
}

// desktop is the state the panels share: the window, the open project and
// the background jobs.
type desktop struct {
	fyneApp fyne.App
	win     fyne.Window
	rt      *backend.Runtime // nil is backend.Default()
	jobs    *app.Jobs
	proj    *app.Project // nil while no project is open
	dataDir string

	tabs   *container.AppTabs
	panels []panel
	status *widget.Label
	// statusLine is the bottom line (project, running jobs, last message),
	// bound to status: jobs update it from any goroutine.
	statusLine binding.String

	archive    *archivePanel
	mining     *miningPanel
	negatives  *negativesPanel
	training   *trainingPanel
	evaluation *evaluationPanel
	monitoring *monitoringPanel
	export     *exportPanel
	settings   *settingsPanel
}

// NewWindow builds the main window of Precedent on a, opening the project in
// o.DataDir. A project that cannot be opened is reported in a dialog and the
// window still opens, so another data directory can be chosen in Settings.
func NewWindow(a fyne.App, o Options) fyne.Window {
	w := a.NewWindow("Precedent")
	d := newDesktopWith(a, w, o.Runtime)
	applyTheme(a, themeChoice(a))
	w.Resize(fyne.NewSize(1280, 800))
	w.SetCloseIntercept(d.requestClose)
	if err := d.openProject(o.DataDir); err != nil {
		d.showError("Open the project", err)
	}
	if o.ScreenshotDir != "" {
		go runScreenshots(d, o.ScreenshotDir)
	}
	if o.StartupProbe != "" {
		installStartupProbe(d, o.StartupProbe, o.Started)
	}
	return w
}

// newDesktop assembles the tabs in w without opening a project, on the
// default runtime.
func newDesktop(a fyne.App, w fyne.Window) *desktop { return newDesktopWith(a, w, nil) }

// newDesktopWith is newDesktop on the runtime rt.
func newDesktopWith(a fyne.App, w fyne.Window, rt *backend.Runtime) *desktop {
	line := binding.NewString()
	d := &desktop{fyneApp: a, win: w, rt: rt, jobs: &app.Jobs{}, status: widget.NewLabelWithData(line), statusLine: line}
	d.status.Truncation = fyne.TextTruncateEllipsis
	d.archive = newArchivePanel(d)
	d.mining = newMiningPanel(d)
	d.negatives = newNegativesPanel(d)
	d.training = newTrainingPanel(d)
	d.evaluation = newEvaluationPanel(d)
	d.monitoring = newMonitoringPanel(d)
	d.export = newExportPanel(d)
	d.settings = newSettingsPanel(d)
	d.panels = []panel{d.archive, d.mining, d.negatives, d.training, d.evaluation, d.monitoring, d.export, d.settings}
	items := make([]*container.TabItem, len(d.panels))
	for i, p := range d.panels {
		items[i] = container.NewTabItemWithIcon(p.title(), p.icon(), p.view())
	}
	d.tabs = container.NewAppTabs(items...)
	d.tabs.SetTabLocation(container.TabLocationLeading)
	d.tabs.OnSelected = func(*container.TabItem) { d.current().refresh() }
	w.SetContent(container.NewBorder(nil, d.status, nil, nil, d.tabs))
	w.Canvas().SetOnTypedKey(d.typedKey)
	return d
}

// current is the panel of the selected tab.
func (d *desktop) current() panel { return d.panels[d.tabs.SelectedIndex()] }

// typedKey routes keys typed outside any focused widget to the review panel.
func (d *desktop) typedKey(ev *fyne.KeyEvent) {
	if d.current() == d.negatives {
		d.negatives.typedKey(ev)
	}
}

// openProject closes the open project (if any) and opens dir in its place,
// applying its memory limit to the runtime.
func (d *desktop) openProject(dir string) error {
	if running := d.jobs.Running(); len(running) > 0 {
		return fmt.Errorf("%s is still running: stop it before switching projects", strings.Join(running, ", "))
	}
	p, err := app.OpenWith(dir, d.rt)
	if err != nil {
		if app.IsInUse(err) {
			return fmt.Errorf("%w\nAnother Precedent (app, CLI or server) has this data directory open: close it, or choose another directory in Settings", err)
		}
		return fmt.Errorf("%w\nChoose another data directory in Settings", err)
	}
	if d.proj != nil {
		_ = d.proj.Close()
	}
	d.rt.LimitMemory(p.SettingsSnapshot().MemoryLimitMB)
	d.proj = p
	d.dataDir = p.Dir
	d.setStatus("")
	// Only the visible panel loads now; the others load when selected
	// (tabs.OnSelected), so a large project opens quickly.
	d.current().refresh()
	return nil
}

// project returns the open project or an error saying how to get one.
func (d *desktop) project() (*app.Project, error) {
	if d.proj == nil {
		return nil, errors.New("no project is open: choose a data directory in Settings")
	}
	return d.proj, nil
}

// setStatus writes the bottom line: the project folder and what runs.
func (d *desktop) setStatus(msg string) {
	s := "No project open"
	if d.proj != nil {
		s = "Project " + d.proj.Dir
	}
	if r := d.jobs.Running(); len(r) > 0 {
		s += "  ·  running: " + strings.Join(r, ", ")
	}
	if msg != "" {
		s += "  ·  " + msg
	}
	_ = d.statusLine.Set(s)
}

// showError reports err in a dialog that starts with what failed.
func (d *desktop) showError(what string, err error) {
	dialog.ShowError(fmt.Errorf("%s failed: %w", what, err), d.win)
}

// task is the work of one background job: it gets the job's context and a
// Progress that forwards events to the panel.
type task func(ctx context.Context, p *app.Project, progress app.Progress) error

// run starts t as the background job name. Every event reaches onEvent on
// the UI goroutine, in order; then done gets the job's error (nil, a
// cancellation, or a failure already shown in a dialog). It returns nil when
// the job could not start (the reason is shown).
func (d *desktop) run(name string, t task, onEvent func(app.Event), done func(error)) *app.Job {
	p, err := d.project()
	if err != nil {
		d.showError(name, err)
		return nil
	}
	var (
		mu      sync.Mutex
		pending []app.Event
		queued  bool
	)
	flush := func() {
		mu.Lock()
		evs := pending
		pending, queued = nil, false
		mu.Unlock()
		if onEvent != nil {
			for _, e := range evs {
				onEvent(e)
			}
		}
	}
	// Events are batched: a burst of them costs one trip to the UI goroutine.
	progress := func(e app.Event) {
		mu.Lock()
		pending = append(pending, e)
		schedule := !queued
		queued = true
		mu.Unlock()
		if schedule {
			uiDo(flush)
		}
	}
	job, err := d.jobs.Start(context.Background(), name, func(ctx context.Context) error {
		err := t(ctx, p, progress)
		uiDoAndWait(func() {
			flush()
			switch {
			case err == nil:
				d.setStatus(name + " finished")
			case errors.Is(err, context.Canceled):
				d.setStatus(name + " stopped; what it finished is kept")
			default:
				d.setStatus(name + " failed")
				d.showError(name, err)
			}
			if done != nil {
				done(err)
			}
		})
		return err
	})
	if err != nil {
		d.showError(name, err)
		return nil
	}
	d.setStatus("")
	return job
}

// requestClose asks before closing while jobs run, then stops them cleanly.
func (d *desktop) requestClose() {
	running := d.jobs.Running()
	if len(running) == 0 {
		d.closeNow()
		return
	}
	dialog.ShowConfirm("Stop running work?",
		fmt.Sprintf("%s is still running.\nClosing stops it; what it finished is kept and can be resumed.", strings.Join(running, ", ")),
		func(ok bool) {
			if !ok {
				return
			}
			d.setStatus("stopping…")
			go func() {
				d.jobs.CancelAll()
				uiDo(d.closeNow)
			}()
		}, d.win)
}

// closeNow closes the project and the window.
func (d *desktop) closeNow() {
	if d.proj != nil {
		_ = d.proj.Close()
		d.proj = nil
	}
	d.win.Close()
}
