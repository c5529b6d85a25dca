package bench

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// withPeakRSS wraps a row's measurement so the row reports the peak
// resident set of its step: the Go heap is returned to the OS and the
// high-water mark reset before the step, and read after it. Where the mark
// cannot be reset (outside Linux) the row gets the process's peak so far,
// labelled so.
func withPeakRSS(fn func(ctx context.Context) (Row, error)) func(ctx context.Context) (Row, error) {
	return func(ctx context.Context) (Row, error) {
		debug.FreeOSMemory()
		reset := resetPeakRSS()
		r, err := fn(ctx)
		if peak, scope, perr := readPeakRSS(reset); perr == nil {
			r.PeakRSS, r.PeakRSSScope = peak, scope
		}
		return r, err
	}
}

// fmtBytes prints a size in MiB below 1 GiB, else in GiB.
func fmtBytes(b int64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
}

// printPeakRSS explains the PEAK RSS column and names the largest step:
// the pipeline's peak when its steps run one at a time.
func printPeakRSS(w io.Writer, rows []Row) {
	var top Row
	for _, r := range rows {
		if r.PeakRSS > top.PeakRSS {
			top = r
		}
	}
	if top.PeakRSS == 0 {
		return
	}
	scope := "the peak resident set of each step (high-water mark reset before it)"
	if top.PeakRSSScope != "step" {
		scope = "the process's peak resident set so far (this OS cannot reset it per step)"
	}
	fmt.Fprintf(w, "\nPEAK RSS = %s; largest: %s, %s (target < 4 GiB).\n", scope, top.Name, fmtBytes(top.PeakRSS))
}
