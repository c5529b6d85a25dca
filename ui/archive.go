package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/importer"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/internal/tally"
)

const (
	autoDetect = "Auto-detect"
	unmapped   = "(none)"
	previewN   = 20
)

// archivePanel imports export files and shows what the archive holds.
type archivePanel struct {
	d *desktop

	fileLabel  *widget.Label
	table      *widget.Table
	pv         preview
	preset     *widget.Select
	fieldSel   map[string]*widget.Select
	importBtn  *widget.Button
	synthN     *widget.Entry
	synthBtn   *widget.Button
	progress   *widget.ProgressBar
	result     *widget.Label
	rejects    *widget.Label
	summary    *widget.Label
	months     *barChart
	rules      *barChart
	lastReport *importer.Report
	sidesInfo  *widget.Label
	sheet      *widget.Select
	visibility *widget.Entry
	ticket     *ticketView

	root fyne.CanvasObject
}

func newArchivePanel(d *desktop) *archivePanel {
	p := &archivePanel{d: d, fieldSel: map[string]*widget.Select{}}
	p.fileLabel = widget.NewLabel("No file chosen: open a CSV, TSV, .xlsx, JSON or JSONL export of closed tickets.")
	p.fileLabel.Wrapping = fyne.TextWrapWord
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.pv.rows), len(p.pv.columns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(oneLine(p.pv.rows[id.Row][id.Col]))
		})
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0 && id.Col < len(p.pv.columns):
			l.SetText(p.pv.columns[id.Col])
			l.TextStyle.Bold = true
		case id.Col < 0 && id.Row >= 0:
			l.SetText(strconv.Itoa(id.Row + 1))
		default:
			l.SetText("")
		}
	}
	p.preset = widget.NewSelect(append([]string{autoDetect}, importer.Presets()...), func(string) { p.applyPreset() })
	p.preset.SetSelected(autoDetect)
	grid := container.NewGridWithColumns(4)
	for _, f := range importer.Fields {
		s := widget.NewSelect([]string{unmapped}, nil)
		s.PlaceHolder = unmapped
		p.fieldSel[f] = s
		lbl := widget.NewLabel(f)
		lbl.Alignment = fyne.TextAlignTrailing
		grid.Add(lbl)
		grid.Add(s)
	}
	p.sheet = widget.NewSelect(nil, func(name string) {
		if p.pv.path != "" && p.pv.format == "xlsx" && name != p.pv.sheet {
			p.loadPreview(p.pv.path)
		}
	})
	p.sheet.PlaceHolder = "Sheet"
	p.sheet.Hide()
	p.sidesInfo = widget.NewLabel("")
	p.sidesInfo.Wrapping = fyne.TextWrapWord
	p.visibility = widget.NewMultiLineEntry()
	p.visibility.SetPlaceHolder("Visibility overrides, one per line: COLUMN=open or COLUMN=close")
	p.visibility.SetMinRowsVisible(2)
	p.visibility.OnChanged = func(string) { p.reloadSides() }
	p.importBtn = widget.NewButtonWithIcon("Import", theme.DownloadIcon(), p.startImport)
	p.importBtn.Importance = widget.HighImportance
	p.importBtn.Disable()
	p.synthN = widget.NewEntry()
	p.synthN.SetText("5000")
	p.synthBtn = widget.NewButtonWithIcon("Generate synthetic archive", theme.ContentAddIcon(), p.startSynth)
	p.progress = widget.NewProgressBar()
	p.result = widget.NewLabel("")
	p.result.Wrapping = fyne.TextWrapWord
	p.rejects = widget.NewLabel("")
	p.rejects.Wrapping = fyne.TextWrapWord
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.months = newBarChart(false, "No tickets yet: import an export or generate a synthetic archive.")
	p.rules = newBarChart(true, "No rules yet.")

	openBtn := widget.NewButtonWithIcon("Open export file…", theme.FolderOpenIcon(), p.chooseFile)
	storeBtn := widget.NewButtonWithIcon("Open data directory…", theme.StorageIcon(), p.d.chooseDataDir)
	toolbar := container.NewHBox(openBtn, widget.NewSeparator(), widget.NewLabel("Tickets:"),
		container.NewGridWrap(fyne.NewSize(90, p.synthN.MinSize().Height), p.synthN), p.synthBtn,
		widget.NewSeparator(), storeBtn)

	previewBox := container.NewBorder(p.fileLabel, nil, nil, nil, p.table)
	mapping := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabelWithStyle("Column mapping", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil,
			container.NewHBox(p.sheet, p.preset)),
		grid,
		p.sidesInfo,
		p.visibility,
		container.NewBorder(nil, nil, nil, p.importBtn, p.progress),
		p.result,
	)
	left := container.NewBorder(nil, container.NewVBox(mapping, container.NewVScroll(p.rejects)), nil, nil, previewBox)
	p.ticket = newTicketView(d)
	right := container.NewVScroll(container.NewVBox(
		p.ticket.root,
		heading("Archive"), p.summary,
		heading("Tickets per month"), p.months,
		heading("Top detection rules"), p.rules,
	))
	split := container.NewHSplit(left, right)
	split.Offset = 0.58
	p.root = container.NewBorder(toolbar, nil, nil, nil, split)
	return p
}

