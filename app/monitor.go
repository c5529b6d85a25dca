package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/rerank"
)

const metaMonitor = "monitor"

// MonitorOptions configure Monitor; zero values take
// DefaultMonitorOptions' (Validate says which values are out of range).
type MonitorOptions struct {
	Model string `json:"model"` // the deployed model: a run ID, "best" (default), "last", or an export folder
	// Compare is a second model (typically one retrained with `train
	// --from`) monitored on the same periods, fused on the same validation
	// queries, and compared with the deployed one.
	Compare      string           `json:"compare,omitempty"`
	Period       string           `json:"period"`         // week, month (default) or quarter
	Since        time.Time        `json:"since,omitzero"` // first opened time monitored (default: the end of the model's validation window)
	Depth        int              `json:"depth"`          // candidates reranked per query
	Permutations int              `json:"permutations"`   // paired randomization test per period
	Resamples    int              `json:"resamples"`      // bootstrap resamples per period
	NoRefresh    bool             `json:"no_refresh"`     // do not re-mine and re-run the first stage first
	Backend      string           `json:"backend,omitempty"`
	Precision    string           `json:"precision,omitempty"`
	Thresholds   AdviceThresholds `json:"thresholds"` // zero fields take DefaultAdviceThresholds
	// BiEncoderEvidence: as EvalOptions.BiEncoderEvidence.
	BiEncoderEvidence bool `json:"bi_encoder_evidence,omitempty"`
}

// DefaultMonitorOptions are the values monitoring takes where its
// MonitorOptions are zero: the best run, by month, 50 candidates per
// query, 2000 permutations and 2000 bootstrap resamples per period (fewer
// than an evaluation's: a period has fewer queries, and there are many
// periods), and DefaultAdviceThresholds. Since stays zero: the end of the
// model's validation window. The CLI's monitor flags and the desktop's
// Monitoring panel start from them.
func DefaultMonitorOptions() MonitorOptions {
	return MonitorOptions{Model: "best", Period: string(eval.DefaultPeriod), Depth: 50, Permutations: 2000, Resamples: 2000,
		Thresholds: DefaultAdviceThresholds()}
}

func (o MonitorOptions) withDefaults() MonitorOptions {
	d := DefaultMonitorOptions()
	o.Model = firstNonEmpty(o.Model, d.Model)
	o.Period = firstNonEmpty(o.Period, d.Period)
	fillInt(&o.Depth, d.Depth)
	fillInt(&o.Permutations, d.Permutations)
	fillInt(&o.Resamples, d.Resamples)
	o.Thresholds = o.Thresholds.withDefaults()
	return o
}

