// Package rerank is the serving runtime of an exported cross-encoder: it
// loads a model folder in Hugging Face layout, checks it against its
// manifest.sha256, reads precedent.json (ServingConfig) and the model card,
// renders (query, candidate) pairs exactly as training did, and scores them.
//
// Guarantees: LoadReranker refuses an export whose files changed, were
// truncated or are missing since export (ErrManifest, naming the file); a
// folder without a manifest is a plain checkpoint and loads unverified
// (RerankerInfo.Verified is false). Pairs are rendered by RenderPair, the one
// place training, evaluation and serving turn tickets into model input, with
// the export's ID mask and the as-of-query visibility rule. Encoding is safe
// for concurrent use; Score runs one batch at a time on the model.
//
// Engine is the one scoring engine: a cross-encoder with its PairEncoder,
// scoring length-bucketed batches with progress. Reranker serves through
// it, and app/ trains, evaluates and monitors through it, so a pair is
// encoded and scored the same way everywhere.
//
// The package knows nothing of projects, stores or training: serve/ imports
// it without the pipeline (app/), and app/ uses it to write exports and to
// render and score as serving does.
package rerank
