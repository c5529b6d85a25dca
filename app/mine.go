package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/data/synth"
)

// Collections and meta keys that mining writes.
const (
	collPairs  = "pairs"
	collGroups = "groups"
	metaMining = "mining"
	metaTruth  = "truth_path"
	metaLabels = "labels" // LabelsState: the labels' fingerprint and what their last change invalidated
)

// MsgLabelsChanged is what a user is told when re-mining changed the labels.
const MsgLabelsChanged = "labels changed: re-run firststage and negatives"

// MineOptions configure mining and the time split; zero values take
// DefaultMineOptions' (Validate says which values are out of range).
type MineOptions struct {
	Presets        []string  `json:"presets,omitempty"`      // ID pattern presets (default: project settings, else servicenow)
	Patterns       []string  `json:"patterns,omitempty"`     // custom ID regular expressions
	Fields         []string  `json:"fields,omitempty"`       // text fields to read (default close_notes, comments)
	NegatedCues    []string  `json:"negated_cues,omitempty"` // extra negated cue phrases (RE2), added to the built-in ones
	LinkKinds      []string  `json:"link_kinds,omitempty"`   // explicit link kinds that make positives (default mining.DefaultLinkKinds)
	Ties           string    `json:"ties,omitempty"`         // same-instant links: order (by opened time, then ID) or drop
	MaxPartners    int       `json:"max_partners,omitempty"` // positives per query within a group (-1: no cap)
	MaxGroupPairs  int       `json:"max_group_pairs,omitempty"`
	MaxPerRule     int       `json:"max_per_rule,omitempty"`      // 0 = 3× the mean per rule, at least 300; -1 no cap
	MaxPerRulePair int       `json:"max_per_rule_pair,omitempty"` // 0 = 3× the mean, at least 100; -1 no cap
	TrainFrac      float64   `json:"train_frac,omitempty"`
	ValFrac        float64   `json:"val_frac,omitempty"`
	TrainEnd       time.Time `json:"train_end,omitzero"` // explicit dates override fractions
	ValEnd         time.Time `json:"val_end,omitzero"`
}

// DefaultMineOptions are the values mining takes where its MineOptions
// are zero: links between tickets opened at the same instant kept in
// order, 5 positives per query and 200 pairs per group (mining's caps),
// sampling caps scaled to the archive, and a split of 80% of the time for
// training and 10% for validation. The ID patterns are the project's
// (Settings.IDPresets, IDPatterns), so none are here; the fields and link
// kinds read are mining's (nil). The CLI's mine flags and the desktop's
// Mining panel start from them.
func DefaultMineOptions() MineOptions {
	m := mining.DefaultOptions()
	return MineOptions{Ties: string(mining.TiesOrder), MaxPartners: m.MaxPartners, MaxGroupPairs: m.MaxGroupPairs, TrainFrac: 0.8, ValFrac: 0.1}
}

func (o MineOptions) withDefaults() MineOptions {
	d := DefaultMineOptions()
	o.Ties = firstNonEmpty(o.Ties, d.Ties)
	fillInt(&o.MaxPartners, d.MaxPartners)
	fillInt(&o.MaxGroupPairs, d.MaxGroupPairs)
	if o.TrainFrac == 0 {
		o.TrainFrac = d.TrainFrac
	}
	if o.ValFrac == 0 {
		o.ValFrac = d.ValFrac
	}
	return o
}