// Validate says which option is out of range (an *OptionError naming its
// JSON field; a threshold's is "thresholds.NAME"), or returns nil. Zero
// values are valid: they take DefaultMonitorOptions'. Monitor refuses
// options it does not accept before it reads anything.
func (o MonitorOptions) Validate() error {
	d := DefaultMonitorOptions()
	_, periodErr := eval.ParsePeriod(o.Period)
	if err := firstBadField(
		fieldCheck{periodErr == nil, "period", o.Period, fmt.Sprintf("week, month or quarter (empty = %s)", d.Period)},
		fieldCheck{o.Depth >= 0, "depth", o.Depth, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", d.Depth)},
		fieldCheck{o.Permutations >= 0, "permutations", o.Permutations, fmt.Sprintf("permutations, 1 or more (0 = %d)", d.Permutations)},
		fieldCheck{o.Resamples >= 0, "resamples", o.Resamples, fmt.Sprintf("bootstrap resamples, 1 or more (0 = %d)", d.Resamples)},
		fieldCheck{validPrecision(o.Precision), "precision", o.Precision, precisionWant},
	); err != nil {
		return err
	}
	return within("thresholds", o.Thresholds.Validate())
}

// MonitorResult is how the deployed model, the first stage and the final
// system (their fusion, chosen on the validation window as evaluation
// chooses it) did on the queries opened after the model's training data
// ended, one row per period, with label-free drift signals and advice.
type MonitorResult struct {
	Model   string      `json:"model"`
	Compare string      `json:"compare,omitempty"`
	Period  eval.Period `json:"period"`
	Since   time.Time   `json:"since"`
	Depth   int         `json:"depth"`
	Fusion  eval.Fusion `json:"fusion"`
	// FinalFrom is what the final system is, chosen as evaluation chooses
	// it: the learned ranker with the model's score fused in
	// (FinalFromRanker, RankerFusion its share) or the fusion above.
	FinalFrom    string       `json:"final_from"`
	RankerFusion *eval.Fusion `json:"ranker_fusion,omitempty"`
	Reference    Reference    `json:"reference"`
	Rows         []PeriodRow  `json:"rows"`
	Advice       Advice       `json:"advice"`
	// Refreshed lists what was re-run first because the archive changed
	// since the last mining (re-mined with the split dates kept; first stage).
	Refreshed  []string  `json:"refreshed,omitempty"`
	ReportMD   string    `json:"report_md"`
	ReportHTML string    `json:"report_html"`
	Seconds    float64   `json:"seconds"`
	Created    time.Time `json:"created"`
}

// FinalSystem names the final system monitoring scores, as the reports
// print it: the learned ranker with the model's score fused in, or the
// first stage with it.
func (r MonitorResult) FinalSystem() string {
	if r.FinalFrom == FinalFromRanker && r.RankerFusion != nil {
		return "learned ranker + model (" + r.RankerFusion.String() + ")"
	}
	return "first stage + model (" + r.Fusion.String() + ")"
}

// Reference is what the model was chosen on: its validation queries'
// MRR@10 per system, and the label-free signals of the training window.
type Reference struct {
	ValQueries      int     `json:"validation_queries"`
	FirstStage      float64 `json:"first_stage_mrr@10"`
	Model           float64 `json:"model_mrr@10"`
	Final           float64 `json:"final_mrr@10"`
	TrainingTickets int     `json:"training_tickets"` // tickets opened before Since: the rules and entities the model could have seen
	Rules           int     `json:"rules"`
	// ValUnseenRules is the validation window's share of tickets from rules
	// not seen in the train window: how many new rules are normal.
	ValUnseenRules float64 `json:"validation_unseen_rules"`
	CompareFinal   float64 `json:"compare_final_mrr@10,omitempty"`
}

// PeriodRow is one period of monitoring. MRR figures are over the period's
// queries with mined labels; drift signals need no labels.
type PeriodRow struct {
	Period     string          `json:"period"`
	Start      time.Time       `json:"start"`
	End        time.Time       `json:"end"`
	Tickets    int             `json:"tickets"` // opened in the period
	Queries    int             `json:"queries"` // with mined labels and candidates
	Labels     int             `json:"labels"`  // relevant earlier tickets over those queries
	FirstStage float64         `json:"first_stage_mrr@10"`
	Model      float64         `json:"model_mrr@10"`
	Final      float64         `json:"final_mrr@10"`
	VsFirst    eval.Comparison `json:"final_vs_first_stage"` // Δ final − first stage, bootstrap CI, p-value
	// Compare is the second model's figures on the same queries, when asked.
	Compare *CompareRow  `json:"compare,omitempty"`
	Signals DriftSignals `json:"signals"`
	// finalMRR keeps per-query figures for pooling across periods (advice).
	first, final []float64
}

// CompareRow is a second model on one period's queries.
type CompareRow struct {
	Model     float64         `json:"model_mrr@10"`
	Final     float64         `json:"final_mrr@10"`
	VsFirst   eval.Comparison `json:"final_vs_first_stage"`
	VsCurrent eval.Comparison `json:"final_vs_deployed_final"`
}

// DriftSignals are one period's label-free signals against the training
// window (tickets opened before MonitorResult.Since; for scores, the
// validation queries).
type DriftSignals struct {
	UnseenRules    float64           `json:"unseen_rules"`    // share of the period's tickets whose rule no training ticket had
	NewEntities    float64           `json:"new_entities"`    // share of the period's entity mentions (users, hosts, IPs...) never seen in training
	Length         eval.Distribution `json:"length"`          // words of title + description
	ModelTop       eval.Distribution `json:"model_top"`       // the model's highest score per query
	FirstStageTop  eval.Distribution `json:"first_stage_top"` // the first stage's highest score per query
	NewRuleQueries int               `json:"new_rule_queries"`
}

// monitoredModel is a model as monitoring scores it.
type monitoredModel struct {
	name, dir, key string
	opts           TrainOptions
	format         pairtext.Format
	maxLen         int
	validationEnd  time.Time // zero when unknown
}

// Monitor evaluates a deployed model period by period on the queries opened
// after its training data ended (see MonitorResult). When the archive was
// re-imported with newer tickets, it first re-mines with the split dates
// kept, so the model's train and validation windows stay as they were and
// the new tickets' labels join the later window, and re-runs the first
// stage when the labels changed. Scores go through the score cache.
func (p *Project) Monitor(ctx context.Context, o MonitorOptions, progress Progress) (MonitorResult, error) {
	start := time.Now()
	settings := p.SettingsSnapshot()
	if err := o.Validate(); err != nil {
		return MonitorResult{}, fmt.Errorf("monitor: %w", err)
	}
	o = o.withDefaults()
	period, err := eval.ParsePeriod(o.Period)
	if err != nil {
		return MonitorResult{}, err
	}
	th := o.Thresholds
	res := MonitorResult{Period: period, Depth: o.Depth, Created: time.Now().UTC()}
	if !o.NoRefresh {
		if res.Refreshed, err = p.refreshLabels(ctx, progress); err != nil {
			return MonitorResult{}, err
		}
	}
	mined, ok, err := p.LastMine()
	if err != nil {
		return MonitorResult{}, err
	}
	if !ok {
		return MonitorResult{}, fmt.Errorf("monitor: nothing mined yet: run `precedent mine` first")
	}
	mm, err := p.monitoredModel(o.Model)
	if err != nil {
		return MonitorResult{}, err
	}
	res.Model = mm.name
	end := func(m monitoredModel) time.Time {
		if m.validationEnd.IsZero() { // a run recorded before runs kept their split
			return mined.Split.ValEnd
		}
		return m.validationEnd
	}
	res.Since = o.Since
	if res.Since.IsZero() {
		res.Since = end(mm)
	}
	var cm monitoredModel
	if o.Compare != "" {
		if cm, err = p.monitoredModel(o.Compare); err != nil {
			return MonitorResult{}, fmt.Errorf("compare: %w", err)
		}
		res.Compare = cm.name
		// Both models are compared only where neither saw the data.
		if e := end(cm); o.Since.IsZero() && e.After(res.Since) {
			res.Since = e
		}
	}
	a, err := p.loadArchive()
	if err != nil {
		return MonitorResult{}, err
	}
	all, err := p.Candidates("")
	if err != nil {
		return MonitorResult{}, err
	}
	var qcs []QueryCandidates
	for _, qc := range all {
		if q, ok := a.get(qc.Query); ok && len(qc.Relevant) > 0 && !q.Opened.Before(res.Since) {
			qcs = append(qcs, qc)
		}
	}
	slices.SortFunc(qcs, func(x, y QueryCandidates) int {
		qx, _ := a.get(x.Query)
		qy, _ := a.get(y.Query)
		if c := qx.Opened.Compare(qy.Opened); c != 0 {
			return c
		}
		return strings.Compare(x.Query, y.Query)
	})
	val, err := p.validationQueries(mm.opts.withDefaults())
	if err != nil {
		return MonitorResult{}, err
	}
	valDepth := mm.opts.withDefaults().ValDepth
	b, info, err := p.backend(pick(o.Backend, settings.Backend, p.rt.DefaultBackend()))
	if err != nil {
		return MonitorResult{}, err
	}
	prec, _, err := inferencePrecision(pick(o.Precision, settings.Precision, defaultPrecision), info)
	if err != nil {
		return MonitorResult{}, err
	}
	score := func(m monitoredModel) (valLists, lists [][]eval.Scored, err error) {
		ck, err := hf.Load(m.dir)
		if err != nil {
			return nil, nil, fmt.Errorf("monitor %s: %w", m.name, err)
		}
		mdl, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
		if err != nil {
			return nil, nil, fmt.Errorf("monitor %s: %w", m.name, err)
		}
		rr, err := rerank.NewEngine(mdl, ck.TokenizerPath, b, m.format, m.maxLen, prec)
		if err != nil {
			return nil, nil, err
		}
		defer rr.Close()
		key := p.scoreKey(m.key, rr)
		phase := func(what string) rankProgress {
			clock := newETAClock()
			return func(done, total int, work float64) {
				progress.emit(Event{Step: "monitor", Phase: m.name + " " + what, Done: int64(done), Total: int64(total),
					ETA: clock.left(workUnits(work), workUnits(1))})
			}
		}
		if valLists, err = p.cachedRank(ctx, key, rr, a, val, valDepth, phase("validation")); err != nil {
			return nil, nil, err
		}
		lists, err = p.cachedRank(ctx, key, rr, a, qcs, o.Depth, phase("monitored queries"))
		return valLists, lists, err
	}
	valFirst := make([][]eval.Scored, len(val))
	valRel := make([]map[string]bool, len(val))
	for i, qc := range val {
		valRel[i] = toSet(qc.Relevant)
		valFirst[i] = firstStageScored(qc, valDepth)
	}
	first := make([][]eval.Scored, len(qcs))
	for i, qc := range qcs {
		first[i] = firstStageScored(qc, o.Depth)
	}
	valModel, cur, err := score(mm)
	if err != nil {
		return MonitorResult{}, err
	}
	// The learned ranker, fitted and chosen as evaluation fits and chooses
	// it: its lists are the "first stage" the model's score is fused into.
	fit, rv, tq, err := p.evalRanker(ctx, a, val, valDepth, qcs, o.Depth, o.BiEncoderEvidence, progress, "monitor")
	if err != nil {
		return MonitorResult{}, err
	}
	var ranker *RankerFit
	if fit.Model != nil {
		ranker = &fit
	}
	choice := chooseFinalSystem(valFirst, rv, valModel, valRel, ranker)
	res.Fusion, res.FinalFrom = choice.fusion, choice.final.From
	valBase, base := valFirst, first
	if choice.final.From == FinalFromRanker {
		share := choice.final.RankerFusion
		res.RankerFusion = &share
		valBase, base = byRankAll(rv), byRankAll(alignLists(qcs, tq, rankerScored(fit.Model, tq)))
	}
	finalFusion := res.Fusion
	if res.RankerFusion != nil {
		finalFusion = *res.RankerFusion
	}
	vf, vfin := rrs(valFirst, valRel), rrs(fuseAll(finalFusion, valBase, valModel), valRel)
	res.Reference = Reference{ValQueries: len(val), FirstStage: mean(vf), Model: meanMRR(valModel, valRel), Final: mean(vfin)}
	var cmp [][]eval.Scored
	var cmpFusion eval.Fusion
	if o.Compare != "" {
		cv, cl, err := score(cm)
		if err != nil {
			return MonitorResult{}, err
		}
		cmpFusion, _ = eval.ChooseFusion(valBase, cv, valRel, eval.FusionGrid())
		res.Reference.CompareFinal = meanMRR(fuseAll(cmpFusion, valBase, cv), valRel)
		cmp = cl
	}
	progress.emit(Event{Step: "monitor", Phase: "periods", Message: fmt.Sprintf("%d queries since %s, by %s", len(qcs), res.Since.Format(time.DateOnly), period)})

	ref := newDriftReference(a, res.Since, mined.Split.TrainEnd, val, valModel, valDepth)
	res.Reference.TrainingTickets, res.Reference.Rules, res.Reference.ValUnseenRules = ref.tickets, len(ref.rules), ref.valUnseenRules
	res.Rows = monitorRows(a, res.Since, period, qcs, first, cur, ref, valDepth)
	for i := range res.Rows {
		r := &res.Rows[i]
		idx := rowQueries(a, qcs, r.Start, r.End)
		rel := make([]map[string]bool, len(idx))
		var f, m, fin []float64
		for k, qi := range idx {
			rel[k] = toSet(qcs[qi].Relevant)
			f = append(f, mrrOf(first[qi], rel[k]))
			m = append(m, mrrOf(cur[qi], rel[k]))
			fin = append(fin, mrrOf(finalFusion.Apply(base[qi], cur[qi]), rel[k]))
		}
		r.first, r.final = f, fin
		r.FirstStage, r.Model, r.Final = mean(f), mean(m), mean(fin)
		r.VsFirst = eval.Compare(f, fin, o.Permutations, o.Resamples, uint64(i+1))
		if cmp != nil {
			var cm, cf []float64
			for k, qi := range idx {
				cm = append(cm, mrrOf(cmp[qi], rel[k]))
				cf = append(cf, mrrOf(cmpFusion.Apply(base[qi], cmp[qi]), rel[k]))
			}
			r.Compare = &CompareRow{Model: mean(cm), Final: mean(cf),
				VsFirst:   eval.Compare(f, cf, o.Permutations, o.Resamples, uint64(i+1)),
				VsCurrent: eval.Compare(fin, cf, o.Permutations, o.Resamples, uint64(i+1))}
		}
	}
	res.Advice = Advise(res.Rows, res.Reference, period, th)
	dir := p.Path("monitor")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return MonitorResult{}, err
	}
	md, html := monitorReport(res)
	res.ReportMD, res.ReportHTML = filepath.Join(dir, "report.md"), filepath.Join(dir, "report.html")
	if err := writeFile(res.ReportMD, func(w io.Writer) error { _, err := io.WriteString(w, md); return err }); err != nil {
		return MonitorResult{}, err
	}
	if err := writeFile(res.ReportHTML, func(w io.Writer) error { _, err := io.WriteString(w, html); return err }); err != nil {
		return MonitorResult{}, err
	}
	res.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaMonitor, res); err != nil {
		return MonitorResult{}, err
	}
	progress.emit(Event{Step: "monitor", Done: int64(len(qcs)), Total: int64(len(qcs)), Final: true})
	return res, nil
}

