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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/ml/train"
)

// engineST names the sentence-transformers reference in the real-shape rows.
const engineST = "sentence-transformers"

// realRowSuffix marks the real-shape rows: rerank-real, train-real, embed-real.
const realRowSuffix = "-real"

// realResult is what one engine measured on one real-shape workload.
type realResult struct {
	Iters   int     `json:"iters"`   // timed calls (rerank: queries; train: steps; embed: passes over the texts)
	Seconds float64 `json:"seconds"` // timed seconds, warm-up excluded
	Error   string  `json:"error"`
	// GoMLX only: padding and compilation.
	RealTokens, PaddedTokens int
	Shapes                   int     // distinct padded shapes run (each compiled once)
	WarmupSeconds            float64 // the first pass, every compilation included
	CompileSteps             int     // train: steps excluded as compiling a new shape
	CompileSeconds           float64
	LenMismatch              int `json:"len_mismatch"` // sentence-transformers: inputs its tokenizer counts differently
}

// realRows runs the real-shape workloads on each length source, each
// workload first on sentence-transformers (its own process, the model
// loaded untimed) and right after on each GoMLX backend, so that other
// load on the machine drifts as little as possible between the two.
func (b *runner) realRows(ctx context.Context, names []string, rep *Report) {
	modelDir, err := b.miniLMDir()
	for _, source := range lengthSources {
		var in realInputs
		if err == nil {
			in, err = b.realInputs(source, modelDir)
		}
		for _, name := range names {
			w := strings.TrimSuffix(name, realRowSuffix)
			var st map[string]realResult
			stErr := err
			if stErr == nil {
				st, stErr = b.runST(ctx, in, modelDir, []string{name})
			}
			ref := 0.0
			r := b.row(ctx, name, engineST, func(ctx context.Context) (Row, error) {
				if stErr != nil {
					return Row{}, stErr
				}
				return b.stRow(in, w, st[w])
			})
			if r.Error == "" {
				ref = r.Value
			}
			rep.Rows = append(rep.Rows, r)
			for _, be := range b.backends {
				if !realBackend(be, w) {
					continue
				}
				rep.Rows = append(rep.Rows, b.row(ctx, name, be, func(ctx context.Context) (Row, error) {
					if err != nil {
						return Row{}, err
					}
					return b.gomlxRealRow(ctx, in, w, be, modelDir, ref)
				}))
			}
		}
	}
}

// realBackend reports whether the real-shape rows of workload w run on
// backend: GoMLX on XLA, in float32, and for reranking and embedding also
// with bf16 products (NAME@bf16: what auto picks on a CPU with bfloat16
// instructions), against sentence-transformers as it runs out of the box
// (float32). The pure-Go backend takes minutes a pass at these sizes;
// ONNX Runtime is compared by the engine rows.
func realBackend(backend, w string) bool {
	name, prec := splitPrecision(backend)
	if prec != model.F32 && w == workloadTrain {
		return false // training steps are float32
	}
	return name != "go" && !strings.HasPrefix(name, "go:") && name != "ort"
}

// miniLMDir finds the all-MiniLM-L6-v2 folder as a project would.
func (b *runner) miniLMDir() (string, error) {
	p, err := app.OpenWith(filepath.Join(b.home, "realshape"), b.rt)
	if err != nil {
		return "", err
	}
	defer p.Close()
	return p.ResolveModel(app.DefaultModel)
}

func (b *runner) realInputs(source, modelDir string) (realInputs, error) {
	il, err := loadLengths(source)
	if err != nil {
		return realInputs{}, err
	}
	return buildRealInputs(source, il, defaultRealSizes(b.quick), filepath.Join(modelDir, "vocab.txt"), filepath.Join(modelDir, "tokenizer.json"))
}

