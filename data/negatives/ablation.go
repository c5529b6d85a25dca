package negatives

import "github.com/precedent/precedent/data"

// FalseNegativeShare is the share of negatives whose query and candidate
// share a hidden cause in the synthetic ground truth (0 for no negatives).
func FalseNegativeShare(negs []HardNegative, truth map[string]data.TruthRecord) float64 {
	if len(negs) == 0 {
		return 0
	}
	return float64(countFalse(negs, truth)) / float64(len(negs))
}

func countFalse(negs []HardNegative, truth map[string]data.TruthRecord) int {
	n := 0
	for _, h := range negs {
		if data.Related(truth[h.Query], truth[h.Candidate]) {
			n++
		}
	}
	return n
}

// AblationRow is the outcome of one selection run with some filters off.
type AblationRow struct {
	Name           string  `json:"name"`     // "all filters", "without <filter>", "no filters"
	Disabled       Filter  `json:"disabled"` // filters switched off for this row
	Negatives      int     `json:"negatives"`
	Held           int     `json:"held"`
	FalseNegatives int     `json:"false_negatives"`
	Share          float64 `json:"share"` // FalseNegatives / Negatives
	Stats          Stats   `json:"stats"`
}

// Ablate runs the selection with all filters, without each filter in turn,
// and with none, and measures the false-negative share of each against the
// synthetic ground truth. opts.Disabled is ignored.
func Ablate(opts Options, lookup Lookup, pool []string, ins []Input, truth map[string]data.TruthRecord) ([]AblationRow, error) {
	type variant struct {
		name string
		off  Filter
	}
	vs := []variant{{"all filters", 0}}
	var all Filter
	for _, f := range AllFilters {
		vs = append(vs, variant{"without " + f.String(), f})
		all |= f
	}
	vs = append(vs, variant{"no filters", all})
	rows := make([]AblationRow, 0, len(vs))
	for _, v := range vs {
		o := opts
		o.Disabled = v.off
		sel, err := NewSelector(o, lookup, pool)
		if err != nil {
			return nil, err
		}
		r := sel.SelectAll(ins)
		fn := countFalse(r.Negatives, truth)
		row := AblationRow{Name: v.name, Disabled: v.off, Negatives: len(r.Negatives), Held: len(r.Held),
			FalseNegatives: fn, Stats: r.Stats}
		if row.Negatives > 0 {
			row.Share = float64(fn) / float64(row.Negatives)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
