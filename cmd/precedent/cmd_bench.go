package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/ml/hf"
)

func init() {
	register(command{"bench", "measure the speed targets against PyTorch on this machine, in one run", cmdBench})
}

// benchSizes are the workload sizes of one bench run.
type benchSizes struct {
	Tickets       int       `json:"tickets"`
	DenseDocs     int       `json:"dense_docs"`
	DenseQueries  int       `json:"dense_queries"`
	DenseMeasured int       `json:"dense_measured_queries"`
	DenseDim      int       `json:"dense_dim"`
	Shape         hf.Config `json:"-"`
	Encoder       string    `json:"encoder"` // Shape, in words
	TrainLayers   int       `json:"train_layers"`
	TrainRows     int       `json:"train_rows"`
	RerankRows    int       `json:"rerank_rows"`
	EmbedRows     int       `json:"embed_rows"`
	SeqLen        int       `json:"seq_len"`
	MinTime       float64   `json:"min_time_s"`
	MaxIters      int       `json:"max_iters"`
	MaxWarmup     float64   `json:"max_warmup_s"` // a slower first GoMLX call is the measurement
}

// fullSizes are the sizes the targets are stated for.
func fullSizes() benchSizes {
	return benchSizes{Tickets: 140_000, DenseDocs: 140_000, DenseQueries: 20_000, DenseMeasured: 2_000, DenseDim: 384,
		Shape: app.MiniLMShape(), TrainLayers: 2, TrainRows: 16, RerankRows: 50, EmbedRows: 64, SeqLen: 128,
		MinTime: 3, MaxIters: 5, MaxWarmup: 20}
}

// quickSizes is a smoke test: tiny archive, tiny encoder, one timed call.
func quickSizes() benchSizes {
	shape := app.MiniLMShape()
	shape.VocabSize, shape.HiddenSize, shape.NumHiddenLayers, shape.NumAttentionHeads, shape.IntermediateSize = 1000, 32, 2, 2, 64
	return benchSizes{Tickets: 1_000, DenseDocs: 4_000, DenseQueries: 400, DenseMeasured: 100, DenseDim: 384,
		Shape: shape, TrainLayers: 1, TrainRows: 4, RerankRows: 5, EmbedRows: 4, SeqLen: 16, MinTime: 0, MaxIters: 1}
}

// benchRow is one line of the table and of --json.
type benchRow struct {
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
}

// benchReport is the whole run, printed as the table or as one JSON object.
type benchReport struct {
	Machine  machineInfo       `json:"machine"`
	Backends map[string]string `json:"backends"` // name → description, or why it is unavailable
	PyTorch  string            `json:"pytorch"`  // version, or why there is no reference
	Sizes    benchSizes        `json:"sizes"`
	Quick    bool              `json:"quick"`
	Rows     []benchRow        `json:"rows"`
	LoadEnd  string            `json:"load_average_end"`
	Seconds  float64           `json:"seconds"`
}

// benchNames are the rows in run order.
var benchNames = []string{"synth", "import", "mine", "firststage", "dense", "train", "rerank", "embed"}

var benchGroups = map[string][]string{
	"data":   {"synth", "import", "mine", "firststage", "dense"},
	"engine": {"train", "rerank", "embed"},
}

