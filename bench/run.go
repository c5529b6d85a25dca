package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
)

// rowNames are the rows in run order.
var rowNames = []string{"synth", "import", "mine", "firststage", "dense", "train", "rerank", "embed",
	"train-real", "rerank-real", "embed-real", "coldstart", "eval"}

var groups = map[string][]string{
	"data":   {"synth", "import", "mine", "firststage", "dense"},
	"engine": {"train", "rerank", "embed"},
	"real":   {"train-real", "rerank-real", "embed-real"}, // on real token lengths, vs sentence-transformers (realshape.go)
	"user":   {"coldstart", "eval"},
}

// userRowTimeout is the least time limit of the user rows, which build
// their cached project (140k-ticket store; a 20k project through a short
// training) the first time they run.
const userRowTimeout = 30 * time.Minute

// RowNames lists the rows Options.Only may name, in run order; "data",
// "engine" and "user" name their groups.
func RowNames() []string { return slices.Clone(rowNames) }

// ErrUnknownRow is returned by Run when Options.Only names no row or group.
var ErrUnknownRow = errors.New("unknown bench row")

// Options configures one run. Sizes is required (FullSizes or QuickSizes,
// adjusted); every other zero value means what its comment says.
type Options struct {
	Sizes       Sizes
	Quick       bool          // tiny sizes: targets are not judged
	Only        string        // comma-separated rows or groups; "" runs all
	Backends    []string      // GoMLX backends of the engine rows; none: no GoMLX engine rows
	Python      string        // python with torch for the PyTorch reference; "": no reference
	TorchScript string        // scripts/torch_bench.py; "": found above the working directory
	RowTimeout  time.Duration // limit of each row; 0: 4 minutes
	GoRows      int           // rows per rerank/embed call on the pure-Go backend, scaled up; 0: the full batch
	Log         io.Writer     // one progress line per row; nil: none
	// Runtime opens the backends and the projects' jobs: the one its main
	// built (nil is backend.Default()).
	Runtime *backend.Runtime
}

// Run measures the selected rows in order and returns them with the
// machine they ran on. A row that fails or times out becomes a row with
// Error set (and the rows needing it say so); Run itself fails only on an
// unknown row, a cancelled ctx or no temporary folder.
func Run(ctx context.Context, o Options) (Report, error) {
	selected, err := selectRows(o.Only)
	if err != nil {
		return Report{}, err
	}
	o.Sizes.Encoder = fmt.Sprintf("BERT h%d, %d heads, FFN %d, vocab %d, random N(0, 0.02) weights", o.Sizes.Shape.HiddenSize,
		o.Sizes.Shape.NumAttentionHeads, o.Sizes.Shape.IntermediateSize, o.Sizes.Shape.VocabSize)
	b := &runner{sizes: o.Sizes, quick: o.Quick, timeout: o.RowTimeout, python: o.Python, script: o.TorchScript,
		backends: o.Backends, goRows: o.GoRows, log: o.Log, rt: o.Runtime}
	if b.timeout <= 0 {
		b.timeout = 4 * time.Minute
	}
	if b.log == nil {
		b.log = io.Discard
	}
	return b.run(ctx, selected)
}

// selectRows turns Options.Only into the set of row names to run.
func selectRows(only string) (map[string]bool, error) {
	out := map[string]bool{}
	if strings.TrimSpace(only) == "" {
		for _, n := range rowNames {
			out[n] = true
		}
		return out, nil
	}
	for _, s := range strings.Split(only, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if g, ok := groups[s]; ok {
			for _, n := range g {
				out[n] = true
			}
			continue
		}
		if !slices.Contains(rowNames, s) {
			return nil, fmt.Errorf("%w %q (rows: %s; groups: data, engine, real, user)", ErrUnknownRow, s, strings.Join(rowNames, ", "))
		}
		out[s] = true
	}
	return out, nil
}

// runner runs the rows of one bench in order.
type runner struct {
	sizes    Sizes
	quick    bool
	timeout  time.Duration
	python   string
	script   string
	backends []string
	goRows   int // rows per rerank/embed call on the pure-Go backend; 0 = all
	log      io.Writer
	machine  Machine
	rt       *backend.Runtime

	home   string       // temporary project of the data rows
	proj   *app.Project // open while the data rows run
	synth  string       // the synthetic export's CSV
	failed map[string]string
}

