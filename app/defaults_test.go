package app

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrainOptionsDefaults(t *testing.T) {
	def := DefaultTrainOptions()
	scratch := def
	scratch.FromScratch, scratch.LR = true, ScratchLR
	kept := def
	kept.LR, kept.BatchSize = 3e-5, 8
	tests := []struct {
		name string
		in   TrainOptions
		want TrainOptions
	}{
		{"zero takes every default", TrainOptions{}, def},
		{"from scratch takes the scratch learning rate", TrainOptions{FromScratch: true}, scratch},
		{"given values are kept", TrainOptions{RunOptions: RunOptions{LR: 3e-5, BatchSize: 8}}, kept},
		{"the demo's options are already complete", DemoTrainOptions(), DemoTrainOptions()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	demo := DemoTrainOptions()
	assert.Equal(t, 2, demo.KeepLayers)
	assert.Equal(t, 128, demo.MaxLen)
	assert.Equal(t, def.BatchSize, demo.BatchSize, "the demo changes sizes, not the batch")
}

func TestCheckMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		mb      int
		wantErr string
	}{
		{0, ""}, {MinMemoryLimitMB, ""}, {16384, ""},
		{-1, "whole number"}, {MinMemoryLimitMB - 1, "at least 256 MiB"},
	} {
		err := CheckMemoryLimit(tc.mb)
		if tc.wantErr == "" {
			assert.NoError(t, err, tc.mb)
			continue
		}
		assert.ErrorContains(t, err, tc.wantErr, tc.mb)
	}
}

func TestEvalOptionsDefaults(t *testing.T) {
	def := DefaultEvalOptions()
	quick := EvalOptions{Run: "run-1", Depth: 10, MaxQueries: 8, Permutations: 200, Resamples: 100, Backend: "go", NoRanker: true}
	tests := []struct {
		name string
		in   EvalOptions
		want EvalOptions
	}{
		{"zero takes every default", EvalOptions{}, def},
		{"the defaults are complete", def, def},
		{"given values are kept", quick, quick},
		{"a zero field among given ones takes its default", EvalOptions{Depth: 10}, EvalOptions{Run: def.Run, Depth: 10, Permutations: def.Permutations, Resamples: def.Resamples}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestEvalOptionsValidate(t *testing.T) {
	tests := []struct {
		name      string
		in        EvalOptions
		wantField string // "" = valid
		wantMsg   string
	}{
		{"zero is valid: every field takes its default", EvalOptions{}, "", ""},
		{"a quick evaluation", EvalOptions{Depth: 5, MaxQueries: 4, Permutations: 100, Resamples: 50, Precision: "F32", NoBaseline: true}, "", ""},
		{"auto precision", EvalOptions{Precision: " auto "}, "", ""},
		{"bf16", EvalOptions{Precision: "bf16"}, "", ""},
		{"negative depth", EvalOptions{Depth: -1}, "depth", "depth -1: want candidates per query, 1 or more (0 = 50)"},
		{"negative query cap", EvalOptions{MaxQueries: -5}, "max_queries", "max_queries -5: want test queries"},
		{"negative permutations", EvalOptions{Permutations: -1}, "permutations", "(0 = 10000)"},
		{"negative resamples", EvalOptions{Resamples: -2}, "resamples", "(0 = 2000)"},
		{"unknown precision", EvalOptions{Precision: "fp16"}, "precision", "precision fp16: want auto, f32 or bf16"},
		{"baseline and no baseline", EvalOptions{Baseline: true, NoBaseline: true}, "baseline", "baseline and no_baseline exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.wantField == "" {
				assert.NoError(t, err)
				return
			}
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tt.wantField, oe.Field)
			assert.Contains(t, err.Error(), tt.wantMsg)
			flag := oe.Named(func(f string) string { return "--" + strings.ReplaceAll(f, "_", "-") })
			assert.True(t, strings.HasPrefix(flag, "--"+strings.ReplaceAll(tt.wantField, "_", "-")+" "), flag)
		})
	}
	// Evaluate refuses them before it reads anything: this project is empty.
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, err = p.Evaluate(context.Background(), EvalOptions{Depth: -1}, nil)
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "depth", oe.Field)
}
