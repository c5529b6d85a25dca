package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/platform"
	"github.com/precedent/precedent/rerank"
)

const backendAuto = "Automatic"

// settingsPanel edits the project's settings and the app's look.
type settingsPanel struct {
	d *desktop

	dataDir  *widget.Label
	caPath   *widget.Entry
	caStatus *widget.Label
	backend  *widget.Select
	runtime  *widget.Label
	prec     *widget.Select
	precNote *widget.Label
	memory   *widget.Entry
	memErr   *widget.Label
	themeSel *widget.Select
	saveBtn  *widget.Button
	saved    *widget.Label

	root fyne.CanvasObject
}

// backendOptions are the accelerators this machine can use on rt, then pure Go.
func backendOptions(rt *backend.Runtime) []string {
	opts := []string{backendAuto}
	for _, pl := range platform.PJRTPlugins() {
		opts = append(opts, "xla:"+pl.Name)
	}
	if rt.ORT() && platform.ORTLibrary() != "" {
		opts = append(opts, "ort") // ONNX Runtime for inference, pure Go for training
	}
	return append(opts, "go")
}

func newSettingsPanel(d *desktop) *settingsPanel {
	p := &settingsPanel{d: d}
	p.dataDir = widget.NewLabel("")
	p.dataDir.Wrapping = fyne.TextWrapBreak
	p.caPath = widget.NewEntry()
	p.caPath.SetPlaceHolder("PEM file with your proxy's root certificates (optional)")
	p.caPath.OnChanged = func(string) { p.checkCA() }
	p.caStatus = widget.NewLabel("")
	p.caStatus.Wrapping = fyne.TextWrapWord
	p.backend = widget.NewSelect(backendOptions(d.rt), nil)
	p.runtime = widget.NewLabel("")
	p.runtime.Wrapping = fyne.TextWrapWord
	p.prec = widget.NewSelect(rerank.Precisions, nil)
	p.precNote = widget.NewLabel("")
	p.precNote.Wrapping = fyne.TextWrapWord
	p.memory = widget.NewEntry()
	p.memory.SetPlaceHolder("0 = no limit")
	p.memory.OnChanged = func(string) { p.checkMemory() }
	p.memErr = widget.NewLabel("")
	p.memErr.Importance = widget.DangerImportance
	p.memErr.Hide()
	p.themeSel = widget.NewSelect([]string{themeSystem, themeLight, themeDark}, func(s string) { applyTheme(d.fyneApp, s) })
	p.themeSel.SetSelected(themeChoice(d.fyneApp))
	p.saveBtn = widget.NewButtonWithIcon("Save settings", theme.DocumentSaveIcon(), p.save)
	p.saveBtn.Importance = widget.HighImportance
	p.saved = widget.NewLabel("")

	caBtn := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), p.chooseCA)
	form := widget.NewForm(
		widget.NewFormItem("Data directory", container.NewBorder(nil, nil, nil,
			widget.NewButtonWithIcon("Open another…", theme.FolderOpenIcon(), d.chooseDataDir), p.dataDir)),
		widget.NewFormItem("Corporate CA bundle", container.NewBorder(nil, nil, nil, caBtn, p.caPath)),
		widget.NewFormItem("", p.caStatus),
		widget.NewFormItem("Accelerator", p.backend),
		widget.NewFormItem("", p.runtime),
		widget.NewFormItem("Inference precision", p.prec),
		widget.NewFormItem("", p.precNote),
		widget.NewFormItem("Memory limit (MiB)", p.memory),
		widget.NewFormItem("", p.memErr),
		widget.NewFormItem("Theme", p.themeSel),
	)
	p.root = container.NewVScroll(container.NewVBox(heading("Settings"), form,
		container.NewHBox(p.saveBtn, p.saved),
		widget.NewLabel("The accelerator, inference precision and memory limit apply to the next job; the theme applies at once and is kept for this user.")))
	return p
}

func (p *settingsPanel) title() string           { return "Settings" }
func (p *settingsPanel) icon() fyne.Resource     { return theme.SettingsIcon() }
func (p *settingsPanel) view() fyne.CanvasObject { return p.root }