// LastMonitor returns the last monitoring result, if any.
func (p *Project) LastMonitor() (MonitorResult, bool, error) {
	var r MonitorResult
	ok, err := p.Store.GetMeta(metaMonitor, &r)
	return r, ok, err
}

// refreshLabels re-mines with the last mining's options and split dates
// (so the deployed model's windows do not move), then re-runs the first
// stage when the labels changed or no candidate lists are stored.
func (p *Project) refreshLabels(ctx context.Context, progress Progress) ([]string, error) {
	prev, ok, err := p.LastMine()
	if err != nil || !ok {
		return nil, err
	}
	n, err := p.Store.CountTickets()
	if err != nil {
		return nil, err
	}
	stored, err := p.Store.CountRecords(collCandidates)
	if err != nil {
		return nil, err
	}
	latest := prev.Split.End
	if ts, err := p.Store.TicketsByOpened(); err == nil && len(ts) > 0 {
		latest = ts[len(ts)-1].Opened
	}
	var done []string
	if n != prev.Tickets || latest.After(prev.Split.End) {
		o := prev.Options
		o.TrainEnd, o.ValEnd = prev.Split.TrainEnd, prev.Split.ValEnd
		mr, err := p.Mine(ctx, o, progress)
		if err != nil {
			return nil, fmt.Errorf("monitor: re-mine: %w", err)
		}
		done = append(done, fmt.Sprintf("mine: %d tickets (was %d), split dates kept", mr.Tickets, prev.Tickets))
		if mr.Invalidated != nil {
			stored = 0
		}
	}
	if stored == 0 {
		var fs FirstStageResult
		if _, err := p.Store.GetMeta(metaFirstStage, &fs); err != nil {
			return nil, err
		}
		if _, err := p.FirstStage(ctx, fs.Options, progress); err != nil {
			return nil, fmt.Errorf("monitor: first stage: %w", err)
		}
		done = append(done, "first stage: candidate lists rebuilt for the new labels")
	}
	return done, nil
}

