package train

import (
	"errors"
	"fmt"
	"math"
)

// Config holds the hyperparameters of one training run; start from
// DefaultConfig, since a zero WeightDecay, WarmupFrac, ClipNorm or Patience
// switches that feature off.
type Config struct {
	LR              float64 // peak learning rate reached after warmup
	WeightDecay     float64 // decoupled AdamW decay; never applied to biases or norm weights
	WarmupFrac      float64 // fraction of the total steps spent warming up linearly from 0
	ClipNorm        float64 // clip gradients to this global L2 norm; 0 disables
	Beta1, Beta2    float64 // Adam moment decay rates
	Epsilon         float64 // Adam denominator stabilizer
	BatchSize       int     // rows per step (one optimizer update); a one-pass step is padded to exactly this many rows
	MicroBatch      int     // rows per forward/backward pass when 0 < MicroBatch < BatchSize: a step accumulates its gradient over ceil(BatchSize/MicroBatch) passes, so activation memory follows MicroBatch (0 or ≥ BatchSize: one pass)
	Epochs          int     // passes over the training set
	MaxSteps        int     // stop after this many steps in total; 0 runs all epochs
	PosWeight       float64 // loss weight of positive rows; 0 = negatives per positive (see Labeled), else 1
	Seed            int64   // drives data order and dropout
	EvalEvery       int     // steps between validations; 0 validates at the end of each epoch
	Patience        int     // validations without improvement before stopping; 0 never stops early
	CheckpointEvery int     // steps between checkpoints; 0 checkpoints only on stop and at the end
	Dir             string  // run folder for curve.jsonl, checkpoint/ and best/; "" writes nothing
}

// DefaultConfig returns the usual cross-encoder fine-tuning settings
// (the sentence-transformers CrossEncoder defaults).
func DefaultConfig() Config {
	return Config{
		LR:          2e-5,
		WeightDecay: 0.01,
		WarmupFrac:  0.1,
		ClipNorm:    1.0,
		Beta1:       0.9,
		Beta2:       0.999,
		Epsilon:     1e-8,
		BatchSize:   16,
		Epochs:      1,
		Patience:    3,
		Seed:        42,
	}
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid training config")

// check reports the first field that cannot be trained with.
func (c Config) check() error {
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("%w: %s = %v: %s", ErrConfig, field, v, why)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case !finite(c.LR) || c.LR <= 0:
		return bad("LR", c.LR, "must be > 0")
	case !finite(c.WeightDecay) || c.WeightDecay < 0:
		return bad("WeightDecay", c.WeightDecay, "must be >= 0")
	case !finite(c.WarmupFrac) || c.WarmupFrac < 0 || c.WarmupFrac > 1:
		return bad("WarmupFrac", c.WarmupFrac, "must be in [0, 1]")
	case !finite(c.ClipNorm) || c.ClipNorm < 0:
		return bad("ClipNorm", c.ClipNorm, "must be >= 0")
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return bad("Beta1", c.Beta1, "must be in [0, 1)")
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return bad("Beta2", c.Beta2, "must be in [0, 1)")
	case !finite(c.Epsilon) || c.Epsilon <= 0:
		return bad("Epsilon", c.Epsilon, "must be > 0")
	case c.BatchSize <= 0:
		return bad("BatchSize", c.BatchSize, "must be > 0")
	case c.MicroBatch < 0:
		return bad("MicroBatch", c.MicroBatch, "must be >= 0 (0 = the whole batch in one pass)")
	case c.Epochs <= 0:
		return bad("Epochs", c.Epochs, "must be > 0")
	case c.MaxSteps < 0:
		return bad("MaxSteps", c.MaxSteps, "must be >= 0")
	case !finite(c.PosWeight) || c.PosWeight < 0:
		return bad("PosWeight", c.PosWeight, "must be >= 0")
	case c.EvalEvery < 0:
		return bad("EvalEvery", c.EvalEvery, "must be >= 0")
	case c.Patience < 0:
		return bad("Patience", c.Patience, "must be >= 0")
	case c.CheckpointEvery < 0:
		return bad("CheckpointEvery", c.CheckpointEvery, "must be >= 0")
	}
	return nil
}

// accumulates reports whether a step runs in several passes of MicroBatch rows.
func (c Config) accumulates() bool {
	return c.MicroBatch > 0 && c.MicroBatch < c.BatchSize
}

// sameTrajectory reports the first field that differs between c and saved
// and changes which numbers a resumed run computes. MicroBatch is not one of
// them: it changes how a step's gradient is computed (the float32 rounding
// of its sums, and which dropout draws each row gets), not the loss it
// minimises, so a run may resume with another micro-batch (to fit memory)
// at the price of not repeating the uninterrupted run bit for bit.
func (c Config) sameTrajectory(saved Config) error {
	type field struct {
		name      string
		now, then any
	}
	for _, f := range []field{
		{"LR", c.LR, saved.LR}, {"WeightDecay", c.WeightDecay, saved.WeightDecay},
		{"WarmupFrac", c.WarmupFrac, saved.WarmupFrac}, {"ClipNorm", c.ClipNorm, saved.ClipNorm},
		{"Beta1", c.Beta1, saved.Beta1}, {"Beta2", c.Beta2, saved.Beta2}, {"Epsilon", c.Epsilon, saved.Epsilon},
		{"BatchSize", c.BatchSize, saved.BatchSize}, {"Epochs", c.Epochs, saved.Epochs},
		{"MaxSteps", c.MaxSteps, saved.MaxSteps}, {"PosWeight", c.PosWeight, saved.PosWeight},
		{"Seed", c.Seed, saved.Seed}, {"EvalEvery", c.EvalEvery, saved.EvalEvery},
	} {
		if f.now != f.then {
			return fmt.Errorf("%w: %s = %v differs from the checkpoint's %v", ErrConfig, f.name, f.now, f.then)
		}
	}
	return nil
}
