package app

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
