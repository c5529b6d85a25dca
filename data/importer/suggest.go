package importer

import (
	"fmt"
	"strings"
)

// nearest is the column a mistyped name most likely meant: one that
// answers to the same normalised name or alias (cc for cc[].email), else
// one that contains it or that it contains, else the closest by edit
// distance if that is under half the name's length; "" when none is near.
func nearest(name string, columns []string) string {
	n := norm(name)
	if n == "" {
		return ""
	}
	for _, c := range columns {
		for _, a := range aliases(c) {
			if a == n {
				return c
			}
		}
	}
	for _, c := range columns {
		if strings.HasPrefix(c, name+".") || strings.HasPrefix(c, name+"[]") {
			return c
		}
	}
	best, bestD := "", len(n)/2
	for _, c := range columns {
		nc := norm(c)
		if strings.Contains(nc, n) || strings.Contains(n, nc) && len(nc) > 2 {
			return c
		}
		if d := editDistance(n, nc); d < bestD || d == bestD && best == "" && d < len(n)/2 {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean is ` (did you mean "X"?)` for the nearest column, or "".
func didYouMean(name string, columns []string) string {
	if c := nearest(name, columns); c != "" {
		return fmt.Sprintf(" (did you mean %s?)", quoteName(c))
	}
	return ""
}

// matchesColumn reports whether a user's column name names a column of
// the file: exactly, ignoring case and spacing, or as the object or array
// that holds columns (cc for cc[].email, fields.assignee for
// fields.assignee.displayName).
func matchesColumn(name string, columns []string) bool {
	n := norm(name)
	for _, c := range columns {
		if c == name || norm(c) == n || strings.HasPrefix(c, name+".") || strings.HasPrefix(c, name+"[]") {
			return true
		}
	}
	return false
}

// CheckVisible refuses visibility overrides that name no column (see
// Options.CheckVisible), suggesting the nearest one; columns may be the
// union of several files'.
func CheckVisible(names []string, columns []string) error { return checkVisible(names, columns) }

func checkVisible(names []string, columns []string) error {
	for _, name := range names {
		if !matchesColumn(name, columns) {
			return fmt.Errorf("--visible %s: no such column%s", quoteName(name), didYouMean(name, columns))
		}
	}
	return nil
}
