package importer

import (
	"fmt"
	"sort"
	"strings"
)

// Choice is how auto-detection filled one field: the column it took, the
// best one it passed over, and a doubt when the column's values do not
// look like the field (see fits).
type Choice struct {
	Field    string `json:"field"`
	Column   string `json:"column,omitempty"`    // "" when no column answers to the field
	By       string `json:"by"`                  // preset NAME, name, path, last key, word, or given (--map)
	RunnerUp string `json:"runner_up,omitempty"` // the next candidate, if any
	Doubt    string `json:"doubt,omitempty"`     // why the choice may be wrong
}

// String is one line of an import summary.
func (c Choice) String() string {
	s := c.Field + "=" + quoteName(c.Column) + " (" + c.By
	if c.RunnerUp != "" {
		s += "; runner-up " + quoteName(c.RunnerUp)
	}
	s += ")"
	if c.Doubt != "" {
		s += " DOUBTFUL: " + c.Doubt
	}
	return s
}

// levelNames name aliases' levels (see aliases) and the word level.
var levelNames = []string{"name", "path", "last key", "word"}

// wordFields are the fields a column may answer to by the last word of
// its last key alone (fields.customfield_rule is the rule, src_host a
// host): kinds of value that exports prefix freely.
var wordFields = map[string]bool{"rule": true, "severity": true, "host": true}

// DetectMapping guesses a mapping from a file's column names (for JSON,
// the dotted paths of its records); see detectMapping.
func DetectMapping(columns []string) Mapping {
	m, _ := detectMapping(columns, nil, nil)
	return m
}

// candidate is a column that answers to a field.
type candidate struct {
	col    string
	preset bool
	level  int // alias level, or len(levelNames)-1 for a word
	syn    int // index of the synonym it answers to
	depth  int
	order  int
}

