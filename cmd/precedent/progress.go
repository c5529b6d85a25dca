package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/precedent/precedent/app"
)

// bar renders app events as a progress bar on stderr: redrawn in place on a
// terminal, one line per 10% otherwise (logs, CI).
type bar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	last     time.Time
	lastPct  map[string]int
	first    map[string]firstReport
	drawn    bool
	disabled bool
}

// firstReport is when a phase first reported work done, and how much.
type firstReport struct {
	at   time.Time
	done int64
}

func newBar() *bar {
	st, err := os.Stderr.Stat()
	tty := err == nil && st.Mode()&os.ModeCharDevice != 0
	return &bar{w: os.Stderr, tty: tty, lastPct: map[string]int{}, first: map[string]firstReport{}}
}

func (b *bar) progress() app.Progress { return b.event }

func (b *bar) event(e app.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := e.Step + "/" + e.Phase
	label := e.Step
	if e.Phase != "" {
		label += " " + e.Phase
	}
	line := label
	pct := -1
	if e.Total > 0 {
		pct = int(100 * e.Done / e.Total)
		const width = 30
		fill := min(width, int(width*e.Done/e.Total))
		line = fmt.Sprintf("%-22s [%s%s] %3d%% %d/%d", label, strings.Repeat("#", fill), strings.Repeat("-", width-fill), pct, e.Done, e.Total)
		eta := e.ETA
		if eta == 0 && e.Done > 0 && e.Done < e.Total {
			// Count from the first report of work done: the first batch
			// often includes compiling the model's graph.
			f, ok := b.first[key]
			if !ok {
				f = firstReport{time.Now(), e.Done}
				b.first[key] = f
			}
			if e.Done > f.done {
				eta = time.Duration(float64(time.Since(f.at)) * float64(e.Total-e.Done) / float64(e.Done-f.done))
			}
		}
		if eta > 0 && e.Done < e.Total {
			line += " ETA " + eta.Round(time.Second).String()
		}
	} else if e.Done > 0 {
		line = fmt.Sprintf("%-22s %d", label, e.Done)
	}
	for _, k := range []string{"loss", "lr", "val_mrr@10", "examples_per_s"} {
		if v, ok := e.Values[k]; ok {
			line += fmt.Sprintf(" %s=%.4g", k, v)
		}
	}
	if e.Message != "" {
		line += "  " + e.Message
	}
	if b.tty {
		if !e.Final && time.Since(b.last) < 100*time.Millisecond {
			return
		}
		b.last = time.Now()
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		b.drawn = true
		if e.Final {
			fmt.Fprintln(b.w)
			b.drawn = false
		}
		return
	}
	step := pct / 10
	if e.Final || pct < 0 && e.Message != "" || pct >= 0 && step != b.lastPct[key] {
		b.lastPct[key] = step
		fmt.Fprintln(b.w, line)
	}
}
