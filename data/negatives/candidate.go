// Package negatives selects hard negatives for training from first-stage
// candidate lists. It is pure: candidates and tickets in, negatives and
// counters out; it never imports ml/ and never touches storage.
package negatives

// Candidate is one document the first stage returned for a query.
// ml/retrieve produces these; they live here so data never imports ml.
type Candidate struct {
	ID    string  `json:"id"`
	Score float32 `json:"score"` // first-stage score; higher is more similar
	Rank  int     `json:"rank"`  // 1-based position in the query's list
}