// realWhat describes a real-shape workload.
func realWhat(in realInputs, w string) string {
	sz := in.sizes
	switch w {
	case workloadRerank:
		return fmt.Sprintf("%s lengths: rerank %d candidates, max %d tok (p50 %d, mean %.0f), 6 layers, MiniLM weights, f32",
			in.Source, sz.Candidates, sz.PairMaxLen, in.PairSummary.P50, in.PairSummary.Mean)
	case workloadTrain:
		return fmt.Sprintf("%s lengths: train steps of %d pairs, max %d tok (p50 %d, mean %.0f), MiniLM's first %d layers, AdamW",
			in.Source, sz.TrainBatch, sz.PairMaxLen, in.PairSummary.P50, in.PairSummary.Mean, sz.TrainLayers)
	default:
		return fmt.Sprintf("%s lengths: embed texts in batches of %d, max %d tok (p50 %d, mean %.0f), 6 layers, MiniLM weights, f32",
			in.Source, sz.EmbedBatch, sz.TextMaxLen, in.TextSummary.P50, in.TextSummary.Mean)
	}
}

// realValue converts a result into the workload's unit.
func realValue(in realInputs, w string, r realResult) (float64, string) {
	switch w {
	case workloadRerank:
		return 1000 * r.Seconds / float64(r.Iters), "ms/query"
	case workloadTrain:
		return float64(r.Iters*in.sizes.TrainBatch) / r.Seconds, "pairs/s"
	default:
		return float64(r.Iters*len(in.Embed.Texts)) / r.Seconds, "texts/s"
	}
}

func (b *runner) stRow(in realInputs, w string, r realResult) (Row, error) {
	if r.Error != "" {
		return Row{}, errors.New("sentence-transformers: " + r.Error)
	}
	if r.Iters <= 0 || r.Seconds <= 0 {
		return Row{}, fmt.Errorf("sentence-transformers: %s: no timed iteration", w)
	}
	v, unit := realValue(in, w, r)
	note := fmt.Sprintf("%d timed, warm-up excluded; its own tokenization and per-batch padding", r.Iters)
	if r.LenMismatch > 0 {
		note += fmt.Sprintf("; %d inputs tokenize to another length under its tokenizer", r.LenMismatch)
	}
	return Row{What: realWhat(in, w), Value: v, Unit: unit, Verdict: "reference", Note: note}, nil
}

// runST writes the inputs as the spec of scripts/st_bench.py and runs it.
func (b *runner) runST(ctx context.Context, in realInputs, modelDir string, names []string) (map[string]realResult, error) {
	if b.python == "" {
		return nil, errors.New("no python (--python \"\")")
	}
	torchScript, err := b.findScript()
	if err != nil {
		return nil, err
	}
	script := filepath.Join(filepath.Dir(torchScript), "st_bench.py")
	spec := filepath.Join(b.home, "st-spec-"+in.Source+".json")
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(spec, raw, 0o644); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var only []string
	for _, n := range names {
		only = append(only, strings.TrimSuffix(n, realRowSuffix))
	}
	rctx, cancel := context.WithTimeout(ctx, b.timeout*time.Duration(len(names)))
	defer cancel()
	fmt.Fprintf(b.log, "bench: sentence-transformers, %s lengths, %s … ", in.Source, strings.Join(only, ","))
	start := time.Now()
	cmd := exec.CommandContext(rctx, b.python, script, "--spec", spec, "--model", modelDir, "--threads", strconv.Itoa(b.machine.Cores),
		"--min-time", strconv.FormatFloat(b.sizes.MinTime, 'f', -1, 64), "--max-iters", strconv.Itoa(b.sizes.MaxIters), "--only", strings.Join(only, ","))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(b.log, "error after %.1fs\n", time.Since(start).Seconds())
		return nil, fmt.Errorf("%s st_bench.py: %w: %s", b.python, err, lastLine(stderr.String()))
	}
	fmt.Fprintf(b.log, "%.1fs\n", time.Since(start).Seconds())
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &out); err != nil {
		return nil, fmt.Errorf("st_bench.py: output is not JSON: %w: %q", err, lastLine(stdout.String()))
	}
	res := map[string]realResult{}
	for _, w := range only {
		var r realResult
		if raw, ok := out[w]; ok {
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, fmt.Errorf("st_bench.py: %s: %w", w, err)
			}
		} else {
			r.Error = "no result"
		}
		if w == workloadRerank {
			var calls struct {
				Calls int `json:"calls"`
			}
			_ = json.Unmarshal(out[w], &calls)
			r.Iters = calls.Calls // timed queries
		}
		res[w] = r
	}
	return res, nil
}