func (b *runner) run(ctx context.Context, selected map[string]bool) (Report, error) {
	start := time.Now()
	b.machine = readMachine()
	b.failed = map[string]string{}
	rep := Report{Machine: b.machine, Backends: map[string]string{}, Sizes: b.sizes, Quick: b.quick}
	fmt.Fprintf(b.log, "bench: %s, %d cores, load average %s\n", b.machine.CPU, b.machine.Cores, b.machine.Load)

	home, err := os.MkdirTemp("", "precedent-bench-*")
	if err != nil {
		return rep, fmt.Errorf("bench: temporary project: %w", err)
	}
	b.home = home
	defer os.RemoveAll(home)
	defer func() {
		if b.proj != nil {
			b.proj.Close()
		}
	}()

	for _, name := range groups["data"] {
		if !selected[name] {
			continue
		}
		rep.Rows = append(rep.Rows, b.row(ctx, name, "", withPeakRSS(b.dataRow(name))))
	}
	if b.proj != nil {
		b.proj.Close()
		b.proj = nil
	}
	var engine []string
	for _, name := range groups["engine"] {
		if selected[name] {
			engine = append(engine, name)
		}
	}
	if len(engine) > 0 {
		rep.PyTorch = b.engineRows(ctx, engine, &rep)
	}
	var real []string
	for _, name := range groups["real"] {
		if selected[name] {
			real = append(real, name)
		}
	}
	if len(real) > 0 {
		b.realRows(ctx, real, &rep)
	}
	for _, name := range groups["user"] {
		if selected[name] {
			rep.Rows = append(rep.Rows, b.userRow(ctx, name))
		}
	}
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	rep.LoadEnd = readLoad()
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// row runs fn under the row time limit; an error or a timeout becomes a row
// with the error rather than ending the bench.
func (b *runner) row(ctx context.Context, name, engine string, fn func(ctx context.Context) (Row, error)) Row {
	label := name
	if engine != "" {
		label += " [" + engine + "]"
	}
	fmt.Fprintf(b.log, "bench: %-24s … ", label)
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, b.rowTimeout(name))
	defer cancel()
	type result struct {
		r   Row
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("panic: %v", p)}
			}
		}()
		r, err := fn(rctx)
		done <- result{r, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-rctx.Done():
		// The work checks its context between calls; a long call finishes in
		// the background while the bench moves on.
		res.err = fmt.Errorf("timed out after %s (--row-timeout)", b.rowTimeout(name))
		if ctx.Err() != nil {
			res.err = ctx.Err()
		}
	}
	r := res.r
	r.Name, r.Engine, r.Wall = name, engine, time.Since(start).Seconds()
	if r.What == "" {
		r.What = b.describe(name)
	}
	if res.err != nil {
		if errors.Is(res.err, context.DeadlineExceeded) {
			res.err = fmt.Errorf("timed out after %s (--row-timeout)", b.rowTimeout(name))
		}
		r.Error, r.Verdict = res.err.Error(), "error"
		b.failed[name+"/"+engine] = r.Error
		fmt.Fprintf(b.log, "error after %.1fs: %v\n", r.Wall, res.err)
		return r
	}
	if r.Verdict == "" {
		r.Verdict = verdict(r, b.quick)
	}
	fmt.Fprintf(b.log, "%s %s (%.1fs)\n", fmtValue(r.Value), r.Unit, r.Wall)
	return r
}

// rowTimeout is the time limit of row name: --row-timeout, at least
// userRowTimeout for the user rows.
func (b *runner) rowTimeout(name string) time.Duration {
	if slices.Contains(groups["user"], name) {
		return max(b.timeout, userRowTimeout)
	}
	return b.timeout
}

// userRow runs one of the user-facing rows (cold start, evaluation).
func (b *runner) userRow(ctx context.Context, name string) Row {
	fn := b.coldStartRow
	if name == "eval" {
		fn = b.evalRow
	}
	return b.row(ctx, name, "", fn)
}
