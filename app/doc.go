// Package app is the pipeline as use-cases, shared by the desktop app and the
// CLI: open a project, import, mine, first stage, negatives, train, evaluate,
// export. Each step reports progress through a Progress callback, honours
// context cancellation, and persists its results in the project's store so a
// later step (or a later session) picks them up. ui/ and cmd/ call this
// package, and rerank/ to load and serve an export, and render its events.
package app