// detectMapping guesses a mapping from column names and, when given, the
// sampled values' stats: the preset that matches most columns gives its
// columns, synonyms fill the rest, and for each field the first
// candidate whose values look like the field wins (a rule with many
// distinct values over one with two; a long description over a short
// one). Columns of nested related entities (a parent, a milestone, a
// linked issue: see relatedEntities) are never candidates, no column
// fills two fields, and reserved columns (given by the user for other
// fields) are left alone. Columns inside arrays of objects are only
// candidates for comments (the whole array) and rule (labels[].name).
func detectMapping(columns []string, stats map[string]*colStats, reserved map[string]bool) (Mapping, []Choice) {
	related := relatedEntities(columns)
	eligible := func(c string) bool { return !underAny(c, related) && !underRelatedKey(c) }
	byNorm := map[string][]string{}
	for _, c := range columns {
		if eligible(c) {
			byNorm[norm(c)] = append(byNorm[norm(c)], c)
		}
	}
	used := map[string]bool{}
	for c := range reserved {
		used[c] = true
	}
	best, bestScore := "", 0
	for _, name := range presetOrder {
		score := 0
		for _, alts := range presets[name] {
			for _, a := range alts {
				if len(byNorm[norm(a)]) > 0 {
					score++
					break
				}
			}
		}
		if score > bestScore {
			best, bestScore = name, score
		}
	}
	if bestScore < 3 {
		best = ""
	}
	// Every eligible column's best alias per synonym.
	type hit struct {
		level, depth, order int
	}
	bySyn := map[string]map[string]hit{}
	addHit := func(a, c string, h hit) {
		if bySyn[a] == nil {
			bySyn[a] = map[string]hit{}
		}
		if old, ok := bySyn[a][c]; !ok || h.level < old.level {
			bySyn[a][c] = h
		}
	}
	for i, c := range columns {
		if !eligible(c) {
			continue
		}
		if strings.Contains(c, "[]") && !strings.HasSuffix(c, "[]") && !ruleListColumn(c) {
			continue
		}
		for level, a := range aliases(c) {
			addHit(a, c, hit{level, strings.Count(c, "."), i})
		}
		segs := strings.Split(c, ".")
		if w := words(segs[len(segs)-1]); len(w) > 1 {
			addHit(w[len(w)-1], c, hit{len(levelNames) - 1, strings.Count(c, "."), i})
		}
	}
	m := Mapping{}
	var choices []Choice
	for _, f := range detectOrder {
		var cands []candidate
		if best != "" {
			for k, a := range presets[best][f] {
				for _, c := range byNorm[norm(a)] {
					if strings.HasSuffix(c, "[]") == (f == "comments") || !isJSONPath(c) {
						cands = append(cands, candidate{col: c, preset: true, syn: k})
					}
				}
			}
		}
		for si, syn := range synonyms[f] {
			for c, h := range bySyn[syn] {
				if h.level == len(levelNames)-1 && !wordFields[f] {
					continue
				}
				if strings.HasSuffix(c, "[]") != (f == "comments") || f != "rule" && strings.Contains(strings.TrimSuffix(c, "[]"), "[]") {
					continue
				}
				cands = append(cands, candidate{col: c, level: h.level, syn: si, depth: h.depth, order: h.order})
			}
		}
		sort.SliceStable(cands, func(i, j int) bool {
			a, b := cands[i], cands[j]
			if a.preset != b.preset {
				return a.preset
			}
			if a.preset {
				return a.syn < b.syn
			}
			// Whole names over stripped paths over last keys over words,
			// then the synonym's rank, shallow columns, the file's order.
			if (a.level == len(levelNames)-1) != (b.level == len(levelNames)-1) {
				return b.level == len(levelNames)-1
			}
			if a.syn != b.syn {
				return a.syn < b.syn
			}
			if a.level != b.level {
				return a.level < b.level
			}
			if a.depth != b.depth {
				return a.depth < b.depth
			}
			return a.order < b.order
		})
		cands = uniqueCandidates(cands, used)
		kept := cands[:0]
		for _, c := range cands {
			if never, why := wrongKind(f, stats[c.col]); never {
				choices = append(choices, Choice{Field: f, By: "not mapped", RunnerUp: c.col, Doubt: c.col + ": " + why})
				continue
			}
			kept = append(kept, c)
		}
		cands = kept
		if len(cands) == 0 {
			continue
		}
		pick, doubt := 0, ""
		if ok, why := fits(f, stats[cands[0].col]); !ok {
			doubt = why
			for k := 1; k < len(cands); k++ {
				if ok, _ := fits(f, stats[cands[k].col]); ok {
					pick, doubt = k, ""
					break
				}
			}
		}
		p := cands[pick]
		ch := Choice{Field: f, Column: p.col, By: by(p, best, cands[0], pick > 0)}
		if doubt != "" {
			ch.Doubt = fmt.Sprintf("%s: %s", p.col, doubt)
		}
		for k, c := range cands {
			if k != pick {
				ch.RunnerUp = c.col
				break
			}
		}
		m[f] = []string{p.col}
		used[p.col] = true
		if p.preset {
			// The preset's later columns stay as per-row fallbacks.
			for _, c := range cands[pick+1:] {
				if c.preset && !used[c.col] {
					if ok, _ := fits(f, stats[c.col]); ok {
						m[f] = append(m[f], c.col)
						used[c.col] = true
					}
				}
			}
		}
		choices = append(choices, ch)
	}
	sort.SliceStable(choices, func(i, j int) bool { return fieldIndex(choices[i].Field) < fieldIndex(choices[j].Field) })
	return m, choices
}

// by says how a candidate was chosen.
func by(c candidate, preset string, first candidate, passedOver bool) string {
	var s string
	switch {
	case c.preset:
		s = "preset " + preset
	default:
		s = levelNames[c.level]
	}
	if passedOver {
		s += fmt.Sprintf(", its values fit better than %s's", quoteName(first.col))
	}
	return s
}

// uniqueCandidates drops used columns and repeats, keeping the order.
func uniqueCandidates(cands []candidate, used map[string]bool) []candidate {
	seen := map[string]bool{}
	out := cands[:0]
	for _, c := range cands {
		if used[c.col] || seen[c.col] {
			continue
		}
		seen[c.col] = true
		out = append(out, c)
	}
	return out
}

// ruleListColumn reports whether a column inside an array of objects is
// a list of labels, tags or components, which a rule may be.
func ruleListColumn(c string) bool {
	a := aliases(c)
	switch a[len(a)-1] {
	case "labels", "tags", "components", "component":
		return true
	}
	return false
}

func fieldIndex(f string) int {
	for i, x := range Fields {
		if x == f {
			return i
		}
	}
	return len(Fields)
}

// isJSONPath reports whether a column name is a nested path, where "[]"
// marks an array; CSV headers are taken as they are.
func isJSONPath(c string) bool { return strings.ContainsAny(c, ".[") }
