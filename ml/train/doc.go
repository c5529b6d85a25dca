// Package train fine-tunes a cross-encoder reranker ([Train]) or a
// bi-encoder ([TrainContrastive]) with GoMLX. The cross-encoder: binary
// cross-entropy on logits with a positive-class weight, AdamW with decoupled
// weight decay (none for biases and LayerNorm), global-norm gradient clipping,
// linear warmup then linear decay, periodic validation with early stopping,
// and atomic checkpoints that resume to the same result as an uninterrupted
// run.
//
// The bi-encoder: [ContrastiveLoss], the symmetric multiple-negatives
// ranking loss over scaled cosines, each query against every document of
// the batch (the other queries' positives and all hard negatives, minus
// those known relevant to it), with the same optimizer, schedule,
// validation, checkpoints and events; data comes through [PairSet].
//
// The caller provides tokenized batches through [TrainSet]; Train shuffles
// indices deterministically from (Seed, epoch), pads every batch to
// Config.BatchSize rows and to a few sequence-length buckets (multiples of
// 16) so the compiled step is reused, and reports [Event]s as it goes.
// With Config.MicroBatch below the batch, the cross-encoder's step runs in
// passes of MicroBatch rows (each padded to MicroBatch rows and its own
// length bucket) whose gradients add up to the batch's before one AdamW
// update: the same loss, with one pass's activations in memory at a time.
// The bi-encoder's loss compares every query with the whole batch, so it
// always trains a batch in one pass.
//
// Files under Config.Dir:
//
//	curve.jsonl      one Point per line: step, loss, lr, examples/s, val metric
//	checkpoint/      the latest resumable state (weights, Adam moments, RNG, data position)
//	best/            the model variables with the best validation metric so far
//
// Each folder is written into a temporary sibling and renamed into place, so a
// crash leaves either the previous or the new state, never a mix.
package train