func (p *archivePanel) title() string           { return "Archive" }
func (p *archivePanel) icon() fyne.Resource     { return theme.StorageIcon() }
func (p *archivePanel) view() fyne.CanvasObject { return p.root }

// refresh shows the stored archive's statistics.
func (p *archivePanel) refresh() {
	proj, err := p.d.project()
	if err != nil {
		p.summary.SetText(err.Error())
		p.months.set(nil)
		p.rules.set(nil)
		return
	}
	st, err := proj.Stats()
	if err != nil {
		p.summary.SetText("Could not read the archive: " + err.Error())
		return
	}
	if st.Tickets == 0 {
		p.summary.SetText("The archive is empty: open an export file and import it, or generate a synthetic archive.")
		p.months.set(nil)
		p.rules.set(nil)
		return
	}
	p.summary.SetText(fmt.Sprintf("%d tickets, opened %s → %s\n%d detection rules · close-notes on %.0f%% of tickets",
		st.Tickets, st.Earliest.Format("2006-01-02"), st.Latest.Format("2006-01-02"), len(st.ByRule), st.CloseNoteCoverage*100))
	months := make([]string, 0, len(st.ByMonth))
	for m := range st.ByMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	bars := make([]bar, len(months))
	for i, m := range months {
		label := m
		if t, err := time.Parse("2006-01", m); err == nil {
			label = t.Format("Jan 06")
		}
		bars[i] = bar{label: label, value: float64(st.ByMonth[m])}
	}
	p.months.set(bars)
	p.rules.set(topBars(st.ByRule, 8))
}

// topBars turns counts into the n largest bars, ties by name.
func topBars(counts map[string]int, n int) []bar {
	ranked := tally.Ranked(counts)
	ranked = ranked[:min(n, len(ranked))]
	out := make([]bar, len(ranked))
	for i, e := range ranked {
		out[i] = bar{label: truncate(e.Name, 40), value: float64(e.Count), color: colPurple}
	}
	return out
}

// chooseFile asks for an export file and previews it.
func (p *archivePanel) chooseFile() {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			p.d.showError("Open file", err)
			return
		}
		if rc == nil {
			return
		}
		path := rc.URI().Path()
		_ = rc.Close()
		p.loadPreview(path)
	}, p.d.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".ndjson"}))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// loadPreview reads the first rows of path, refusing files it cannot read.
func (p *archivePanel) loadPreview(path string) {
	if path != p.pv.path {
		p.sheet.Selected = "" // a new file starts on its default sheet
	}
	o := p.importOptions("")
	o.Sheet = p.sheet.Selected
	pv, err := readPreview(path, o, p.savedVisibility(), previewN)
	if err != nil {
		p.d.showError("Preview", fmt.Errorf("%w\nChoose a CSV/TSV/.xlsx with a header row, JSON lines of ticket objects, or a JSON export", err))
		return
	}
	p.pv = pv
	if pv.format == "xlsx" {
		p.sheet.Options = pv.sheets
		p.sheet.Selected = pv.sheet
		p.sheet.Refresh()
		p.sheet.Show()
	} else {
		p.sheet.Hide()
	}
	info := ""
	if fi, err := os.Stat(path); err == nil {
		info = fmt.Sprintf(" · %s", humanBytes(fi.Size()))
	}
	label := fmt.Sprintf("%s (%s%s) · %d columns · first %d rows shown", filepath.Base(path), pv.format, info, len(pv.columns), len(pv.rows))
	if len(pv.problems) > 0 {
		label += fmt.Sprintf(" · %d unreadable: %s", len(pv.problems), pv.problems[0])
	}
	p.fileLabel.SetText(label)
	for c := range pv.columns {
		p.table.SetColumnWidth(c, 150)
	}
	p.table.Refresh()
	opts := append([]string{unmapped}, pv.columns...)
	for _, s := range p.fieldSel {
		s.SetOptions(opts)
	}
	p.applyPreset()
	p.showSides()
	p.importBtn.Enable()
}

