package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
)

// exportPanel writes a trained model as a Hugging Face folder and shows how
// to serve it.
type exportPanel struct {
	d *desktop

	run       *widget.Select
	runIDs    map[string]string // option label → run ID
	dir       *widget.Entry
	exportBtn *widget.Button
	status    *widget.Label
	serveCmd  *widget.Entry
	report    *widget.Entry

	root fyne.CanvasObject
}

// serveCommand is what serves an exported model folder.
func serveCommand(dir string) string { return fmt.Sprintf("precedent serve --model %q", dir) }

func newExportPanel(d *desktop) *exportPanel {
	p := &exportPanel{d: d, runIDs: map[string]string{}}
	p.run = widget.NewSelect(nil, nil)
	p.run.PlaceHolder = "(no trained runs yet)"
	p.serveCmd = widget.NewEntry()
	p.report = widget.NewEntry()
	p.dir = widget.NewEntry()
	p.dir.SetPlaceHolder("folder to write the model to (empty or new)")
	p.dir.OnChanged = func(s string) { p.serveCmd.SetText(serveCommand(s)) }
	p.exportBtn = widget.NewButtonWithIcon("Export model", theme.DocumentSaveIcon(), func() { p.export() })
	p.exportBtn.Importance = widget.HighImportance
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	copyBtn := func(e *widget.Entry) *widget.Button {
		return widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			d.fyneApp.Clipboard().SetContent(e.Text)
			p.status.SetText("Copied: " + e.Text)
		})
	}
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil {
				d.showError("Choose export folder", err)
				return
			}
			if u != nil {
				p.dir.SetText(filepath.Join(u.Path(), "precedent-reranker"))
			}
		}, d.win)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	form := widget.NewForm(
		widget.NewFormItem("Trained run", p.run),
		widget.NewFormItem("Export folder", container.NewBorder(nil, nil, nil, choose, p.dir)),
		widget.NewFormItem("", container.NewHBox(p.exportBtn)),
		widget.NewFormItem("Serve it with", container.NewBorder(nil, nil, nil, copyBtn(p.serveCmd), p.serveCmd)),
		widget.NewFormItem("Evaluation report", container.NewBorder(nil, nil, nil, copyBtn(p.report), p.report)),
	)
	p.root = container.NewVScroll(container.NewVBox(heading("Export the fine-tuned reranker"), form, p.status))
	return p
}

func (p *exportPanel) title() string           { return "Export" }
func (p *exportPanel) icon() fyne.Resource     { return theme.UploadIcon() }
func (p *exportPanel) view() fyne.CanvasObject { return p.root }

// refresh lists the runs that saved a model and the last report.
func (p *exportPanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		p.status.SetText(err.Error())
		return
	}
	if p.dir.Text == "" {
		p.dir.SetText(proj.Path("exports", "precedent-reranker"))
	}
	runs, err := proj.Runs()
	if err != nil {
		p.status.SetText("Could not list runs: " + err.Error())
		return
	}
	var opts []string
	p.runIDs = map[string]string{}
	for _, r := range runs {
		if r.ModelDir == "" {
			continue
		}
		label := fmt.Sprintf("%s · %s · val MRR@10 %.3f", r.ID, r.Status, r.BestMRR)
		opts = append(opts, label)
		p.runIDs[label] = r.ID
	}
	p.run.SetOptions(opts)
	if len(opts) == 0 {
		p.exportBtn.Disable()
		p.status.SetText("No trained model yet: train one on the Training tab, then export it here.")
	} else {
		p.exportBtn.Enable()
		if p.run.Selected == "" || p.runIDs[p.run.Selected] == "" {
			p.run.SetSelected(opts[0])
		}
		p.status.SetText("")
	}
	if ev, ok, _ := proj.LastEval(); ok {
		p.report.SetText(firstNonEmpty(ev.ReportHTML, ev.ReportMD))
	} else {
		p.report.SetText("")
		p.report.SetPlaceHolder("run the evaluation to write a report")
	}
}

// export copies the chosen run's model into the folder.
func (p *exportPanel) export() *app.Job {
	run := p.runIDs[p.run.Selected]
	dir := strings.TrimSpace(p.dir.Text)
	if run == "" || dir == "" {
		p.d.showError("Export", fmt.Errorf("choose a trained run and an export folder first"))
		return nil
	}
	p.exportBtn.Disable()
	return p.d.run("export", func(ctx context.Context, proj *app.Project, _ app.Progress) error {
		_, err := proj.Export(run, dir)
		return err
	}, nil, func(err error) {
		p.exportBtn.Enable()
		if err == nil {
			p.status.SetText(fmt.Sprintf("Exported %s to %s. Serve it with the command above.", run, dir))
			p.serveCmd.SetText(serveCommand(dir))
		}
	})
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
