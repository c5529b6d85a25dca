// Package tally ranks named counts the one way every view of them does
// (the CLI's stats and mining tables, the desktop's bar charts): largest
// first, ties by name, so the same counts always print in the same order.
package tally

import (
	"cmp"
	"slices"
)

// Entry is one name and its count.
type Entry struct {
	Name  string
	Count int
}

// Ranked returns counts as entries, largest count first, equal counts in
// name order. It never returns more entries than counts has keys.
func Ranked(counts map[string]int) []Entry {
	out := make([]Entry, 0, len(counts))
	for name, n := range counts {
		out = append(out, Entry{name, n})
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
