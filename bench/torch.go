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
	"strings"
	"time"
)

// torchResult is scripts/torch_bench.py's output for one workload.
type torchResult struct {
	Iters   int     `json:"iters"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error"`
}

// torchRow times workload w in PyTorch; bf16 runs it under
// torch.autocast("cpu", bfloat16), the reference of GoMLX's bf16 rows.
func (b *runner) torchRow(ctx context.Context, script string, w workload, bf16 bool) (Row, error) {
	s := b.sizes
	args := []string{script, "--only", w.name, "--threads", strconv.Itoa(b.machine.Cores),
		"--vocab", strconv.Itoa(s.Shape.VocabSize), "--hidden", strconv.Itoa(s.Shape.HiddenSize),
		"--heads", strconv.Itoa(s.Shape.NumAttentionHeads), "--inter", strconv.Itoa(s.Shape.IntermediateSize),
		"--max-pos", strconv.Itoa(s.Shape.MaxPositionEmbeddings), "--layers", strconv.Itoa(s.Shape.NumHiddenLayers),
		"--train-layers", strconv.Itoa(s.TrainLayers), "--seq", strconv.Itoa(s.SeqLen),
		"--train-batch", strconv.Itoa(s.TrainRows), "--rerank", strconv.Itoa(s.RerankRows), "--embed", strconv.Itoa(s.EmbedRows),
		"--min-time", strconv.FormatFloat(s.MinTime, 'f', -1, 64), "--max-iters", strconv.Itoa(s.MaxIters)}
	if bf16 {
		args = append(args, "--bf16")
	}
	cmd := exec.CommandContext(ctx, b.python, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Row{}, fmt.Errorf("%s %s: %w: %s", b.python, filepath.Base(script), err, lastLine(stderr.String()))
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &out); err != nil {
		return Row{}, fmt.Errorf("%s: output is not JSON: %w: %q", filepath.Base(script), err, lastLine(stdout.String()))
	}
	var res torchResult
	if err := json.Unmarshal(out[w.name], &res); err != nil {
		return Row{}, fmt.Errorf("%s: %s: %w", filepath.Base(script), w.name, err)
	}
	if res.Error != "" {
		return Row{}, errors.New("torch: " + res.Error)
	}
	if res.Iters <= 0 || res.Seconds <= 0 {
		return Row{}, fmt.Errorf("torch: %s: no timed iteration", w.name)
	}
	per := res.Seconds / float64(res.Iters)
	threads := ""
	if raw, ok := out["threads"]; ok {
		threads = ", " + string(raw) + " threads"
	}
	r := Row{What: b.what(w), Value: w.value(per), Unit: w.unit, PeakFrac: b.peakFrac(w, per), Verdict: "reference",
		Note: fmt.Sprintf("%d timed%s, warm-up excluded", res.Iters, threads)}
	if bf16 {
		r.What += ", bf16 autocast"
		r.PeakFrac = 0 // the fp32 peak does not bound bf16 products
	}
	return r, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// findScript locates scripts/torch_bench.py: --torch-script, else above
// the working directory, else beside the executable.
func (b *runner) findScript() (string, error) {
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
		return "", fmt.Errorf("%s cannot import torch (make pyref installs PyPI's torch): %s", python, lastLine(string(out)))
	}
	return lastLine(string(out)), nil
}