// importOptions are the panel's choices, for preview and import.
func (p *archivePanel) importOptions(mapping string) app.ImportOptions {
	o := app.ImportOptions{Mapping: mapping}
	if p.pv.format == "xlsx" {
		o.Sheet = p.sheet.Selected
	}
	if name := p.preset.Selected; name != autoDetect && name != "" {
		o.Preset = name
	}
	for _, line := range strings.Split(p.visibility.Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			o.Visibility = append(o.Visibility, line)
		}
	}
	return o
}

// savedVisibility is the open project's remembered choices, if any.
func (p *archivePanel) savedVisibility() map[string]string {
	if p.d.proj == nil {
		return nil
	}
	return p.d.proj.SettingsSnapshot().Visibility
}

// reloadSides re-reads the preview after a visibility edit, so the lists
// show where each column will go.
func (p *archivePanel) reloadSides() {
	if p.pv.path == "" {
		return
	}
	if _, err := app.ParseVisibility(p.importOptions("").Visibility); err != nil {
		p.sidesInfo.SetText(err.Error())
		return
	}
	pv, err := readPreview(p.pv.path, p.importOptions(""), p.savedVisibility(), previewN)
	if err != nil {
		p.sidesInfo.SetText(err.Error())
		return
	}
	p.pv.sides = pv.sides
	p.showSides()
}

func (p *archivePanel) showSides() {
	text := p.pv.sidesText()
	if p.pv.dateNote != "" {
		text += "\n" + p.pv.dateNote
	}
	if p.pv.mappingErr != "" {
		text += "\n" + p.pv.mappingErr
	}
	p.sidesInfo.SetText(strings.TrimSpace(text))
}

// applyPreset fills the field selects from the importer's detection (or
// the chosen preset), as the importer resolved it against the file.
func (p *archivePanel) applyPreset() {
	if len(p.pv.columns) == 0 {
		return
	}
	m := p.pv.mapping
	p.pv.mappingErr = p.pv.detectErr
	if name := p.preset.Selected; name != autoDetect && name != "" {
		pv, err := readPreview(p.pv.path, p.importOptions(""), p.savedVisibility(), 1)
		if err != nil {
			p.d.showError("Mapping preset", err)
			return
		}
		m = pv.mapping // nil when the preset's columns are absent: all unmapped
		p.pv.mappingErr = pv.mappingErr
		p.showSides()
	}
	for _, f := range importer.Fields {
		p.fieldSel[f].SetSelected(firstColumn(m[f], p.pv.columns))
	}
}

// firstColumn is the first wanted column the file has (ignoring case and
// spacing), or unmapped.
func firstColumn(want, columns []string) string {
	for _, w := range want {
		for _, c := range columns {
			if strings.EqualFold(strings.Join(strings.Fields(w), ""), strings.Join(strings.Fields(c), "")) {
				return c
			}
		}
	}
	return unmapped
}

// mapping is the field→column choice as the importer's mapping.
func (p *archivePanel) mapping() importer.Mapping {
	m := importer.Mapping{}
	for _, f := range importer.Fields {
		if c := p.fieldSel[f].Selected; c != "" && c != unmapped {
			m[f] = []string{c}
		} else {
			m[f] = []string{}
		}
	}
	return m
}

// startImport imports the previewed file with the chosen mapping.
func (p *archivePanel) startImport() {
	if p.pv.path == "" {
		return
	}
	m := p.mapping()
	for _, f := range []string{"id", "opened"} {
		if len(m[f]) == 0 {
			p.d.showError("Import", fmt.Errorf("no column chosen for the required field %q: pick it in the column mapping", f))
			return
		}
	}
	o := p.importOptions(m.String())
	o.Preset = "" // the selects already hold the preset's choice
	if err := o.Validate(); err != nil {
		p.d.showError("Import", err)
		return
	}
	p.importFile(p.pv.path, o)
}

// importFile runs one import job and shows its report.
func (p *archivePanel) importFile(path string, o app.ImportOptions) *app.Job {
	p.setBusy(true)
	p.progress.SetValue(0)
	p.result.SetText("Importing " + filepath.Base(path) + "…")
	p.rejects.SetText("")
	var rep importer.Report
	return p.d.run("import", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		var err error
		rep, err = proj.Import(ctx, path, o, progress)
		return err
	}, p.onEvent, func(err error) {
		p.setBusy(false)
		if err != nil {
			p.result.SetText("Import stopped: " + err.Error())
			return
		}
		p.progress.SetValue(1)
		p.showReport(rep)
		p.refresh()
	})
}

