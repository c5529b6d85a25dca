package app

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// changeCase is one Validate table row: a change to the default options,
// and a part of the *OptionError's message ("" = valid).
type changeCase[O any] struct {
	name    string
	change  func(o *O)
	wantErr string
}

// checkChangedValidate runs a table of changes to the defaults through
// Validate.
func checkChangedValidate[O interface{ Validate() error }](t *testing.T, defaults func() O, tests []changeCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaults()
			tt.change(&o)
			err := o.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestTrainOptionsValidate(t *testing.T) {
	checkChangedValidate(t, DefaultTrainOptions, []changeCase[TrainOptions]{
		{"zero takes the defaults", func(o *TrainOptions) { *o = TrainOptions{} }, ""},
		{"the defaults", func(*TrainOptions) {}, ""},
		{"the demo's", func(o *TrainOptions) { *o = DemoTrainOptions() }, ""},
		{"from scratch", func(o *TrainOptions) { o.FromScratch, o.ScratchLayers, o.ScratchHidden = true, 1, 32 }, ""},
		{"every bound at its edge", func(o *TrainOptions) {
			o.LR, o.Epochs, o.MaxSteps, o.BatchSize, o.MaxLen, o.KeepLayers = 1, 100, 10_000_000, 1024, 16, 128
			o.ValQueries, o.PlainShare, o.Precision, o.PairFormat, o.WarmStart = -1, 1, "bf16", "plain", 10
		}, ""},
		{"negative learning rate", func(o *TrainOptions) { o.LR = -2e-5 }, "learning rate (--lr) -2e-05: want above 0, at most 1"},
		{"learning rate above 1", func(o *TrainOptions) { o.LR = 2 }, "learning rate (--lr) 2"},
		{"learning rate NaN", func(o *TrainOptions) { o.LR = math.NaN() }, "learning rate (--lr) NaN"},
		{"negative epochs", func(o *TrainOptions) { o.Epochs = -1 }, "epochs (--epochs) -1: want 1 to 100"},
		{"too many epochs", func(o *TrainOptions) { o.Epochs = 101 }, "epochs (--epochs) 101"},
		{"negative steps", func(o *TrainOptions) { o.MaxSteps = -5 }, "max steps (--steps) -5: want 0 (all epochs) to 10000000"},
		{"negative batch", func(o *TrainOptions) { o.BatchSize = -16 }, "batch size (--batch) -16: want 1 to 1024"},
		{"huge batch", func(o *TrainOptions) { o.BatchSize = 5000 }, "batch size (--batch) 5000"},
		{"short max length", func(o *TrainOptions) { o.MaxLen = 8 }, "max length (--max-len) 8: want 16 to 8192 tokens"},
		{"long max length", func(o *TrainOptions) { o.MaxLen = 10000 }, "max length (--max-len) 10000"},
		{"negative layers", func(o *TrainOptions) { o.KeepLayers = -1 }, "layers to keep (--layers) -1: want 0 (all) to 128"},
		{"negative eval interval", func(o *TrainOptions) { o.EvalEvery = -1 }, "steps between validations (--eval-every) -1"},
		{"negative patience", func(o *TrainOptions) { o.Patience = -1 }, "patience (--patience) -1"},
		{"negative checkpoint interval", func(o *TrainOptions) { o.CheckpointEvery = -1 }, "steps between checkpoints -1: want 1 or more"},
		{"validation queries below -1", func(o *TrainOptions) { o.ValQueries = -2 }, "validation queries (--val-queries) -2: want -1 (all) or more"},
		{"negative validation depth", func(o *TrainOptions) { o.ValDepth = -30 }, "validation depth (--val-depth) -30"},
		{"negative scratch layers", func(o *TrainOptions) { o.ScratchLayers = -2 }, "layers from scratch (--scratch-layers) -2"},
		{"scratch hidden its heads do not divide", func(o *TrainOptions) { o.ScratchHidden = 200 }, "hidden size from scratch (--scratch-hidden) 200"},
		{"negative positive weight", func(o *TrainOptions) { o.PosWeight = -1 }, "positive weight -1"},
		{"unknown precision", func(o *TrainOptions) { o.Precision = "fp8" }, "precision (--precision) fp8: want auto, f32 or bf16"},
		{"unknown pair format", func(o *TrainOptions) { o.PairFormat = "json" }, "pair format (--pair-format) json: want structured or plain"},
		{"negative memory budget", func(o *TrainOptions) { o.MaxMemoryMB = -1 }, "memory budget (--max-memory) -1"},
		{"negative warm start", func(o *TrainOptions) { o.WarmStart = -3 }, "warm-start steps (--warm-start) -3"},
		{"plain share above 1", func(o *TrainOptions) { o.PlainShare = 1.5 }, "plain share (--plain-share) 1.5: want 0 to 1"},
		{"negative plain share", func(o *TrainOptions) { o.PlainShare = -0.1 }, "plain share (--plain-share) -0.1"},
	})
}

func TestBiEncoderOptionsValidate(t *testing.T) {
	checkChangedValidate(t, DefaultBiEncoderOptions, []changeCase[BiEncoderOptions]{
		{"zero takes the defaults", func(o *BiEncoderOptions) { *o = BiEncoderOptions{} }, ""},
		{"the defaults", func(*BiEncoderOptions) {}, ""},
		{"in-batch negatives only, one way", func(o *BiEncoderOptions) { o.Negatives, o.OneWay = -1, true }, ""},
		{"negative learning rate", func(o *BiEncoderOptions) { o.LR = -1 }, "learning rate (--lr) -1"},
		{"short max length", func(o *BiEncoderOptions) { o.MaxLen = 4 }, "max length (--max-len) 4"},
		{"huge batch", func(o *BiEncoderOptions) { o.BatchSize = 2048 }, "batch size (--batch) 2048"},
		{"negative scale", func(o *BiEncoderOptions) { o.Scale = -20 }, "cosine scale (--scale) -20: want above 0"},
		{"infinite scale", func(o *BiEncoderOptions) { o.Scale = math.Inf(1) }, "cosine scale (--scale) +Inf"},
		{"negatives below -1", func(o *BiEncoderOptions) { o.Negatives = -2 }, "hard negatives per example (--negatives) -2: want -1 (in-batch only) or more"},
	})
}

func TestBiEncoderOptionsDefaults(t *testing.T) {
	def := DefaultBiEncoderOptions()
	assert.Equal(t, def, BiEncoderOptions{}.withDefaults())
	assert.Equal(t, embedMaxLen, def.MaxLen, "tokens per ticket")
	assert.Equal(t, 20.0, def.Scale, "sentence-transformers' scale")
	assert.Equal(t, 1, def.Negatives)
	cross := DefaultTrainOptions().RunOptions
	cross.MaxLen = def.MaxLen
	assert.Equal(t, cross, def.RunOptions, "the run defaults are the cross-encoder's but for the max length")
	kept := BiEncoderOptions{RunOptions: RunOptions{LR: 1e-3, MaxLen: 32}, Negatives: -1}.withDefaults()
	assert.Equal(t, 1e-3, kept.LR)
	assert.Equal(t, 32, kept.MaxLen)
	assert.Equal(t, -1, kept.Negatives)
}

// Train and TrainBiEncoder refuse to start a run with options out of
// bounds, before any work, and record nothing.
func TestTrainingRefusesOptionsOutOfBounds(t *testing.T) {
	ctx := context.Background()
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	var oe *OptionError
	_, err = p.Train(ctx, TrainOptions{PlainShare: 2}, nil)
	require.ErrorAs(t, err, &oe)
	assert.EqualError(t, err, "train: plain share (--plain-share) 2: want 0 to 1")
	_, err = p.TrainBiEncoder(ctx, BiEncoderOptions{Scale: -1}, nil)
	require.ErrorAs(t, err, &oe)
	assert.EqualError(t, err, "train bi-encoder: cosine scale (--scale) -1: want above 0")
	runs, err := p.Runs()
	require.NoError(t, err)
	assert.Empty(t, runs)
	bi, err := p.BiEncoderRuns()
	require.NoError(t, err)
	assert.Empty(t, bi)
}
