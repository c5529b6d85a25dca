package bench

import (
	"strconv"
	"strings"
)

// Row is one line of the table and of --json.
type Row struct {
	Name     string  `json:"name"`    // synth, import, mine, firststage, dense, train, rerank, embed
	Engine   string  `json:"engine"`  // "" for data rows; "pytorch" or the GoMLX backend
	What     string  `json:"what"`    // what was measured, sizes included
	Value    float64 `json:"value"`   // in Unit
	Unit     string  `json:"unit"`    // s, pairs/s, ms/query, texts/s
	Target   string  `json:"target"`  // "" when the row states no target
	Ratio    float64 `json:"ratio"`   // GoMLX / PyTorch, >1 = faster than PyTorch; 0 when not compared
	PeakFrac float64 `json:"peak"`    // estimated share of the CPU's fp32 FLOP peak; 0 when not estimated
	Verdict  string  `json:"verdict"` // met, not met, info, error, n/a (...)
	Note     string  `json:"note,omitempty"`
	Error    string  `json:"error,omitempty"`
	Wall     float64 `json:"wall_s"` // wall time of the row, set-up and warm-up included
	// PeakRSS is the peak resident set in bytes while the row ran (data
	// rows; 0 when not measured); PeakRSSScope says "step" when the
	// high-water mark was reset before it (Linux), "process" otherwise.
	PeakRSS      int64  `json:"peak_rss_bytes,omitempty"`
	PeakRSSScope string `json:"peak_rss_scope,omitempty"`
}

// Report is the whole run, printed as the table or as one JSON object.
type Report struct {
	Machine  Machine           `json:"machine"`
	Backends map[string]string `json:"backends"` // name → description, or why it is unavailable
	PyTorch  string            `json:"pytorch"`  // version, or why there is no reference
	Sizes    Sizes             `json:"sizes"`
	Quick    bool              `json:"quick"`
	Rows     []Row             `json:"rows"`
	LoadEnd  string            `json:"load_average_end"`
	Seconds  float64           `json:"seconds"`
}

// verdict judges a data row against its target ("< N s").
func verdict(r Row, quick bool) string {
	if r.Target == "" {
		return "info"
	}
	if quick {
		return "n/a (quick)"
	}
	limit, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(r.Target, "< "), " s"), 64)
	if err != nil {
		return "info"
	}
	if r.Value < limit {
		return "met"
	}
	return "not met"
}
