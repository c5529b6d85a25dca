package mining

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pattern is one named regular expression that recognises ticket IDs in text.
type Pattern struct {
	Name string // preset name, or "custom-N" for user expressions
	Expr string // RE2 syntax, without anchors or word boundaries
}

// Presets are the built-in ID patterns, by name.
var Presets = map[string]Pattern{
	"servicenow":     {Name: "servicenow", Expr: `INC\d{7}`},
	"servicenow-any": {Name: "servicenow-any", Expr: `[A-Z]{2,4}\d{7}`},
	"jira":           {Name: "jira", Expr: `[A-Z][A-Z0-9]+-\d+`},
	"generic":        {Name: "generic", Expr: `#\d+`},
	"cve":            {Name: "cve", Expr: `CVE-\d{4}-\d{4,7}`},
}

// upperPresets are the presets whose IDs are canonically upper-case.
var upperPresets = map[string]bool{"servicenow": true, "servicenow-any": true, "jira": true, "cve": true}

// Matcher finds ticket IDs in text with several patterns at once,
// case-insensitively and only at word boundaries.
type Matcher struct {
	pats  []Pattern
	res   []*regexp.Regexp
	upper []bool
}

// Mention is one ID found in a text.
type Mention struct {
	Raw     string // the text as written
	ID      string // Raw in canonical case (upper-case for upper-case presets)
	Pattern string // name of the pattern that found it
	Start   int    // byte offset of Raw in the text
	End     int    // byte offset just after Raw
}

// CompilePatterns compiles the named presets and custom expressions; it fails
// before any work on an unknown preset or a broken expression, naming it.
func CompilePatterns(presets []string, custom []string) (*Matcher, error) {
	m := &Matcher{}
	for _, name := range presets {
		p, ok := Presets[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return nil, fmt.Errorf("pattern preset %q: unknown (known: %s)", name, strings.Join(PresetNames(), ", "))
		}
		if err := m.add(p, upperPresets[p.Name]); err != nil {
			return nil, err
		}
	}
	for i, expr := range custom {
		if err := m.add(Pattern{Name: fmt.Sprintf("custom-%d", i+1), Expr: expr}, false); err != nil {
			return nil, err
		}
	}
	if len(m.pats) == 0 {
		return nil, fmt.Errorf("patterns: none given")
	}
	return m, nil
}

// PresetNames are the names of Presets, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(Presets))
	for n := range Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (m *Matcher) add(p Pattern, upper bool) error {
	if strings.TrimSpace(p.Expr) == "" {
		return fmt.Errorf("pattern %q (%s): empty expression", p.Expr, p.Name)
	}
	// Check the expression alone first so the error names exactly what the user wrote.
	if _, err := regexp.Compile(p.Expr); err != nil {
		return fmt.Errorf("pattern %q: %w", p.Expr, err)
	}
	re, err := regexp.Compile(`(?i)(?:` + p.Expr + `)`)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", p.Expr, err)
	}
	if re.MatchString("") {
		return fmt.Errorf("pattern %q (%s): matches the empty string", p.Expr, p.Name)
	}
	m.pats = append(m.pats, p)
	m.res = append(m.res, re)
	m.upper = append(m.upper, upper)
	return nil
}

// Patterns lists the compiled patterns in order.
func (m *Matcher) Patterns() []Pattern { return append([]Pattern(nil), m.pats...) }

// Find returns the ID mentions in text, in order of position, without overlaps.
// A match counts only at word boundaries: a word character may not touch its
// first or last character, so INC00123456 is no INC0012345, while IDs inside
// URLs (number=INC0012345&, /browse/SEC-2231) are found.
func (m *Matcher) Find(text string) []Mention {
	var out []Mention
	for i, re := range m.res {
		for off := 0; off < len(text); {
			loc := re.FindStringIndex(text[off:])
			if loc == nil {
				break
			}
			s, e := off+loc[0], off+loc[1]
			if e == s { // cannot happen (empty matches rejected), but never loop forever
				break
			}
			if bounded(text, s, e) {
				raw := text[s:e]
				id := raw
				if m.upper[i] {
					id = strings.ToUpper(raw)
				}
				out = append(out, Mention{Raw: raw, ID: id, Pattern: m.pats[i].Name, Start: s, End: e})
				off = e
				continue
			}
			// Retry one rune further so a later bounded match is not hidden by this one.
			_, size := utf8.DecodeRuneInString(text[s:])
			off = s + size
		}
	}
	if len(m.res) == 1 {
		return out
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Start != out[b].Start {
			return out[a].Start < out[b].Start
		}
		return out[a].End > out[b].End
	})
	kept := out[:0]
	lastEnd := -1
	for _, mm := range out {
		if mm.Start < lastEnd {
			continue // overlaps a longer or earlier mention from another pattern
		}
		kept = append(kept, mm)
		lastEnd = mm.End
	}
	return kept
}

// bounded reports whether text[s:e] is not glued to word characters on either
// side; a side whose own edge character is not a word character needs no boundary.
func bounded(text string, s, e int) bool {
	first, _ := utf8.DecodeRuneInString(text[s:])
	if isWord(first) && s > 0 {
		prev, _ := utf8.DecodeLastRuneInString(text[:s])
		if isWord(prev) {
			return false
		}
	}
	last, _ := utf8.DecodeLastRuneInString(text[:e])
	if isWord(last) && e < len(text) {
		next, _ := utf8.DecodeRuneInString(text[e:])
		if isWord(next) {
			return false
		}
	}
	return true
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Replace returns text with every mention replaced by repl.
func (m *Matcher) Replace(text, repl string) string {
	ms := m.Find(text)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for _, mm := range ms {
		b.WriteString(text[prev:mm.Start])
		b.WriteString(repl)
		prev = mm.End
	}
	b.WriteString(text[prev:])
	return b.String()
}