func cmdBench(ctx context.Context, args []string) error {
	f := newFlags("bench", "[flags]", "Measures Precedent's speed targets on this machine in one run: synth, import, mine, BM25 and\n"+
		"dense first stage at 140k tickets; cross-encoder training, reranking and embedding at MiniLM-L6 shape on\n"+
		"each GoMLX backend, each against PyTorch (the system python's torch) run in the same session.", 0, 0)
	quick := f.Bool("quick", false, "tiny sizes: a smoke test of every row in seconds (targets not judged)")
	only := f.String("only", "", "comma-separated rows or groups to run: "+strings.Join(benchNames, ",")+", data, engine (default all)")
	backends := f.String("backends", "xla:cpu,go", "GoMLX backends to measure, comma-separated")
	python := f.String("python", "/usr/bin/python3", "python with torch for the PyTorch reference (\"\" skips it)")
	script := f.String("torch-script", "", "path of scripts/torch_bench.py (default: found above the working directory)")
	rowTimeout := f.Duration("row-timeout", 4*time.Minute, "time limit of each row")
	minTime := f.Float64("min-time", 0, "seconds to time each engine workload after its warm-up (default 3, 0 with --quick)")
	maxIters := f.Int("max-iters", 0, "most timed calls per engine workload (default 5, 1 with --quick)")
	tickets := f.Int("tickets", 0, "archive size for the data rows (default 140000)")
	goRows := f.Int("go-rows", 8, "rows per rerank/embed call on the pure-Go backend, scaled to the full batch (0 = full batch; slow)")
	if err := f.parse(args); err != nil {
		return err
	}
	sz := fullSizes()
	if *quick {
		sz = quickSizes()
	}
	sz.Encoder = fmt.Sprintf("BERT h%d, %d heads, FFN %d, vocab %d, random N(0, 0.02) weights", sz.Shape.HiddenSize,
		sz.Shape.NumAttentionHeads, sz.Shape.IntermediateSize, sz.Shape.VocabSize)
	if *minTime > 0 {
		sz.MinTime = *minTime
	}
	if *maxIters > 0 {
		sz.MaxIters = *maxIters
	}
	if *tickets > 0 {
		sz.Tickets = *tickets
	}
	selected, err := selectRows(*only)
	if err != nil {
		fmt.Fprintf(os.Stderr, "precedent bench: %v\n", err)
		return errUsage
	}
	b := &bencher{
		sizes: sz, quick: *quick, timeout: *rowTimeout, python: *python, script: *script,
		backends: splitList(*backends), goRows: *goRows, log: os.Stderr,
	}
	rep, err := b.run(ctx, selected)
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(rep)
	}
	printBench(os.Stdout, rep)
	return nil
}

