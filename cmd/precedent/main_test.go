package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// capture runs the CLI and returns its exit code and stdout.
func capture(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdout
	os.Stdout = w
	code := run(args)
	os.Stdout = old
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return code, string(out)
}

func TestCLIArchiveCommands(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PRECEDENT_HOME", home)
	export := filepath.Join(t.TempDir(), "export")

	code, out := capture(t, "synth", "--tickets", "400", "--out", export, "--json")
	require.Equal(t, 0, code, out)
	var s app.SynthResult
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	assert.Equal(t, 400, s.Tickets)

	code, out = capture(t, "import", filepath.Join(export, "tickets.jsonl"), "--json")
	require.Equal(t, 0, code, out)
	var imp map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.EqualValues(t, 400, imp["tickets"])

	code, out = capture(t, "stats", "--json")
	require.Equal(t, 0, code)
	var st map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &st), out)
	assert.EqualValues(t, 400, st["tickets"])

	code, out = capture(t, "mine", "--json")
	require.Equal(t, 0, code)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &m), out)
	assert.Contains(t, m, "precision")
	assert.Contains(t, m, "recall")
	assert.Contains(t, m, "funnel")

	code, stdoutPairs := capture(t, "pairs", "--window", "train")
	require.Equal(t, 0, code)
	require.NotEmpty(t, stdoutPairs)
	pairsFile := filepath.Join(t.TempDir(), "pairs.jsonl")
	code, out = capture(t, "pairs", "--window", "train", "--out", pairsFile)
	require.Equal(t, 0, code)
	assert.Empty(t, out, "--out writes nothing on stdout")
	written, err := os.ReadFile(pairsFile)
	require.NoError(t, err)
	assert.Equal(t, stdoutPairs, string(written), "--out FILE holds what stdout would")
	code, _ = capture(t, "pairs", "--window", "tset")
	assert.Equal(t, 2, code, "an unknown window is a usage error")

	code, _ = capture(t, "mine", "--pattern", "INC(\\d{7}")
	assert.Equal(t, 1, code, "a broken pattern fails before any work")

	code, out = capture(t, "firststage", "--json", "--k", "10")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &m), out)
	assert.Contains(t, m, "hit_rate@k")

	code, out = capture(t, "negatives", "mine", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &m), out)
	assert.Contains(t, m, "false_negative_share")
}

func TestCLIUsageAndErrors(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	code, _ := capture(t)
	assert.Equal(t, 2, code)
	code, _ = capture(t, "frobnicate")
	assert.Equal(t, 2, code)
	code, _ = capture(t, "import")
	assert.Equal(t, 2, code, "missing FILE is a usage error")
	code, _ = capture(t, "stats", "--nope")
	assert.Equal(t, 2, code)
	code, _ = capture(t, "stats", "--help")
	assert.Equal(t, 0, code)
	code, _ = capture(t, "import", filepath.Join(t.TempDir(), "missing.csv"))
	assert.Equal(t, 1, code)

	// A second process on the same project: exit code 3.
	home := t.TempDir()
	p, err := app.Open(home)
	require.NoError(t, err)
	defer p.Close()
	code, _ = capture(t, "stats", "--home", home)
	assert.Equal(t, 3, code)
}

// The train and demo flags default to app's options: app is the one source.
func TestTrainFlagDefaults(t *testing.T) {
	scratch := app.DefaultTrainOptions()
	scratch.FromScratch, scratch.LR = true, app.ScratchLR
	scratchLRGiven := scratch
	scratchLRGiven.LR = 1e-3
	plain := app.DemoTrainOptions()
	plain.PlainShare = 0.5
	tests := []struct {
		name string
		def  app.TrainOptions
		args []string
		want app.TrainOptions
	}{
		{"train", app.DefaultTrainOptions(), nil, app.DefaultTrainOptions()},
		{"demo", app.DemoTrainOptions(), nil, app.DemoTrainOptions()},
		{"scratch takes the scratch learning rate", app.DefaultTrainOptions(), []string{"--scratch"}, scratch},
		{"unless --lr is given", app.DefaultTrainOptions(), []string{"--scratch", "--lr", "1e-3"}, scratchLRGiven},
		{"plain share", app.DemoTrainOptions(), []string{"--plain-share", "0.5"}, plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFlags("train", "[flags]", "test", 0, 0)
			var o app.TrainOptions
			trainFlags(f, &o, tt.def)
			require.NoError(t, f.parse(tt.args))
			scratchLR(f, &o)
			assert.Equal(t, tt.want, o)
		})
	}
}

// The eval flags default to app's options, and every option Validate can
// name maps to one of them.
func TestEvalFlagDefaults(t *testing.T) {
	f := newFlags("eval", "[flags]", "test", 0, 0)
	var o app.EvalOptions
	flagOf := evalFlags(f, &o)
	require.NoError(t, f.parse(nil))
	assert.Equal(t, app.DefaultEvalOptions(), o)
	for field, name := range flagOf {
		assert.NotNil(t, f.Lookup(name), "option %s: no flag --%s", field, name)
	}
	require.NoError(t, f.parse([]string{"--bootstrap", "50", "--max-queries", "4"}))
	assert.Equal(t, 50, o.Resamples)
	assert.Equal(t, 4, o.MaxQueries)
}

// An option out of range is a usage error naming its flag, before the
// project is opened.
func TestEvalFlagErrors(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--depth", "-1"}, "precedent eval: --depth -1: want candidates per query"},
		{[]string{"eval", "--bootstrap", "-5"}, "precedent eval: --bootstrap -5: want bootstrap resamples"},
		{[]string{"eval", "--precision", "fp16"}, "precedent eval: --precision fp16: want auto, f32 or bf16"},
		{[]string{"eval", "--baseline", "--no-baseline"}, "precedent eval: --baseline and --no-baseline exclude each other"},
		{[]string{"demo", "--test-queries", "-3"}, "precedent demo: --test-queries -3: want test queries"},
	} {
		code, stderr := captureStderr(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}
