package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

// train and demo refuse options out of bounds before any work, naming the flag.
func TestTrainFlagsValidated(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--batch", "5000"}, "train: batch size (--batch) 5000: want 1 to 1024"},
		{[]string{"train", "--lr", "-1"}, "learning rate (--lr) -1"},
		{[]string{"train", "--plain-share", "2"}, "plain share (--plain-share) 2: want 0 to 1"},
		{[]string{"train", "--kind", "bi-encoder", "--scale", "-1"}, "train --kind bi-encoder: cosine scale (--scale) -1"},
		{[]string{"train", "--kind", "bi-encoder", "--negatives", "-2"}, "hard negatives per example (--negatives) -2"},
		{[]string{"demo", "--max-len", "8"}, "demo: max length (--max-len) 8"},
	} {
		code, stderr := captureStderr(t, tc.args...)
		assert.Equal(t, 1, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}

// `train --kind bi-encoder` defaults to app.DefaultBiEncoderOptions; the
// run flags it shares with the cross-encoder carry over, but for the max
// length and learning rate, which keep the bi-encoder's defaults unless given.
func TestBiEncoderFlagDefaults(t *testing.T) {
	tuned := app.DefaultBiEncoderOptions()
	tuned.MaxLen, tuned.LR, tuned.BatchSize, tuned.Scale, tuned.OneWay = 64, 1e-4, 8, 10, true
	tests := []struct {
		name string
		args []string
		want app.BiEncoderOptions
	}{
		{"defaults", nil, app.DefaultBiEncoderOptions()},
		{"given", []string{"--max-len", "64", "--lr", "1e-4", "--batch", "8", "--scale", "10", "--one-way"}, tuned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFlags("train", "[flags]", "test", 0, 0)
			var o app.TrainOptions
			trainFlags(f, &o, app.DefaultTrainOptions())
			b := biEncoderFlags(f)
			require.NoError(t, f.parse(tt.args))
			got, err := biEncoderOptions(f, o, b)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	f := newFlags("train", "[flags]", "test", 0, 0)
	var o app.TrainOptions
	trainFlags(f, &o, app.DefaultTrainOptions())
	b := biEncoderFlags(f)
	require.NoError(t, f.parse([]string{"--pair-format", "plain"}))
	_, err := biEncoderOptions(f, o, b)
	assert.ErrorContains(t, err, "--pair-format applies to the cross-encoder only")
}

// --micro-batch defaults to app's; 0 asks for the whole batch in one pass,
// which app's options say with a micro-batch of the batch's size.
func TestMicroBatchFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, app.DefaultTrainOptions().MicroBatch},
		{[]string{"--micro-batch", "4"}, 4},
		{[]string{"--micro-batch", "0"}, 16},
		{[]string{"--micro-batch", "0", "--batch", "32"}, 32},
	} {
		f := newFlags("train", "[flags]", "test", 0, 0)
		var o app.TrainOptions
		trainFlags(f, &o, app.DefaultTrainOptions())
		require.NoError(t, f.parse(tc.args))
		wholeBatch(&o)
		assert.Equal(t, tc.want, o.MicroBatch, tc.args)
		assert.NoError(t, o.Validate(), tc.args)
	}
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	code, stderr := captureStderr(t, "train", "--micro-batch", "-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "micro-batch (--micro-batch) -1: want 0 (the whole batch) to the batch size, 16")
	code, stderr = captureStderr(t, "train", "--kind", "bi-encoder", "--micro-batch", "4")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--micro-batch applies to the cross-encoder only")
}