// selectRows turns --only into the set of row names to run.
func selectRows(only string) (map[string]bool, error) {
	out := map[string]bool{}
	if strings.TrimSpace(only) == "" {
		for _, n := range benchNames {
			out[n] = true
		}
		return out, nil
	}
	for _, s := range splitList(only) {
		if g, ok := benchGroups[s]; ok {
			for _, n := range g {
				out[n] = true
			}
			continue
		}
		known := false
		for _, n := range benchNames {
			known = known || n == s
		}
		if !known {
			return nil, fmt.Errorf("--only: unknown row %q (rows: %s; groups: data, engine)", s, strings.Join(benchNames, ", "))
		}
		out[s] = true
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// bencher runs the rows of one bench in order.
type bencher struct {
	sizes    benchSizes
	quick    bool
	timeout  time.Duration
	python   string
	script   string
	backends []string
	goRows   int // rows per rerank/embed call on the pure-Go backend; 0 = all
	log      io.Writer
	machine  machineInfo

	home   string       // temporary project of the data rows
	proj   *app.Project // open while the data rows run
	synth  string       // the synthetic export's CSV
	failed map[string]string
}

func (b *bencher) run(ctx context.Context, selected map[string]bool) (benchReport, error) {
	start := time.Now()
	b.machine = readMachine()
	b.failed = map[string]string{}
	rep := benchReport{Machine: b.machine, Backends: map[string]string{}, Sizes: b.sizes, Quick: b.quick}
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

	for _, name := range benchGroups["data"] {
		if !selected[name] {
			continue
		}
		rep.Rows = append(rep.Rows, b.row(ctx, name, "", b.dataRow(name)))
	}
	if b.proj != nil {
		b.proj.Close()
		b.proj = nil
	}
	var engine []string
	for _, name := range benchGroups["engine"] {
		if selected[name] {
			engine = append(engine, name)
		}
	}
	if len(engine) > 0 {
		rep.PyTorch = b.engineRows(ctx, engine, &rep)
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
func (b *bencher) row(ctx context.Context, name, engine string, fn func(ctx context.Context) (benchRow, error)) benchRow {
	label := name
	if engine != "" {
		label += " [" + engine + "]"
	}
	fmt.Fprintf(b.log, "bench: %-24s … ", label)
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	type result struct {
		r   benchRow
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
		res.err = fmt.Errorf("timed out after %s (--row-timeout)", b.timeout)
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
			res.err = fmt.Errorf("timed out after %s (--row-timeout)", b.timeout)
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

// verdict judges a data row against its target ("< N s").
func verdict(r benchRow, quick bool) string {
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

// dataRow returns the measurement of one data row; later rows need the
// earlier ones (synth → import → mine → first stage).
func (b *bencher) dataRow(name string) func(ctx context.Context) (benchRow, error) {
	n := b.sizes.Tickets
	needs := func(prev string) error {
		for k, v := range b.failed {
			if strings.HasPrefix(k, prev+"/") {
				return fmt.Errorf("skipped: %s failed (%s)", prev, v)
			}
		}
		return nil
	}
	switch name {
	case "synth":
		return func(ctx context.Context) (benchRow, error) {
			res, err := app.Synth(ctx, synth.Config{Tickets: n, Seed: 1}, filepath.Join(b.home, "synthetic-archive"), nil)
			if err != nil {
				return benchRow{}, err
			}
			b.synth = filepath.Join(res.Dir, synth.TicketsCSVName)
			return benchRow{What: fmt.Sprintf("synthetic archive, %s tickets, written as CSV+JSONL", count(n)), Value: res.Seconds, Unit: "s"}, nil
		}
	case "import":
		return func(ctx context.Context) (benchRow, error) {
			if b.synth == "" {
				if err := needs("synth"); err != nil {
					return benchRow{}, err
				}
				return benchRow{}, errors.New("skipped: needs the synth row (--only synth,import)")
			}
			p, err := app.Open(filepath.Join(b.home, "project"))
			if err != nil {
				return benchRow{}, err
			}
			b.proj = p
			start := time.Now()
			rep, err := p.Import(ctx, b.synth, app.ImportOptions{}, nil)
			if err != nil {
				return benchRow{}, err
			}
			return benchRow{What: fmt.Sprintf("import %s-ticket CSV into the store", count(n)), Value: time.Since(start).Seconds(), Unit: "s",
				Target: "< 30 s", Note: fmt.Sprintf("%d rows imported", rep.Imported)}, nil
		}
	case "mine":
		return func(ctx context.Context) (benchRow, error) {
			if b.proj == nil {
				return benchRow{}, errors.New("skipped: needs the import row")
			}
			start := time.Now()
			res, err := b.proj.Mine(ctx, app.MineOptions{}, nil)
			if err != nil {
				return benchRow{}, err
			}
			return benchRow{What: fmt.Sprintf("mine cross-references + time split, %s tickets", count(n)), Value: time.Since(start).Seconds(), Unit: "s",
				Target: "< 10 s", Note: fmt.Sprintf("%d pairs; includes reading the tickets and saving pairs", res.Funnel.Sampled)}, nil
		}
	case "firststage":
		return func(ctx context.Context) (benchRow, error) {
			if b.proj == nil {
				return benchRow{}, errors.New("skipped: needs the import and mine rows")
			}
			t, err := b.proj.BenchFirstStage(ctx, 50)
			if err != nil {
				return benchRow{}, err
			}
			return benchRow{What: fmt.Sprintf("BM25 build + time-aware top-%d, %s queries × %s docs", t.K, count(t.Queries), count(t.Docs)),
				Value: t.BuildSeconds + t.SearchSeconds, Unit: "s",
				Note: fmt.Sprintf("build %.1fs, search %.1fs", t.BuildSeconds, t.SearchSeconds)}, nil
		}
	case "dense":
		return func(ctx context.Context) (benchRow, error) {
			s := b.sizes
			t, err := app.BenchDense(ctx, s.DenseDocs, s.DenseQueries, s.DenseMeasured, s.DenseDim, 50)
			if err != nil {
				return benchRow{}, err
			}
			note := fmt.Sprintf("build %.1fs (not counted)", t.BuildSeconds)
			if t.Measured < t.Queries {
				note = fmt.Sprintf("ran %s queries in %.1fs, ×%.0f extrapolated; %s", count(t.Measured), t.MeasuredSeconds,
					float64(t.Queries)/float64(t.Measured), note)
			}
			return benchRow{What: fmt.Sprintf("dense exact top-50, %s queries × %s docs × %d dims, no time filter", count(t.Queries), count(t.Docs), t.Dim),
				Value: t.EstimatedSeconds, Unit: "s", Target: "< 30 s", Note: note}, nil
		}
	}
	return func(context.Context) (benchRow, error) { return benchRow{}, fmt.Errorf("unknown row %q", name) }
}

// describe names what a row measures, for rows that failed before saying so.
func (b *bencher) describe(name string) string {
	s := b.sizes
	switch name {
	case "synth", "import", "mine":
		return fmt.Sprintf("%s, %s tickets", name, count(s.Tickets))
	case "firststage":
		return fmt.Sprintf("BM25 build + time-aware top-50, %s tickets", count(s.Tickets))
	case "dense":
		return fmt.Sprintf("dense exact top-50, %s queries × %s docs × %d dims", count(s.DenseQueries), count(s.DenseDocs), s.DenseDim)
	}
	return b.what(b.workload(name))
}

func count(n int) string {
	switch {
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	default:
		return strconv.Itoa(n)
	}
}

func fmtValue(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// workload is one engine measurement as both engines run it.
type workload struct {
	name   string
	unit   string
	layers int
	rows   int
	cross  bool // cross-encoder head (else bi-encoder pooling)
	train  bool // forward + backward + AdamW
}

func (b *bencher) workload(name string) workload {
	s := b.sizes
	switch name {
	case app.WorkloadTrain:
		return workload{name, "pairs/s", s.TrainLayers, s.TrainRows, true, true}
	case app.WorkloadRerank:
		return workload{name, "ms/query", s.Shape.NumHiddenLayers, s.RerankRows, true, false}
	default:
		return workload{name, "texts/s", s.Shape.NumHiddenLayers, s.EmbedRows, false, false}
	}
}

// what describes a workload with its shape.
func (b *bencher) what(w workload) string {
	sh := fmt.Sprintf("%d layers, h%d", w.layers, b.sizes.Shape.HiddenSize)
	switch w.name {
	case app.WorkloadTrain:
		return fmt.Sprintf("cross-encoder train step, %d×%d tok, %s, AdamW", w.rows, b.sizes.SeqLen, sh)
	case app.WorkloadRerank:
		return fmt.Sprintf("rerank %d candidates×%d tok, %s", w.rows, b.sizes.SeqLen, sh)
	default:
		return fmt.Sprintf("bi-encoder embed %d texts×%d tok, %s", w.rows, b.sizes.SeqLen, sh)
	}
}

// measureRows is how many rows a rerank or embed call of backend runs:
// the pure-Go backend runs --go-rows and is scaled up, the rest run all.
func (b *bencher) measureRows(backend string) int {
	if b.goRows > 0 && (backend == "go" || strings.HasPrefix(backend, "go:")) {
		return b.goRows
	}
	return 0
}

// value converts a per-call time into the workload's unit.
func (w workload) value(perIter float64) float64 {
	if w.unit == "ms/query" {
		return 1000 * perIter
	}
	return float64(w.rows) / perIter
}

// ratio is GoMLX / PyTorch speed: above 1 means GoMLX is faster.
func (w workload) ratio(gomlx, torch float64) float64 {
	if gomlx <= 0 || torch <= 0 {
		return 0
	}
	if w.unit == "ms/query" {
		return torch / gomlx
	}
	return gomlx / torch
}

// flops estimates one call's floating-point operations: 2 per multiply-add
// of the encoder's matrices (embedding lookups cost none) per token, plus
// the attention products, plus the head; training counts 3× the forward.
func (b *bencher) flops(w workload) float64 {
	h, i, seq := float64(b.sizes.Shape.HiddenSize), float64(b.sizes.Shape.IntermediateSize), float64(b.sizes.SeqLen)
	perLayer := 2*seq*(4*h*h+2*h*i) + 4*seq*seq*h
	perRow := float64(w.layers) * perLayer
	if w.cross {
		perRow += 2 * (h*h + h)
	}
	f := perRow * float64(w.rows)
	if w.train {
		f *= 3
	}
	return f
}

func (b *bencher) peakFrac(w workload, perIter float64) float64 {
	if b.machine.PeakGFLOPS <= 0 || perIter <= 0 {
		return 0
	}
	return b.flops(w) / perIter / (b.machine.PeakGFLOPS * 1e9)
}

// engineRows runs, per workload, the PyTorch reference then each GoMLX
// backend; it returns the PyTorch version or why there is no reference.
func (b *bencher) engineRows(ctx context.Context, names []string, rep *benchReport) string {
	torchInfo := ""
	script, scriptErr := b.findScript()
	switch {
	case b.python == "":
		torchInfo = "skipped (--python \"\")"
	case scriptErr != nil:
		torchInfo = "unavailable: " + scriptErr.Error()
	default:
		if v, err := torchVersion(ctx, b.python); err != nil {
			torchInfo = "unavailable: " + err.Error()
		} else {
			torchInfo = "torch " + v + " (" + b.python + ")"
		}
	}
	haveTorch := strings.HasPrefix(torchInfo, "torch ")
	for _, be := range b.backends {
		if _, info, err := app.Backend(be); err != nil {
			rep.Backends[be] = "unavailable: " + err.Error()
		} else {
			rep.Backends[be] = info.Description
		}
	}
	for _, name := range names {
		w := b.workload(name)
		ref := 0.0
		if haveTorch {
			r := b.row(ctx, name, "pytorch", func(ctx context.Context) (benchRow, error) {
				return b.torchRow(ctx, script, w)
			})
			if r.Error == "" {
				ref = r.Value
			}
			rep.Rows = append(rep.Rows, r)
		}
		for _, be := range b.backends {
			rep.Rows = append(rep.Rows, b.row(ctx, name, be, func(ctx context.Context) (benchRow, error) {
				return b.gomlxRow(ctx, be, w, ref, torchInfo)
			}))
		}
	}
	return torchInfo
}

func (b *bencher) gomlxRow(ctx context.Context, backend string, w workload, ref float64, torchInfo string) (benchRow, error) {
	shape := b.sizes.Shape
	shape.NumHiddenLayers = w.layers
	t, err := app.BenchEngine(ctx, app.EngineBench{Workload: w.name, Backend: backend, Shape: shape, Rows: w.rows, SeqLen: b.sizes.SeqLen,
		MinTime: time.Duration(b.sizes.MinTime * float64(time.Second)), MaxIters: b.sizes.MaxIters,
		MaxWarmup: time.Duration(b.sizes.MaxWarmup * float64(time.Second)), MeasureRows: b.measureRows(backend)})
	if err != nil {
		return benchRow{}, err
	}
	r := benchRow{What: b.what(w), Value: w.value(t.PerIter()), Unit: w.unit, Target: "≥ PyTorch",
		PeakFrac: b.peakFrac(w, t.PerIter()),
		Note:     fmt.Sprintf("%d timed, warm-up %.1fs excluded", t.Iters, t.WarmupSeconds)}
	if t.MeasuredRows < t.Rows {
		r.Note += fmt.Sprintf("; ran %d rows per call, scaled to %d (padded rows, same work per row)", t.MeasuredRows, t.Rows)
	}
	if t.WarmupIncluded {
		r.Note = strings.Replace(r.Note, fmt.Sprintf("1 timed, warm-up %.1fs excluded", t.WarmupSeconds),
			fmt.Sprintf("slow: first call (%.0fs > %.0fs) is the measurement, compile included", t.WarmupSeconds, b.sizes.MaxWarmup), 1)
	}
	switch {
	case ref <= 0:
		r.Verdict = "no reference"
		r.Note += "; no PyTorch reference: " + strings.TrimPrefix(torchInfo, "unavailable: ")
		if strings.HasPrefix(torchInfo, "torch ") {
			r.Note = strings.TrimSuffix(r.Note, torchInfo) + "its row failed"
		}
	default:
		r.Ratio = w.ratio(r.Value, ref)
		switch {
		case b.quick:
			r.Verdict = "n/a (quick)"
		case r.Ratio >= 1:
			r.Verdict = "met"
		default:
			r.Verdict = "not met"
		}
	}
	return r, nil
}

// torchResult is scripts/torch_bench.py's output for one workload.
type torchResult struct {
	Iters   int     `json:"iters"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error"`
}

func (b *bencher) torchRow(ctx context.Context, script string, w workload) (benchRow, error) {
	s := b.sizes
	args := []string{script, "--only", w.name, "--threads", strconv.Itoa(b.machine.Cores),
		"--vocab", strconv.Itoa(s.Shape.VocabSize), "--hidden", strconv.Itoa(s.Shape.HiddenSize),
		"--heads", strconv.Itoa(s.Shape.NumAttentionHeads), "--inter", strconv.Itoa(s.Shape.IntermediateSize),
		"--max-pos", strconv.Itoa(s.Shape.MaxPositionEmbeddings), "--layers", strconv.Itoa(s.Shape.NumHiddenLayers),
		"--train-layers", strconv.Itoa(s.TrainLayers), "--seq", strconv.Itoa(s.SeqLen),
		"--train-batch", strconv.Itoa(s.TrainRows), "--rerank", strconv.Itoa(s.RerankRows), "--embed", strconv.Itoa(s.EmbedRows),
		"--min-time", strconv.FormatFloat(s.MinTime, 'f', -1, 64), "--max-iters", strconv.Itoa(s.MaxIters)}
	cmd := exec.CommandContext(ctx, b.python, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return benchRow{}, fmt.Errorf("%s %s: %w: %s", b.python, filepath.Base(script), err, lastLine(stderr.String()))
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &out); err != nil {
		return benchRow{}, fmt.Errorf("%s: output is not JSON: %w: %q", filepath.Base(script), err, lastLine(stdout.String()))
	}
	var res torchResult
	if err := json.Unmarshal(out[w.name], &res); err != nil {
		return benchRow{}, fmt.Errorf("%s: %s: %w", filepath.Base(script), w.name, err)
	}
	if res.Error != "" {
		return benchRow{}, errors.New("torch: " + res.Error)
	}
	if res.Iters <= 0 || res.Seconds <= 0 {
		return benchRow{}, fmt.Errorf("torch: %s: no timed iteration", w.name)
	}
	per := res.Seconds / float64(res.Iters)
	threads := ""
	if raw, ok := out["threads"]; ok {
		threads = ", " + string(raw) + " threads"
	}
	return benchRow{What: b.what(w), Value: w.value(per), Unit: w.unit, PeakFrac: b.peakFrac(w, per), Verdict: "reference",
		Note: fmt.Sprintf("%d timed%s, warm-up excluded", res.Iters, threads)}, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// findScript locates scripts/torch_bench.py: --torch-script, else above
// the working directory, else beside the executable.
func (b *bencher) findScript() (string, error) {
	if b.script != "" {
		if _, err := os.Stat(b.script); err != nil {
			return "", fmt.Errorf("--torch-script: %w", err)
		}
		return b.script, nil
	}
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(filepath.Dir(exe)))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "scripts", "torch_bench.py")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("scripts/torch_bench.py not found above the working directory (give --torch-script)")
}

// torchVersion checks that python imports torch.
func torchVersion(ctx context.Context, python string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// The BLAS matters more than the version: Debian's python3-torch is
	// built with a generic BLAS and no MKL, far from a pip wheel's speed.
	const probe = "import re, torch; m = re.search(r'BLAS_INFO=(\\w+)', torch.__config__.show()); " +
		"print(torch.__version__, '(BLAS ' + (m.group(1) if m else '?') + ', ' + ('MKL' if torch.backends.mkl.is_available() else 'no MKL') + ')')"
	out, err := exec.CommandContext(ctx, python, "-c", probe).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s cannot import torch (install Debian's python3-torch): %s", python, lastLine(string(out)))
	}
	return lastLine(string(out)), nil
}

// machineInfo describes the CPU the numbers come from.
type machineInfo struct {
	CPU          string  `json:"cpu"`
	Cores        int     `json:"cores"`
	GHz          float64 `json:"ghz"`
	SIMD         string  `json:"simd"`
	FlopsPerCyc  int     `json:"fp32_flops_per_cycle"`
	PeakGFLOPS   float64 `json:"peak_gflops_estimate"`
	Load         string  `json:"load_average"`
	GoVersion    string  `json:"go"`
	OS           string  `json:"os"`
	PeakEstimate string  `json:"peak_note"`
}

// readMachine reads /proc/cpuinfo where there is one; the FLOP peak is
// cores × GHz × fp32 FLOPs per cycle (2 FMA units × 16 lanes × 2 with
// AVX-512, × 8 lanes with AVX2), an estimate that ignores turbo and
// CPUs that split AVX-512 into two 256-bit halves.
func readMachine() machineInfo {
	m := machineInfo{CPU: runtime.GOARCH, Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, Load: readLoad()}
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		var flags string
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case k == "model name" && m.CPU == runtime.GOARCH:
				m.CPU = v
			case k == "cpu MHz" && m.GHz == 0:
				if mhz, err := strconv.ParseFloat(v, 64); err == nil {
					m.GHz = mhz / 1000
				}
			case k == "flags" && flags == "":
				flags = " " + v + " "
			}
		}
		switch {
		case strings.Contains(flags, " avx512f "):
			m.SIMD, m.FlopsPerCyc = "AVX-512", 64
		case strings.Contains(flags, " avx2 ") && strings.Contains(flags, " fma "):
			m.SIMD, m.FlopsPerCyc = "AVX2+FMA", 32
		case flags != "":
			m.SIMD, m.FlopsPerCyc = "SSE", 8
		}
	}
	if m.GHz > 0 && m.FlopsPerCyc > 0 {
		m.PeakGFLOPS = float64(m.Cores) * m.GHz * float64(m.FlopsPerCyc)
		m.PeakEstimate = fmt.Sprintf("estimate: %d cores × %.2f GHz × %d fp32 FLOPs/cycle (%s)", m.Cores, m.GHz, m.FlopsPerCyc, m.SIMD)
	} else {
		m.PeakEstimate = "unknown (no /proc/cpuinfo clock or SIMD flags)"
	}
	return m
}

func readLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return "unknown"
	}
	return strings.Join(fs[:3], " ")
}

// printBench prints the machine, the backends, the table and one verdict
// line per target.
func printBench(w io.Writer, rep benchReport) {
	m := rep.Machine
	fmt.Fprintf(w, "machine   %s, %d cores, %.2f GHz, %s; %s\n", m.CPU, m.Cores, m.GHz, m.SIMD, m.OS)
	fmt.Fprintf(w, "peak      %.0f GFLOP/s fp32 — %s\n", m.PeakGFLOPS, m.PeakEstimate)
	fmt.Fprintf(w, "load avg  %s at start, %s at end (other work on this machine makes every number noisy)\n", m.Load, rep.LoadEnd)
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
	rows := [][]string{{"ROW", "ENGINE", "MEASURE", "VALUE", "UNIT", "TARGET", "vs TORCH", "PEAK", "VERDICT", "NOTE"}}
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
		rows = append(rows, []string{r.Name, r.Engine, r.What, val, r.Unit, r.Target, ratio, peak, r.Verdict, note})
	}
	table(w, rows)
	fmt.Fprintln(w, "\nvs TORCH = GoMLX / PyTorch speed in the same run (>1: faster than PyTorch); PEAK = estimated share of the fp32 peak.")
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
				got += fmt.Sprintf(" = %.2f× PyTorch", r.Ratio)
			}
			fmt.Fprintf(w, "  %-22s %-12s %s (%s)\n", label, r.Target, strings.ToUpper(r.Verdict), got)
		default:
			fmt.Fprintf(w, "  %-22s %-12s %s\n", label, r.Target, r.Verdict)
		}
	}
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