// Validate says which option is out of range or names nothing known (an
// *OptionError naming its JSON field), or returns nil. Zero values are
// valid: they take DefaultMineOptions'. The expressions (Patterns,
// NegatedCues) are the user's text, compiled where mining uses them: a
// broken one fails Mine before any work, with the compiler's reason.
func (o MineOptions) Validate() error {
	for _, name := range o.Presets {
		if _, ok := mining.Presets[strings.ToLower(strings.TrimSpace(name))]; !ok {
			return &OptionError{Field: "presets", Value: name, Want: "a preset among " + strings.Join(mining.PresetNames(), ", ")}
		}
	}
	for _, f := range o.Fields {
		if !slices.Contains(mining.TextFields, f) {
			return &OptionError{Field: "fields", Value: f, Want: "fields among " + strings.Join(mining.TextFields, ", ")}
		}
	}
	_, tiesErr := mining.ParseTies(o.Ties)
	fraction := func(f float64) bool { return finite(f) && f >= 0 && f < 1 }
	return firstBadField(
		fieldCheck{tiesErr == nil, "ties", o.Ties, "order or drop"},
		fieldCheck{o.MaxPartners >= -1, "max_partners", o.MaxPartners, fmt.Sprintf("positives per query, -1 (no cap) or more (0 = %d)", DefaultMineOptions().MaxPartners)},
		fieldCheck{o.MaxGroupPairs >= -1, "max_group_pairs", o.MaxGroupPairs, fmt.Sprintf("pairs per group, -1 (no cap) or more (0 = %d)", DefaultMineOptions().MaxGroupPairs)},
		fieldCheck{o.MaxPerRule >= -1, "max_per_rule", o.MaxPerRule, "-1 (no cap), 0 (scaled to the archive) or more"},
		fieldCheck{o.MaxPerRulePair >= -1, "max_per_rule_pair", o.MaxPerRulePair, "-1 (no cap), 0 (scaled to the archive) or more"},
		fieldCheck{fraction(o.TrainFrac), "train_frac", o.TrainFrac, "a fraction of the time, above 0 and below 1"},
		fieldCheck{fraction(o.ValFrac), "val_frac", o.ValFrac, "a fraction of the time, above 0 and below 1"},
		sumCheck(o),
		fieldCheck{o.TrainEnd.IsZero() || o.ValEnd.IsZero() || o.TrainEnd.Before(o.ValEnd), "val_end", o.ValEnd.Format(time.DateOnly),
			"a date after the end of the train window (" + o.TrainEnd.Format(time.DateOnly) + ")"},
	)
}

// StoredPair is a mined pair with the window of its query, as persisted.
type StoredPair struct {
	mining.Pair
	Window string `json:"window"` // train, validation, test; "" when not a training positive
}