// monitoredModel resolves a run ID or an export folder.
func (p *Project) monitoredModel(ref string) (monitoredModel, error) {
	if st, err := os.Stat(ref); err == nil && st.IsDir() {
		return p.exportedModel(ref)
	}
	run, err := p.findRun(ref)
	if err != nil {
		return monitoredModel{}, err
	}
	if run.ModelDir == "" {
		return monitoredModel{}, fmt.Errorf("run %s has no saved model (status %s)", run.ID, run.Status)
	}
	f, err := p.pairFormat(run.Options.PairFormat)
	if err != nil {
		return monitoredModel{}, err
	}
	return monitoredModel{name: run.ID, dir: run.ModelDir, key: runScoreModel(run), opts: run.Options, format: f, maxLen: run.Options.MaxLen, validationEnd: run.ValEnd}, nil
}

// exportedModel reads an export folder: its pair-text spec, and from its
// model card the options it was trained with and its validation window.
func (p *Project) exportedModel(dir string) (monitoredModel, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return monitoredModel{}, err
	}
	if _, err := rerank.VerifyManifest(abs); err != nil {
		return monitoredModel{}, err
	}
	sc, err := rerank.ReadServingConfig(abs)
	if err != nil {
		return monitoredModel{}, err
	}
	f, err := sc.PairText()
	if err != nil {
		return monitoredModel{}, err
	}
	card, ok, err := rerank.ReadModelCard(abs)
	if err != nil {
		return monitoredModel{}, err
	}
	mm := monitoredModel{name: filepath.Base(abs), dir: abs, key: "export:" + abs + modelKey(abs), format: f, maxLen: sc.MaxLen}
	if ok {
		parts, err := cardPartsOf(card)
		if err != nil {
			return monitoredModel{}, err
		}
		mm.opts = parts.Options
		if card.Run != "" {
			mm.name = card.Run + " (" + filepath.Base(abs) + ")"
		}
		for _, w := range parts.Windows {
			if w.Name == "validation" {
				mm.validationEnd = w.End
			}
		}
	}
	return mm, nil
}

