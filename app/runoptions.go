package app

import (
	"fmt"
	"math"
)

// RunOptions are the options every training run takes, whatever it
// trains: the starting checkpoint, the run's sizes, its validation and
// what it resumes. TrainOptions and BiEncoderOptions embed them, so a
// stored run's options keep their flat JSON. Zero values take the model's
// defaults (DefaultTrainOptions, DefaultBiEncoderOptions).
type RunOptions struct {
	Model           string  `json:"model"`             // starting checkpoint folder or name (default all-MiniLM-L6-v2)
	KeepLayers      int     `json:"keep_layers"`       // keep only the first N encoder layers (0 = all)
	MaxLen          int     `json:"max_len"`           // tokens per cross-encoder pair (default 256) or per bi-encoder ticket (default 128)
	LR              float64 `json:"lr"`                // peak learning rate (default 2e-5)
	Epochs          int     `json:"epochs"`            // default 1
	BatchSize       int     `json:"batch_size"`        // pairs (bi-encoder: queries) per step (default 16)
	MaxSteps        int     `json:"max_steps"`         // 0 = all epochs
	EvalEvery       int     `json:"eval_every"`        // steps between validations (default: 4 per run)
	Patience        int     `json:"patience"`          // validations without improvement before stopping early (default 3)
	CheckpointEvery int     `json:"checkpoint_every"`  // default 50
	Seed            int64   `json:"seed"`              // default 42
	ValQueries      int     `json:"val_queries"`       // validation queries (default 150; -1 = all)
	ValDepth        int     `json:"val_depth"`         // candidates re-ranked per validation query (default 30)
	Backend         string  `json:"backend,omitempty"` // "" = project setting / automatic
	Resume          string  `json:"resume,omitempty"`  // run ID to resume ("last" = the newest run)
}

// defaultRunOptions are the defaults both models share; only the max
// length differs (a cross-encoder reads a pair, a bi-encoder one ticket).
func defaultRunOptions(maxLen int) RunOptions {
	return RunOptions{MaxLen: maxLen, LR: 2e-5, Epochs: 1, BatchSize: 16, Patience: 3, CheckpointEvery: 50,
		Seed: 42, ValQueries: 150, ValDepth: 30}
}

// withDefaults fills o's zero sizes, seed and learning rate from d.
func (o RunOptions) withDefaults(d RunOptions) RunOptions {
	for _, f := range []struct{ v, d *int }{
		{&o.MaxLen, &d.MaxLen}, {&o.Epochs, &d.Epochs}, {&o.BatchSize, &d.BatchSize}, {&o.Patience, &d.Patience},
		{&o.CheckpointEvery, &d.CheckpointEvery}, {&o.ValQueries, &d.ValQueries}, {&o.ValDepth, &d.ValDepth},
	} {
		if *f.v == 0 {
			*f.v = *f.d
		}
	}
	if o.Seed == 0 {
		o.Seed = d.Seed
	}
	if o.LR == 0 {
		o.LR = d.LR
	}
	return o
}

// Bounds of the options: beyond them a value is a slip, not a choice.
const (
	maxLR         = 1
	maxEpochs     = 100
	maxRunSteps   = 10_000_000
	maxBatchSize  = 1024
	minRunMaxLen  = 16
	maxRunMaxLen  = 8192
	maxKeepLayers = 128
)

// bound is one option's check: whether its value is within bounds, and
// what to report when it is not.
type bound struct {
	ok                 bool
	option, flag, want string
	value              any
}

// firstOutOfBounds reports the first bound that fails, as an *OptionError.
func firstOutOfBounds(bs ...bound) error {
	for _, b := range bs {
		if !b.ok {
			return &OptionError{Option: b.option, Flag: b.flag, Value: b.value, Want: b.want}
		}
	}
	return nil
}

// finite reports whether x is a number other than ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// check reports the first of o's values out of its bounds; o has its
// defaults, so a zero is a value, not a request for the default.
func (o RunOptions) check() error {
	return firstOutOfBounds(
		bound{finite(o.LR) && o.LR > 0 && o.LR <= maxLR, "learning rate", "--lr", "above 0, at most 1", o.LR},
		bound{o.Epochs >= 1 && o.Epochs <= maxEpochs, "epochs", "--epochs", fmt.Sprintf("1 to %d", maxEpochs), o.Epochs},
		bound{o.MaxSteps >= 0 && o.MaxSteps <= maxRunSteps, "max steps", "--steps", fmt.Sprintf("0 (all epochs) to %d", maxRunSteps), o.MaxSteps},
		bound{o.BatchSize >= 1 && o.BatchSize <= maxBatchSize, "batch size", "--batch", fmt.Sprintf("1 to %d", maxBatchSize), o.BatchSize},
		bound{o.MaxLen >= minRunMaxLen && o.MaxLen <= maxRunMaxLen, "max length", "--max-len", fmt.Sprintf("%d to %d tokens", minRunMaxLen, maxRunMaxLen), o.MaxLen},
		bound{o.KeepLayers >= 0 && o.KeepLayers <= maxKeepLayers, "layers to keep", "--layers", fmt.Sprintf("0 (all) to %d", maxKeepLayers), o.KeepLayers},
		bound{o.EvalEvery >= 0, "steps between validations", "--eval-every", "0 (4 per run) or more", o.EvalEvery},
		bound{o.Patience >= 1, "patience", "--patience", "1 or more validations", o.Patience},
		bound{o.CheckpointEvery >= 1, "steps between checkpoints", "", "1 or more", o.CheckpointEvery},
		bound{o.ValQueries >= -1, "validation queries", "--val-queries", "-1 (all) or more", o.ValQueries},
		bound{o.ValDepth >= 1, "validation depth", "--val-depth", "1 or more candidates", o.ValDepth},
	)
}