// WindowCount is one window of the split, for reports.
type WindowCount struct {
	Name    string    `json:"name"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Tickets int       `json:"tickets"`
	Queries int       `json:"queries"`
	Pairs   int       `json:"pairs"`
}

// MineResult is what mining found and how the split cut it.
type MineResult struct {
	Options MineOptions         `json:"options"`
	Tickets int                 `json:"tickets"`
	Funnel  mining.Funnel       `json:"funnel"`
	Missing map[string]int      `json:"missing_by_prefix"`
	PerRule []mining.RuleStats  `json:"per_rule"`
	Windows []WindowCount       `json:"windows"`
	Leakage split.Report        `json:"leakage"`
	Split   split.Windows       `json:"split"`
	Groups  int                 `json:"groups"`
	Truth   *mining.TruthReport `json:"truth,omitempty"`
	// TruthNote says why a synthetic archive's ground truth was not scored
	// (its file is gone since the import); mining itself does not need it.
	TruthNote string         `json:"truth_note,omitempty"`
	Seconds   float64        `json:"seconds"`
	Classes   map[string]int `json:"classes"`
	Filtered  map[string]int `json:"filtered"`
	Caps      [2]int         `json:"sampling_caps"` // applied sampling caps: per query rule, per (query rule, positive rule)

	Ties        mining.Ties    `json:"ties"`                  // the tie rule applied
	DateOnly    bool           `json:"date_only"`             // every opened time is midnight: same-instant means same-day
	CoarseTimes bool           `json:"coarse_times"`          // dates only, or most tickets share an opened instant: no time-gap test for trivial duplicates
	Shared      float64        `json:"shared_instants"`       // share of tickets opened at the same instant as another
	NegatedCues map[string]int `json:"negated_cues"`          // negated references by cue phrase
	Labels      string         `json:"labels"`                // fingerprint of the labels (pairs, classes, filters, windows)
	Invalidated *Invalidation  `json:"invalidated,omitempty"` // set when these labels differ from the previous mining's
}

// Invalidation is what a change of labels cleared or marked stale. Analyst
// reviews are kept: they outrank mined labels (see labelPrecedence).
type Invalidation struct {
	Message    string    `json:"message"`
	At         time.Time `json:"at"`
	Previous   string    `json:"previous_labels"`
	Candidates int       `json:"candidates_cleared"` // stored first-stage lists removed
	Negatives  int       `json:"negatives_cleared"`  // queries whose mined negatives were removed
	StaleRuns  []string  `json:"stale_runs"`         // runs trained on the old labels, marked stale (kept)
	Reviews    int       `json:"reviews_kept"`
}

// LabelsState is stored under metaLabels.
type LabelsState struct {
	Fingerprint string        `json:"fingerprint"`
	Invalidated *Invalidation `json:"invalidated,omitempty"` // what the last change of labels invalidated
}

// Mine extracts cross-references from the archive's notes, turns them into
// positive pairs, splits them by time and persists pairs, groups and the
// split. When the archive came from `precedent synth`, it also scores the
// positives against the generator's ground truth.
func (p *Project) Mine(ctx context.Context, o MineOptions, progress Progress) (MineResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	progress.emit(Event{Step: "mine", Phase: "load", Message: "reading tickets"})
	a, err := p.loadArchive()
	if err != nil {
		return MineResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return MineResult{}, err
	}
	o = p.mineDefaults(o)
	m, err := mining.CompilePatterns(o.Presets, o.Patterns)
	if err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	opts := mining.DefaultOptions()
	opts.Matcher = m
	if len(o.Fields) > 0 {
		opts.Fields = o.Fields
	}
	if len(o.NegatedCues) > 0 {
		opts.Cues = append([]mining.CuePattern(nil), mining.DefaultCues...)
		for _, c := range o.NegatedCues {
			opts.Cues = append(opts.Cues, mining.CuePattern{Class: mining.ClassNegated, Expr: c})
		}
	}
	if o.LinkKinds != nil {
		opts.LinkKinds = o.LinkKinds
	}
	if opts.Ties, err = mining.ParseTies(o.Ties); err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	setIf(&opts.MaxPartners, o.MaxPartners)
	setIf(&opts.MaxGroupPairs, o.MaxGroupPairs)
	setIf(&opts.MaxPerRule, o.MaxPerRule)
	setIf(&opts.MaxPerRulePair, o.MaxPerRulePair)
	progress.emit(Event{Step: "mine", Phase: "references", Message: fmt.Sprintf("%d tickets", len(a.Tickets))})
	res, err := mining.Mine(a.Tickets, opts)
	if err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	var w split.Windows
	if !o.TrainEnd.IsZero() || !o.ValEnd.IsZero() {
		w, err = split.ByDates(a.Tickets, o.TrainEnd, o.ValEnd)
	} else {
		w, err = split.ByFraction(a.Tickets, o.TrainFrac, o.ValFrac)
	}
	if err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	splits, rep := split.Assign(res.Pairs, a.Tickets, w)
	window := map[[2]string]string{}
	for name, ps := range map[string][]mining.Pair{"train": splits.Train, "validation": splits.Validation, "test": splits.Test} {
		for _, pr := range ps {
			window[[2]string{pr.Query, pr.Positive}] = name
		}
	}
	out := MineResult{
		Options: o, Tickets: len(a.Tickets), Funnel: res.Funnel, Missing: res.Missing, PerRule: res.PerRule,
		Leakage: rep, Split: w, Groups: len(res.Groups), Classes: map[string]int{}, Filtered: map[string]int{}, Caps: res.Caps,
		Ties: res.Ties, DateOnly: res.DateOnly, CoarseTimes: res.CoarseTimes, Shared: res.SharedInstants, NegatedCues: res.NegatedCues,
	}
	for _, ws := range rep.Windows {
		out.Windows = append(out.Windows, WindowCount{Name: ws.Window.String(), Start: ws.Start, End: ws.End, Tickets: ws.Tickets, Queries: ws.Queries, Pairs: ws.Pairs})
	}
	recs := make([]store.Record, 0, len(res.Pairs))
	for _, pr := range res.Pairs {
		out.Classes[pr.Class.String()]++
		for _, f := range pr.Filters {
			out.Filtered[f]++
		}
		recs = append(recs, store.Record{Key: pr.Query + "\x00" + pr.Positive, Value: StoredPair{Pair: pr, Window: window[[2]string{pr.Query, pr.Positive}]}})
	}
	if err := ctx.Err(); err != nil {
		return MineResult{}, err
	}
	out.Labels = labelsFingerprint(recs)
	progress.emit(Event{Step: "mine", Phase: "save", Message: fmt.Sprintf("%d pairs", len(recs))})
	if err := p.Store.ReplaceCollection(collPairs, recs); err != nil {
		return MineResult{}, fmt.Errorf("mine: save pairs: %w", err)
	}
	groups := make([]store.Record, len(res.Groups))
	for i, g := range res.Groups {
		groups[i] = store.Record{Key: fmt.Sprintf("%07d", i), Value: g}
	}
	if err := p.Store.ReplaceCollection(collGroups, groups); err != nil {
		return MineResult{}, fmt.Errorf("mine: save groups: %w", err)
	}
	if tr, note, err := p.loadTruth(); err != nil {
		return MineResult{}, err
	} else if note != "" {
		out.TruthNote = note
		progress.emit(Event{Step: "mine", Phase: "truth", Message: note})
	} else if tr != nil {
		r := mining.EvaluateAgainstTruth(res, a.Tickets, tr)
		out.Truth = &r
	}
	if out.Invalidated, err = p.invalidateLabels(out.Labels); err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	if out.Invalidated != nil {
		progress.emit(Event{Step: "mine", Phase: "invalidate", Message: out.Invalidated.Message})
	}
	out.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaMining, out); err != nil {
		return MineResult{}, fmt.Errorf("mine: %w", err)
	}
	progress.emit(Event{Step: "mine", Done: 1, Total: 1, Final: true})
	return out, nil
}

// LastMine returns the last mining result, if any.
func (p *Project) LastMine() (MineResult, bool, error) {
	var r MineResult
	ok, err := p.Store.GetMeta(metaMining, &r)
	return r, ok, err
}

// Pairs returns the stored pairs (all of them, training positives and
// filtered ones, each with its window).
func (p *Project) Pairs() ([]StoredPair, error) {
	var out []StoredPair
	err := forEachJSON(p.Store, collPairs, func(_ string, sp StoredPair) error {
		out = append(out, sp)
		return nil
	})
	return out, err
}

// Groups returns the stored groups of linked tickets.
func (p *Project) Groups() ([][]string, error) {
	var out [][]string
	err := forEachJSON(p.Store, collGroups, func(_ string, g []string) error {
		out = append(out, g)
		return nil
	})
	return out, err
}

// sumCheck refuses fractions that leave no test window, naming the one
// given (the validation fraction when both or neither are).
func sumCheck(o MineOptions) fieldCheck {
	w := o.withDefaults()
	ok := w.TrainFrac+w.ValFrac < 1
	if o.ValFrac == 0 && o.TrainFrac != 0 {
		return fieldCheck{ok, "train_frac", o.TrainFrac, fmt.Sprintf("a fraction that leaves a test window (train + validation %g below 1)", w.ValFrac)}
	}
	return fieldCheck{ok, "val_frac", w.ValFrac, fmt.Sprintf("a fraction that leaves a test window (train %g + validation below 1)", w.TrainFrac)}
}

// mineDefaults is o with its defaults, the ID patterns the project's
// settings name where o names none (servicenow when they name none either).
func (p *Project) mineDefaults(o MineOptions) MineOptions {
	if len(o.Presets) == 0 && len(o.Patterns) == 0 {
		s := p.SettingsSnapshot()
		o.Presets = s.IDPresets
		o.Patterns = s.IDPatterns
		if len(o.Presets) == 0 && len(o.Patterns) == 0 {
			o.Presets = []string{"servicenow"}
		}
	}
	return o.withDefaults()
}

// loadTruth reads the synthetic ground truth recorded at import, if any.
// When its file no longer exists (the export folder was moved or deleted
// after the import), note says so and tr is nil: the truth only scores
// mining and negatives, and the archive is in the store.
func (p *Project) loadTruth() (tr []data.TruthRecord, note string, err error) {
	var path string
	ok, err := p.Store.GetMeta(metaTruth, &path)
	if err != nil || !ok || path == "" {
		return nil, "", err
	}
	tr, err = synth.ReadTruth(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Sprintf("ground truth not scored: %s, recorded at import, is gone", path), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("ground truth: %w", err)
	}
	return tr, "", nil
}

func setIf(dst *int, v int) {
	if v != 0 {
		*dst = v
	}
}

// labelsFingerprint identifies the labels mining stored: every pair with its
// class, filters and window, in their stored (deterministic) order.
func labelsFingerprint(recs []store.Record) string {
	h := sha256.New()
	for _, r := range recs {
		sp := r.Value.(StoredPair)
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%s\n", sp.Query, sp.Positive, sp.Class, sp.Filters, sp.Window)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// invalidateLabels compares the new labels with the previous mining's. When
// they differ, what was derived from the old labels is cleared (stored
// candidate lists and mined negatives) and every run trained before is marked
// stale in its record; analyst reviews are kept. The first mining of a
// project, a re-mining that changes nothing, and one before any later step
// ran invalidate nothing (nil).
func (p *Project) invalidateLabels(labels string) (*Invalidation, error) {
	var prev LabelsState
	okLabels, err := p.Store.GetMeta(metaLabels, &prev)
	if err != nil {
		return nil, err
	}
	if !okLabels {
		// Projects mined before labels were fingerprinted: any derived data
		// there was made from labels of unknown fingerprint.
		var last MineResult
		if ok, err := p.Store.GetMeta(metaMining, &last); err != nil {
			return nil, err
		} else if ok {
			prev.Fingerprint = "unknown"
		}
	}
	if prev.Fingerprint == "" || prev.Fingerprint == labels {
		return nil, p.Store.SetMeta(metaLabels, LabelsState{Fingerprint: labels, Invalidated: prev.Invalidated})
	}
	inv := &Invalidation{Message: MsgLabelsChanged, At: time.Now().UTC(), Previous: prev.Fingerprint}
	if inv.Candidates, err = p.Store.CountRecords(collCandidates); err != nil {
		return nil, err
	}
	if inv.Negatives, err = p.Store.CountRecords(collNegatives); err != nil {
		return nil, err
	}
	if inv.Reviews, err = p.Store.CountRecords(collReviews); err != nil {
		return nil, err
	}
	for _, c := range []string{collCandidates, collNegatives} {
		if err := p.Store.ReplaceCollection(c, nil); err != nil {
			return nil, fmt.Errorf("clear %s: %w", c, err)
		}
	}
	runs, err := p.Runs()
	if err != nil {
		return nil, err
	}
	if inv.Candidates == 0 && inv.Negatives == 0 && len(runs) == 0 {
		return nil, p.Store.SetMeta(metaLabels, LabelsState{Fingerprint: labels, Invalidated: prev.Invalidated}) // nothing was derived yet
	}
	for _, r := range runs {
		if r.Stale != "" {
			continue
		}
		r.Stale = fmt.Sprintf("%s (%s): trained on labels %s, now %s", MsgLabelsChanged, inv.At.Format(time.RFC3339), prev.Fingerprint, labels)
		if err := p.saveRun(r); err != nil {
			return nil, err
		}
		inv.StaleRuns = append(inv.StaleRuns, r.ID)
	}
	return inv, p.Store.SetMeta(metaLabels, LabelsState{Fingerprint: labels, Invalidated: inv})
}
