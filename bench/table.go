package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Print prints the machine, the backends, the table and one verdict
// line per target.
func Print(w io.Writer, rep Report) {
	m := rep.Machine
	fmt.Fprintf(w, "machine   %s, %d cores, %.2f GHz, %s; %s\n", m.CPU, m.Cores, m.GHz, m.SIMD, m.OS)
	fmt.Fprintf(w, "peak      %.0f GFLOP/s fp32 — %s\n", m.PeakGFLOPS, m.PeakEstimate)
	fmt.Fprintf(w, "load avg  %s at start, %s at end (other work on this machine makes every number noisy)\n", m.Load, rep.LoadEnd)
	if m.Malloc != "" {
		fmt.Fprintf(w, "malloc    %s\n", m.Malloc)
	}
	if rep.PyTorch != "" {
		fmt.Fprintf(w, "pytorch   %s\n", rep.PyTorch)
	}
	for _, be := range sortedKeys(rep.Backends) {
		fmt.Fprintf(w, "backend   %-8s %s\n", be, rep.Backends[be])
	}
	if rep.Sizes.Encoder != "" {
		fmt.Fprintf(w, "encoder   %s\n", rep.Sizes.Encoder)
	}
	if rep.Quick {
		fmt.Fprintln(w, "sizes     --quick: tiny sizes, targets not judged")
	}
	fmt.Fprintln(w)
	rows := [][]string{{"ROW", "ENGINE", "MEASURE", "VALUE", "UNIT", "TARGET", "vs TORCH", "PEAK", "PEAK RSS", "VERDICT", "NOTE"}}
	for _, r := range rep.Rows {
		val, ratio, peak, note := fmtValue(r.Value), "", "", r.Note
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", r.Ratio)
		}
		if r.PeakFrac > 0 {
			peak = fmt.Sprintf("%.1f%%", 100*r.PeakFrac)
		}
		if r.Error != "" {
			val, note = "—", r.Error
		}
		rss := ""
		if r.PeakRSS > 0 {
			rss = fmtBytes(r.PeakRSS)
			if r.PeakRSSScope != "step" {
				rss += " (process)"
			}
		}
		rows = append(rows, []string{r.Name, r.Engine, r.What, val, r.Unit, r.Target, ratio, peak, rss, r.Verdict, note})
	}
	printTable(w, rows)
	fmt.Fprintln(w, "\nvs TORCH = GoMLX / PyTorch speed in the same run (>1: faster than PyTorch); PEAK = estimated share of the fp32 peak.")
	fmt.Fprintln(w, "The *-real rows compare GoMLX with sentence-transformers instead, on token lengths drawn from real archives.")
	fmt.Fprintln(w, "\nverdicts")
	for _, r := range rep.Rows {
		if r.Target == "" {
			continue
		}
		label := r.Name
		if r.Engine != "" {
			label += " [" + r.Engine + "]"
		}
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "  %-22s %-12s NOT MEASURED: %s\n", label, r.Target, r.Error)
		case r.Verdict == "met" || r.Verdict == "not met":
			got := fmtValue(r.Value) + " " + r.Unit
			if r.Ratio > 0 {
				ref := "PyTorch"
				if strings.HasSuffix(r.Name, realRowSuffix) {
					ref = engineST
				}
				got += fmt.Sprintf(" = %.2f× %s", r.Ratio, ref)
			}
			fmt.Fprintf(w, "  %-22s %-12s %s (%s)\n", label, r.Target, strings.ToUpper(r.Verdict), got)
		default:
			fmt.Fprintf(w, "  %-22s %-12s %s\n", label, r.Target, r.Verdict)
		}
	}
	printPeakRSS(w, rep.Rows)
	fmt.Fprintf(w, "\nbench took %.0fs\n", rep.Seconds)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// printTable prints rows with columns aligned by two spaces.
func printTable(w io.Writer, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}
