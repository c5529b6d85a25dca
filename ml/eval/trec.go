package eval

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteRun writes a TREC run file ("qid Q0 docid rank score tag") from each
// query's ranked IDs. Scores are written as descending rank-derived values so
// that trec_eval, which re-sorts by score, reproduces our tie-breaking.
func WriteRun(w io.Writer, tag string, runs map[string][]string) error {
	bw := bufio.NewWriter(w)
	for _, q := range sortedKeys(runs) {
		ranked := runs[q]
		for i, id := range ranked {
			if _, err := fmt.Fprintf(bw, "%s Q0 %s %d %d %s\n", field(q), field(id), i+1, len(ranked)-i, field(tag)); err != nil {
				return fmt.Errorf("write run: %w", err)
			}
		}
	}
	return bw.Flush()
}

// WriteQrels writes a TREC qrels file ("qid 0 docid 1") of relevant IDs.
func WriteQrels(w io.Writer, qrels map[string]map[string]bool) error {
	bw := bufio.NewWriter(w)
	for _, q := range sortedKeys(qrels) {
		ids := make([]string, 0, len(qrels[q]))
		for id, r := range qrels[q] {
			if r {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			if _, err := fmt.Fprintf(bw, "%s 0 %s 1\n", field(q), field(id)); err != nil {
				return fmt.Errorf("write qrels: %w", err)
			}
		}
	}
	return bw.Flush()
}

// field keeps a value to one whitespace-free TREC column.
func field(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Join(strings.Fields(s), "_")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
