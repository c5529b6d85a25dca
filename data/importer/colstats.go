package importer

import (
	"fmt"
	"strings"
)

// maxDistinct caps the distinct values colStats counts per column.
const maxDistinct = 1000

// colStats describe a column's sampled values, for telling which of two
// candidates looks like a field: a rule repeats a few dozen values, an ID
// never repeats, a description is long, a time parses.
type colStats struct {
	nonEmpty int
	distinct int
	meanLen  float64
	numbers  int // values that are plain numbers
	values   map[string]bool
	// some are the first non-empty values, read as times only when a
	// time field asks (parsing every sampled value would be slow).
	some  []string
	times int // of some, how many read as times; -1 until asked
}

// maxTimeProbe caps the values per column tried as times.
const maxTimeProbe = 20

// timeShare is how many of a column's first values read as times, and of
// how many.
func (st *colStats) timeShare() (ok, of int) {
	if st.times < 0 {
		st.times = 0
		for _, v := range st.some {
			if looksLikeTime(v) {
				st.times++
			}
		}
	}
	return st.times, len(st.some)
}

// sampleStats computes colStats for every column of the sampled rows.
func sampleStats(rows []row) map[string]*colStats {
	out := map[string]*colStats{}
	total := map[string]int{}
	for _, rw := range rows {
		if rw.bad != "" {
			continue
		}
		for i, n := range rw.names {
			if i >= len(rw.values) {
				break
			}
			v := strings.TrimSpace(rw.values[i])
			st := out[n]
			if st == nil {
				st = &colStats{values: map[string]bool{}, times: -1}
				out[n] = st
			}
			if v == "" {
				continue
			}
			st.nonEmpty++
			total[n] += len([]rune(v))
			if len(st.values) < maxDistinct && !st.values[v] {
				st.values[v] = true
			}
			if isNumber(v) {
				st.numbers++
			}
			if len(st.some) < maxTimeProbe {
				st.some = append(st.some, v)
			}
		}
	}
	for n, st := range out {
		st.distinct = len(st.values)
		if st.nonEmpty > 0 {
			st.meanLen = float64(total[n]) / float64(st.nonEmpty)
		}
		st.values = nil
	}
	return out
}

// looksLikeTime reads s as a time in either day/month order.
func looksLikeTime(s string) bool {
	if _, err := ParseTime(s, nil); err == nil {
		return true
	}
	p := timeParser{order: "dmy"}
	_, err := p.parse(s, nil)
	return err == nil
}

// fits says whether a column's values look like field f, and if not, why
// not. Without sampled values every candidate fits.
func fits(f string, st *colStats) (bool, string) {
	if st == nil {
		return true, ""
	}
	n := st.nonEmpty
	switch f {
	case "id":
		if n == 0 {
			return false, "empty in the sample"
		}
		if st.distinct*10 < n*9 {
			return false, fmt.Sprintf("only %d distinct values in %d sampled rows", st.distinct, n)
		}
	case "opened", "closed":
		if n == 0 {
			if f == "opened" {
				return false, "empty in the sample"
			}
			return true, ""
		}
		if ok, of := st.timeShare(); ok*10 < of*8 {
			return false, fmt.Sprintf("%d of the first %d values read as times", ok, of)
		}
	case "rule":
		if n == 0 {
			return false, "empty in the sample"
		}
		if n >= 10 && st.distinct <= 2 {
			return false, fmt.Sprintf("only %d distinct values in %d sampled rows; a rule has many", st.distinct, n)
		}
	case "severity":
		if n == 0 {
			return false, "empty in the sample"
		}
		if n >= 20 && st.distinct > 20 {
			return false, fmt.Sprintf("%d distinct values in %d sampled rows; a severity has few", st.distinct, n)
		}
	case "title", "host", "user":
		if n == 0 {
			return false, "empty in the sample"
		}
		if f == "title" && st.numbers == n {
			return false, "numbers only"
		}
	case "description":
		if n == 0 {
			return false, "empty in the sample"
		}
		if st.meanLen < 15 {
			return false, fmt.Sprintf("short text (%.0f characters on average); a description is long", st.meanLen)
		}
	case "close_notes":
		if n > 0 && st.numbers == n {
			return false, "numbers only"
		}
	}
	return true, ""
}

// wrongKind says whether a column's values can never be field f, however
// well its name answers: text fields never hold only short numbers
// (GitHub's comments is a count, not the comments).
func wrongKind(f string, st *colStats) (bool, string) {
	if st == nil || st.nonEmpty == 0 || st.numbers < st.nonEmpty || st.meanLen > 12 {
		return false, ""
	}
	switch f {
	case "title", "description", "close_notes", "comments":
		return true, "numbers only (a count?); not mapped"
	}
	return false, ""
}