// gomlxRealRow runs one real-shape workload on a GoMLX backend with the
// real all-MiniLM-L6-v2 weights, tokenization included, through the
// pipeline's bucketing and padding (tokenizer.Buckets, Tokenizer.Pad,
// the Scorer's and Embedder's padded shapes, train.Train's length-sorted
// batches).
func (b *runner) gomlxRealRow(ctx context.Context, in realInputs, w, backend, modelDir string, ref float64) (Row, error) {
	var r realResult
	var err error
	switch w {
	case workloadTrain:
		r, err = realTrain(ctx, b.rt, in, backend, modelDir)
	default:
		r, err = realInference(ctx, b.rt, in, w, backend, modelDir, b.sizes.MinTime, b.sizes.MaxIters)
	}
	if err != nil {
		return Row{}, err
	}
	v, unit := realValue(in, w, r)
	what := realWhat(in, w)
	if _, prec := splitPrecision(backend); prec == model.BF16 {
		what = strings.TrimSuffix(what, ", f32") + ", bf16 products (sentence-transformers: f32, as it runs out of the box)"
	}
	row := Row{What: what, Value: v, Unit: unit, Target: "≥ 1.5× sentence-transformers"}
	row.Note = fmt.Sprintf("%d timed", r.Iters)
	if w == workloadTrain {
		row.Note += fmt.Sprintf(", %d steps compiling a new shape excluded (%.1fs)", r.CompileSteps, r.CompileSeconds)
	} else {
		row.Note += fmt.Sprintf(", warm-up pass %.1fs excluded; padding %.2f× real tokens, %d compiled shapes",
			r.WarmupSeconds, float64(r.PaddedTokens)/float64(max(r.RealTokens, 1)), r.Shapes)
	}
	switch {
	case ref <= 0:
		row.Verdict = "no reference"
	default:
		if unit == "ms/query" {
			row.Ratio = ref / v
		} else {
			row.Ratio = v / ref
		}
		row.Note += "; ratio vs sentence-transformers"
		switch {
		case b.quick:
			row.Verdict = "n/a (quick)"
		case row.Ratio >= 1.5:
			row.Verdict = "met"
		default:
			row.Verdict = "not met"
		}
	}
	return row, nil
}

// loadRealModel opens backend from rt, builds the model of the checkpoint
// in modelDir with o, and loads the tokenizer at tokPath (the caller closes it).
func loadRealModel(rt *backend.Runtime, backend, modelDir, tokPath string, o model.Options) (compute.Backend, *model.Model, *tokenizer.Tokenizer, error) {
	be, _, err := rt.Backend(backend)
	if err != nil {
		return nil, nil, nil, err
	}
	ck, err := hf.Load(modelDir)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := model.FromCheckpoint(ck, o)
	if err != nil {
		return nil, nil, nil, err
	}
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return nil, nil, nil, err
	}
	return be, m, tok, nil
}