// refresh shows the open project's settings.
func (p *settingsPanel) refresh() {
	p.runtime.SetText("Runtime: " + p.d.rt.String())
	if p.d.proj == nil {
		p.dataDir.SetText("No project open")
		p.saveBtn.Disable()
		return
	}
	s := p.d.proj.SettingsSnapshot()
	p.dataDir.SetText(p.d.proj.Dir)
	p.caPath.SetText(s.CABundle)
	b := s.Backend
	if b == "" {
		b = backendAuto
	}
	if !contains(p.backend.Options, b) {
		p.backend.SetOptions(append(p.backend.Options, b))
	}
	p.backend.SetSelected(b)
	p.prec.SetSelected(firstOr(s.Precision, rerank.PrecisionAuto))
	if note, err := p.d.proj.PrecisionNote(); err == nil {
		p.precNote.SetText("Scoring and embedding: " + note)
	} else {
		p.precNote.SetText(err.Error())
	}
	p.memory.SetText(strconv.Itoa(s.MemoryLimitMB))
	p.saveBtn.Enable()
	p.saved.SetText("")
	p.checkCA()
}

func (p *settingsPanel) chooseCA() {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			p.d.showError("Choose CA bundle", err)
			return
		}
		if rc == nil {
			return
		}
		_ = rc.Close()
		p.caPath.SetText(rc.URI().Path())
	}, p.d.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// checkCA validates the bundle as it is typed or chosen; it returns whether
// saving may go on.
func (p *settingsPanel) checkCA() bool {
	path := strings.TrimSpace(p.caPath.Text)
	if path == "" {
		p.caStatus.Importance = widget.MediumImportance
		p.caStatus.SetText("No extra certificates: the system roots are used.")
		return true
	}
	_, subjects, err := platform.LoadCABundle(path)
	if err != nil {
		p.caStatus.Importance = widget.DangerImportance
		p.caStatus.SetText(err.Error())
		return false
	}
	p.caStatus.Importance = widget.SuccessImportance
	list := subjects
	if len(list) > 3 {
		list = append(append([]string{}, list[:3]...), fmt.Sprintf("and %d more", len(subjects)-3))
	}
	p.caStatus.SetText(fmt.Sprintf("Adds %d certificate(s) to the system roots: %s", len(subjects), strings.Join(list, "; ")))
	return true
}

// checkMemory validates the memory limit; it returns the value in MiB.
func (p *settingsPanel) checkMemory() (int, bool) {
	t := strings.TrimSpace(p.memory.Text)
	p.memErr.Hide()
	if t == "" {
		p.memErr.SetText("")
		return 0, true
	}
	defer func() {
		if p.memErr.Text != "" {
			p.memErr.Show()
		}
	}()
	v, err := strconv.Atoi(t)
	if err != nil {
		p.memErr.SetText(fmt.Sprintf("%q: give a whole number of MiB (0 = no limit)", t))
		return 0, false
	}
	if err := app.CheckMemoryLimit(v); err != nil {
		p.memErr.SetText(err.Error())
		return 0, false
	}
	p.memErr.SetText("")
	return v, true
}

// save writes the settings into the project.
func (p *settingsPanel) save() {
	if p.d.proj == nil {
		p.d.showError("Save settings", fmt.Errorf("no project is open: choose a data directory first"))
		return
	}
	if !p.checkCA() {
		p.d.showError("Save settings", fmt.Errorf("the CA bundle is not usable: %s", p.caStatus.Text))
		return
	}
	mem, ok := p.checkMemory()
	if !ok {
		p.d.showError("Save settings", fmt.Errorf("memory limit: %s", p.memErr.Text))
		return
	}
	caBundle, backend, precision := strings.TrimSpace(p.caPath.Text), p.backend.Selected, p.prec.Selected
	if backend == backendAuto {
		backend = ""
	}
	if precision == rerank.PrecisionAuto {
		precision = ""
	}
	if err := p.d.proj.UpdateSettings(func(s *app.Settings) error {
		s.CABundle, s.Backend, s.Precision, s.MemoryLimitMB = caBundle, backend, precision, mem
		return nil
	}); err != nil {
		p.d.showError("Save settings", err)
		return
	}
	p.saved.SetText("Saved.")
	if note, err := p.d.proj.PrecisionNote(); err == nil {
		p.precNote.SetText("Scoring and embedding: " + note)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// firstOr is s, or def when s is empty.
func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
