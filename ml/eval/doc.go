// Package eval scores rankings: MRR@10, nDCG@10, Recall@k and MAP per query
// and on average, a paired randomization test and a bootstrap confidence
// interval for the difference between two systems, TREC run/qrels files that
// trec_eval and ranx read, and the Markdown/HTML report.
//
// Conventions (trec_eval's): relevance is binary; a query whose relevant set
// is empty is left out (its metrics are undefined); a relevant ticket missing
// from the candidate list counts as not retrieved, so Recall and nDCG are
// computed against every relevant ticket, not only those retrieved.
// Ties in score are broken by the candidate's first-stage rank (earlier rank
// wins), then by ID, so every system ranks the same list deterministically.
package eval
