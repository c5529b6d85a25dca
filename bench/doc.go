// Package bench measures Precedent's speed targets on the machine it runs
// on, in one run: the data rows (synthetic archive, import, mining, the
// BM25 and dense first stages at 140k tickets) through app's use-cases as a
// user meets them, and the engine rows (cross-encoder training, reranking,
// bi-encoder embedding at MiniLM-L6 shape) on each GoMLX backend, each
// against PyTorch run in the same session (scripts/torch_bench.py), and
// the user rows: the desktop app's cold start (a fresh process of the
// desktop binary, the store evicted from the page cache) and evaluation
// with defaults on a 20k archive.
//
// It is tooling, not a pipeline step: it sits beside cmd, imports app, ml
// and data, and nothing imports it but `precedent bench`. One idea per
// file: run.go orchestrates, datarows.go and engines.go are the rows,
// engine.go and dense.go time the engine and the dense index, torch.go is
// the PyTorch subprocess, coldstart.go and evalrow.go the user rows,
// cpuinfo.go the machine, flops.go the FLOP model, table.go the printed table.
//
// Every figure in a Report is measured in the run that returns it; the
// dense row runs a share of its queries and says so in its note, and the
// FLOP peak is an estimate that says how it was made.
package bench