// rowQueries are the indexes of qcs opened in [start, end).
func rowQueries(a *archive, qcs []QueryCandidates, start, end time.Time) []int {
	var out []int
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		if !q.Opened.Before(start) && q.Opened.Before(end) {
			out = append(out, i)
		}
	}
	return out
}

func mrrOf(list []eval.Scored, rel map[string]bool) float64 {
	m, _ := eval.Score(eval.Order(list), rel)
	return m.MRR10
}

func meanMRR(lists [][]eval.Scored, rel []map[string]bool) float64 { return mean(rrs(lists, rel)) }

// rrs are the lists' per-query reciprocal ranks (MRR@10 of one query).
func rrs(lists [][]eval.Scored, rel []map[string]bool) []float64 {
	xs := make([]float64, len(lists))
	for i := range lists {
		xs[i] = mrrOf(lists[i], rel[i])
	}
	return xs
}

func fuseAll(f eval.Fusion, first, model [][]eval.Scored) [][]eval.Scored {
	out := make([][]eval.Scored, len(first))
	for i := range first {
		out[i] = f.Apply(first[i], model[i])
	}
	return out
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// ticketWords is the label-free length signal: words of title and description.
func ticketWords(t data.Ticket) float64 {
	return float64(len(strings.Fields(t.Title)) + len(strings.Fields(t.Description)))
}
