// Package retrieve is the first stage: it finds, for each query ticket, the
// archive tickets worth showing to the reranker. BM25 over text and exact
// top-k over embeddings sit behind one Index interface, time-aware so that a
// query only ever sees tickets opened before it.
package retrieve

import (
	"context"
	"time"

	"github.com/precedent/precedent/data/negatives"
)

// Candidate is one retrieved document: ID, score (higher is better) and
// 1-based rank. It is the same type data/negatives consumes.
type Candidate = negatives.Candidate

// Query is one search. Only documents that come before the query are
// returned — opened strictly before Before, or at the same instant with a
// smaller ID (the archive's order, data.Earlier) — with no limit when Before
// is zero, and never a document whose ID equals the query's ID.
type Query struct {
	ID     string
	Text   string    // used by text indexes (BM25)
	Vector []float32 // used by vector indexes (Dense)
	Before time.Time
}

// Doc is one archive ticket, or one version of it, as a text index sees it.
//
// A ticket whose visible text changes over time (close-notes, comments: see
// data.Ticket.Versions) is indexed as one Doc per version with the same ID
// and disjoint visibility: a version is returned only to queries that come
// after Opened (strictly after, whatever the IDs, when Strict) and are opened
// no later than Until (zero: no end).
type Doc struct {
	ID     string
	Text   string
	Opened time.Time
	Until  time.Time
	Strict bool
}

// Index finds the top-k candidates of queries.
//
// Results are ordered best first: higher score first, ties broken by
// smaller ID (byte order), so equal inputs always give equal lists; Rank is
// the 1-based position. An approximate index (HNSW) or an external vector
// database can implement the same interface: it must honour the time filter
// and self-exclusion (e.g. by over-fetching and filtering, or with a
// metadata filter on the opened time) and may return fewer than k results.
type Index interface {
	// Search returns at most k candidates for one query.
	Search(ctx context.Context, q Query, k int) ([]Candidate, error)
	// SearchBatch answers many queries, result i for query i; progress, when
	// not nil, is called from one goroutine at a time with done ≤ total.
	SearchBatch(ctx context.Context, qs []Query, k int, progress func(done, total int)) ([][]Candidate, error)
	// Len is the number of indexed documents.
	Len() int
}

var (
	_ Index = (*BM25)(nil)
	_ Index = (*Dense)(nil)
)
