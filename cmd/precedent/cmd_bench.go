package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/precedent/precedent/bench"
	"github.com/precedent/precedent/platform"
)

func init() {
	register(command{"bench", "measure the speed targets against PyTorch on this machine, in one run", cmdBench})
}

func cmdBench(ctx context.Context, args []string) error {
	f := newFlags("bench", "[flags]", "Measures Precedent's speed targets on this machine in one run: synth, import, mine, BM25 and\n"+
		"dense first stage at 140k tickets; cross-encoder training, reranking and embedding at MiniLM-L6 shape on\n"+
		"each GoMLX backend, each against PyTorch (PyPI's torch with MKL, from make pyref) run in the same session;\n"+
		"as a user meets them (group user): the desktop app's cold start on a 140k-ticket project (a fresh process,\n"+
		"the store evicted from the page cache, under $DISPLAY or Xvfb) and evaluation with defaults on a 20k archive.", 0, 0)
	quick := f.Bool("quick", false, "tiny sizes: a smoke test of every row in seconds (targets not judged)")
	only := f.String("only", "", "comma-separated rows or groups to run: "+strings.Join(bench.RowNames(), ",")+", data, engine, real, user (default all)")
	backends := f.String("backends", "xla:cpu,xla:cpu@bf16,ort,go", "backends to measure, comma-separated (ort: ONNX Runtime, inference rows only); NAME@bf16 runs rerank and embed with bfloat16 products (compared with PyTorch under bf16 autocast)")
	python := f.String("python", platform.PyRefPython(), "python with torch for the PyTorch reference (make pyref sets it up; \"\" skips it)")
	script := f.String("torch-script", "", "path of scripts/torch_bench.py (default: found above the working directory)")
	rowTimeout := f.Duration("row-timeout", 4*time.Minute, "time limit of each row")
	minTime := f.Float64("min-time", 0, "seconds to time each engine workload after its warm-up (default 3, 0 with --quick)")
	maxIters := f.Int("max-iters", 0, "most timed calls per engine workload (default 5, 1 with --quick)")
	tickets := f.Int("tickets", 0, "archive size for the data rows (default 140000)")
	goRows := f.Int("go-rows", 8, "rows per rerank/embed call on the pure-Go backend, scaled to the full batch (0 = full batch; slow)")
	lengths := f.String("lengths", "", "instead of benchmarking: print the token-length distributions of the project in this folder")
	lengthsOut := f.String("lengths-out", "", "with --lengths: also write them (counts per length, no text) to this JSON file")
	if err := f.parse(args); err != nil {
		return err
	}
	if *lengths != "" {
		return bench.MeasureLengths(ctx, processRuntime(), *lengths, *lengthsOut, os.Stdout)
	}
	sz := bench.FullSizes()
	if *quick {
		sz = bench.QuickSizes()
	}
	if *minTime > 0 {
		sz.MinTime = *minTime
	}
	if *maxIters > 0 {
		sz.MaxIters = *maxIters
	}
	if *tickets > 0 {
		sz.Tickets = *tickets
	}
	var bes []string
	for _, s := range strings.Split(*backends, ",") {
		if s = strings.TrimSpace(s); s != "" {
			bes = append(bes, s)
		}
	}
	rep, err := bench.Run(ctx, bench.Options{Sizes: sz, Quick: *quick, Only: *only, Backends: bes, Python: *python,
		TorchScript: *script, RowTimeout: *rowTimeout, GoRows: *goRows, Log: os.Stderr, Runtime: processRuntime()})
	if errors.Is(err, bench.ErrUnknownRow) {
		fmt.Fprintf(os.Stderr, "precedent bench: --only: %v\n", err)
		return errUsage
	}
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(rep)
	}
	bench.Print(os.Stdout, rep)
	return nil
}
