package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/onnx"
)

// engineORTPython names the rows of PyPI's onnxruntime, run from Python on
// the graph Precedent exports: what a Python user gets from ONNX Runtime,
// against which backend "ort" (the same library, driven from Go) is read.
const engineORTPython = "onnxruntime-python"

// ortPythonRows is the Python onnxruntime row of an inference workload
// (rerank, embed), when the reference python is set; none for training
// (ONNX Runtime is not a training engine here).
func (b *runner) ortPythonRows(ctx context.Context, script string, w workload, ref float64) []Row {
	if b.python == "" || script == "" || w.train {
		return nil
	}
	return []Row{b.row(ctx, w.name, engineORTPython, func(ctx context.Context) (Row, error) {
		return b.ortPythonRow(ctx, filepath.Join(filepath.Dir(script), "ort_bench.py"), w, ref)
	})}
}

// inferenceOnly reports whether the backend named only changes inference:
// "ort" trains on the pure-Go backend, which the "go" rows already measure.
func inferenceOnly(name string) bool { return name == backend.ORTName }

// ortResult is scripts/ort_bench.py's output.
type ortResult struct {
	Iters   int     `json:"iters"`
	Seconds float64 `json:"seconds"`
	Version string  `json:"version"`
	Threads int     `json:"threads"`
	Error   string  `json:"error"`
}

func (b *runner) ortPythonRow(ctx context.Context, script string, w workload, ref float64) (Row, error) {
	shape := b.sizes.Shape
	shape.NumHiddenLayers = w.layers
	head, out := model.CrossEncoder, onnx.OutputLogits
	if !w.cross {
		head, out = model.BiEncoder, onnx.OutputEmbeddings
	}
	m, err := model.FromScratch(shape, head, 1)
	if err != nil {
		return Row{}, fmt.Errorf("bench %s: %w", w.name, err)
	}
	buf, err := onnx.Export(m, out)
	if err != nil {
		return Row{}, fmt.Errorf("bench %s: %w", w.name, err)
	}
	dir, err := os.MkdirTemp("", "precedent-ort-bench-")
	if err != nil {
		return Row{}, fmt.Errorf("bench %s: %w", w.name, err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, w.name+".onnx")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return Row{}, fmt.Errorf("bench %s: write %s: %w", w.name, path, err)
	}
	args := []string{script, "--model", path, "--output", out.Name(), "--rows", strconv.Itoa(w.rows),
		"--seq", strconv.Itoa(b.sizes.SeqLen), "--vocab", strconv.Itoa(shape.VocabSize), "--threads", strconv.Itoa(b.machine.Cores),
		"--min-time", strconv.FormatFloat(b.sizes.MinTime, 'f', -1, 64), "--max-iters", strconv.Itoa(b.sizes.MaxIters)}
	if w.cross {
		args = append(args, "--pairs")
	}
	cmd := exec.CommandContext(ctx, b.python, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Row{}, fmt.Errorf("%s %s: %w: %s (make pyref installs onnxruntime)", b.python, filepath.Base(script), err, lastLine(stderr.String()))
	}
	var res ortResult
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &res); err != nil {
		return Row{}, fmt.Errorf("%s: output is not JSON: %w: %q", filepath.Base(script), err, lastLine(stdout.String()))
	}
	if res.Error != "" {
		return Row{}, errors.New("onnxruntime: " + res.Error)
	}
	if res.Iters <= 0 || res.Seconds <= 0 {
		return Row{}, fmt.Errorf("onnxruntime: %s: no timed iteration", w.name)
	}
	per := res.Seconds / float64(res.Iters)
	r := Row{What: b.what(w), Value: w.value(per), Unit: w.unit, PeakFrac: b.peakFrac(w, per), Verdict: "info",
		Note: fmt.Sprintf("onnxruntime %s from Python on Precedent's ONNX export, %d threads, %d timed, warm-up excluded", res.Version, res.Threads, res.Iters)}
	if ref > 0 {
		r.Ratio = w.ratio(r.Value, ref)
	}
	return r, nil
}