// realInference times rerank (each query's candidates scored as the
// pipeline's reranker does) or embed (the texts embedded as the dense
// first stage does) after one warm-up pass that compiles every shape.
func realInference(ctx context.Context, rt *backend.Runtime, in realInputs, w, backend, modelDir string, minTime float64, maxIters int) (realResult, error) {
	backend, prec := splitPrecision(backend)
	head := model.CrossEncoder
	if w == workloadEmbed {
		head = model.BiEncoder
	}
	be, m, tok, err := loadRealModel(rt, backend, modelDir, in.tokenizerPath, model.Options{Head: head, Seed: 1})
	if err != nil {
		return realResult{}, err
	}
	defer tok.Close()
	var run func(b model.Batch) error
	if w == workloadEmbed {
		em, err := model.NewEmbedder(m, be, prec)
		if err != nil {
			return realResult{}, err
		}
		run = func(b model.Batch) error { _, err := em.Embed(b); return err }
	} else {
		sc, err := model.NewScorer(m, be, prec)
		if err != nil {
			return realResult{}, err
		}
		run = func(b model.Batch) error { _, err := sc.Score(b); return err }
	}
	var r realResult
	shapes := map[[2]int]bool{}
	// call is one query (rerank) or one pass over the texts (embed).
	call := func(i int, count bool) error {
		var encs []tokenizer.Encoding
		batch := in.Embed.Batch
		if w == workloadEmbed {
			for _, s := range in.Embed.Texts {
				encs = append(encs, tok.Encode(s, in.Embed.MaxLen))
			}
		} else {
			batch = in.Rerank.Batch
			for _, p := range in.Rerank.Queries[i%len(in.Rerank.Queries)] {
				encs = append(encs, tok.EncodePair(p[0], p[1], in.Rerank.MaxLen))
			}
		}
		lengths := make([]int, len(encs))
		for j, e := range encs {
			lengths[j] = e.Len()
		}
		for _, idx := range tokenizer.Buckets(lengths, batch) {
			if err := ctx.Err(); err != nil {
				return err
			}
			tb := tok.PadPicked(encs, idx)
			if count {
				rows, length := model.PaddedShape(tb.Rows, tb.Len, m.MaxLen())
				shapes[[2]int{rows, length}] = true
				r.PaddedTokens += rows * length
				for _, n := range tb.Lengths {
					r.RealTokens += n
				}
			}
			if err := run(model.TokenBatch(tb)); err != nil {
				return fmt.Errorf("%s: %w", w, err)
			}
		}
		return nil
	}
	passes := 1
	if w == workloadRerank {
		passes = len(in.Rerank.Queries)
	}
	start := time.Now()
	for i := range passes {
		if err := call(i, true); err != nil {
			return r, err
		}
	}
	r.WarmupSeconds, r.Shapes = time.Since(start).Seconds(), len(shapes)
	start = time.Now()
	for r.Iters == 0 || (time.Since(start).Seconds() < minTime && r.Iters < maxIters*passes) || r.Iters%passes != 0 {
		if err := call(r.Iters, false); err != nil {
			return r, err
		}
		r.Iters++
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// realTrain runs train.Train on the training pairs (the pipeline's
// defaults: length-sorted batches, dropout, AdamW, clipping) and times its
// steps after the first, leaving out the steps that compiled a new padded
// shape (three times the median step or more): a long run compiles each
// shape once.
func realTrain(ctx context.Context, rt *backend.Runtime, in realInputs, backend, modelDir string) (realResult, error) {
	be, m, tok, err := loadRealModel(rt, backend, modelDir, in.tokenizerPath, model.Options{Head: model.CrossEncoder, KeepLayers: in.Train.Layers, Seed: 1})
	if err != nil {
		return realResult{}, err
	}
	defer tok.Close()
	set := &realPairSet{in: in.Train, tok: tok}
	cfg := train.DefaultConfig()
	cfg.BatchSize, cfg.MaxSteps, cfg.Seed = in.Train.Batch, in.Train.Steps+1, 1
	var steps []float64
	last := time.Now()
	_, err = train.Train(ctx, be, m, set, cfg, nil, func(e train.Event) {
		if e.Phase != train.PhaseTrain {
			return
		}
		now := time.Now()
		if e.Step > 1 {
			steps = append(steps, now.Sub(last).Seconds())
		}
		last = now
	})
	if err != nil {
		return realResult{}, fmt.Errorf("train: %w", err)
	}
	if len(steps) == 0 {
		return realResult{}, errors.New("train: no step ran after the first")
	}
	sorted := slices.Clone(steps)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	var r realResult
	for _, s := range steps {
		if s >= 3*median {
			r.CompileSteps++
			r.CompileSeconds += s
			continue
		}
		r.Iters++
		r.Seconds += s
	}
	return r, nil
}

// realPairSet serves the training pairs, tokenized when a batch needs
// them and padded to the batch's longest, as the pipeline's pair set does;
// its lengths let train.Train sort batches by length.
type realPairSet struct {
	in  trainInputs
	tok *tokenizer.Tokenizer
}

func (s *realPairSet) Len() int       { return len(s.in.Pairs) }
func (s *realPairSet) Lengths() []int { return s.in.Lengths }
func (s *realPairSet) Labels() []float32 {
	return s.in.Labels
}

func (s *realPairSet) Batch(indices []int) (model.Batch, []float32, error) {
	encs := make([]tokenizer.Encoding, len(indices))
	labels := make([]float32, len(indices))
	for j, i := range indices {
		encs[j] = s.tok.EncodePair(s.in.Pairs[i][0], s.in.Pairs[i][1], s.in.MaxLen)
		labels[j] = s.in.Labels[i]
	}
	return model.TokenBatch(s.tok.Pad(encs)), labels, nil
}
