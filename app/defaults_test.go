package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
