// Package mining turns analysts' close-notes into implicit relevance labels:
// it finds ticket IDs (CompilePatterns), classifies each reference by the cue
// before it, drops self-references, unknown IDs and trivial duplicates,
// orients every link so the positive is the earlier ticket, expands groups of
// tickets that cite each other or a master case under caps — never joining
// two groups through one ticket's citations alone (groupLinks) — and samples the
// positives across detection rules (Mine). EvaluateAgainstTruth scores the
// result on the synthetic archive. Everything here is a pure function.
package mining