func (p *archivePanel) onEvent(e app.Event) {
	if e.Total > 0 {
		p.progress.SetValue(float64(e.Done) / float64(e.Total))
	}
	if e.Message != "" {
		p.result.SetText(e.Message)
	}
}

// showReport writes what the import did and the first rejects.
func (p *archivePanel) showReport(rep importer.Report) {
	p.lastReport = &rep
	text := fmt.Sprintf("%s: %d rows read · %d imported (%d new, %d updated, %d unchanged) · %d rejected · %d duplicate IDs · %d re-encoded · %d comments · %d links",
		filepath.Base(rep.File), rep.Rows, rep.Imported, rep.Added, rep.Updated, rep.Unchanged, rep.Rejected, rep.DuplicateIDs, rep.Recoded, rep.Comments, rep.Links)
	if notes := rep.DetectionNotes(); len(notes) > 0 {
		text += "\n" + strings.Join(notes, "\n")
	}
	p.result.SetText(text)
	sides := preview{sides: map[string]string{}}
	for col, side := range rep.Visibility {
		sides.sides[col] = side
	}
	for col, kind := range rep.LinkColumns {
		sides.sides[col] = "link:" + kind
	}
	p.sidesInfo.SetText(sides.sidesText())
	if rep.Rejected == 0 {
		p.rejects.SetText("")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Rejected rows (first %d of %d", min(len(rep.Rejects), 10), rep.Rejected)
	if rep.RejectsFile != "" {
		fmt.Fprintf(&b, "; all in %s", rep.RejectsFile)
	}
	b.WriteString("):\n")
	for _, r := range rep.Rejects[:min(len(rep.Rejects), 10)] {
		if r.Record > 0 {
			fmt.Fprintf(&b, "record %d", r.Record)
		} else {
			fmt.Fprintf(&b, "line %d", r.Line)
		}
		if r.ID != "" {
			fmt.Fprintf(&b, " (%s)", r.ID)
		}
		if r.Field != "" {
			fmt.Fprintf(&b, " field %s", r.Field)
		}
		fmt.Fprintf(&b, ": %s\n", r.Reason)
	}
	p.rejects.SetText(b.String())
}

// startSynth generates the synthetic archive into the project and imports it.
func (p *archivePanel) startSynth() {
	n, err := strconv.Atoi(strings.TrimSpace(p.synthN.Text))
	if err != nil || n < synth.MinTickets || n > synth.MaxTickets {
		p.d.showError("Generate", fmt.Errorf("ticket count %q: give a whole number between %d and %d", p.synthN.Text, synth.MinTickets, synth.MaxTickets))
		return
	}
	p.generate(n)
}

// generate runs synth then import as one job.
func (p *archivePanel) generate(n int) *app.Job {
	p.setBusy(true)
	p.progress.SetValue(0)
	p.result.SetText(fmt.Sprintf("Generating %d synthetic tickets…", n))
	var rep importer.Report
	return p.d.run("import", func(ctx context.Context, proj *app.Project, progress app.Progress) error {
		dir := proj.Path("synthetic")
		res, err := app.Synth(ctx, synth.Config{Tickets: n}, dir, progress)
		if err != nil {
			return err
		}
		csv := slices.IndexFunc(res.Files, func(f string) bool { return strings.HasSuffix(f, ".csv") })
		if csv < 0 {
			return fmt.Errorf("synthetic export in %s has no CSV", dir)
		}
		rep, err = proj.Import(ctx, res.Files[csv], app.ImportOptions{}, progress)
		return err
	}, p.onEvent, func(err error) {
		p.setBusy(false)
		if err == nil {
			p.progress.SetValue(1)
			p.showReport(rep)
			p.refresh()
		}
	})
}

func (p *archivePanel) setBusy(busy bool) {
	if busy {
		p.importBtn.Disable()
		p.synthBtn.Disable()
		return
	}
	if p.pv.path != "" {
		p.importBtn.Enable()
	}
	p.synthBtn.Enable()
}

// chooseDataDir asks for a data directory and opens it as the project.
func (d *desktop) chooseDataDir() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			d.showError("Choose data directory", err)
			return
		}
		if u == nil {
			return
		}
		if err := d.openProject(u.Path()); err != nil {
			d.showError("Open "+u.Path(), err)
		}
	}, d.win)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// heading is a bold section title.
func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// oneLine flattens a cell for a table row.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, 80)
}

// truncate cuts s to n runes with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
