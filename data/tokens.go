package data

import (
	"strings"
	"unicode"
)

// TokenSet is the set of lower-cased alphanumeric tokens of a text: what
// near-duplicate checks compare.
type TokenSet map[string]struct{}

// Tokens splits text into its TokenSet.
func Tokens(text string) TokenSet {
	s := TokenSet{}
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		s[f] = struct{}{}
	}
	return s
}

// Jaccard is |a∩b| / |a∪b|; an empty set is similar to nothing.
func (a TokenSet) Jaccard(b TokenSet) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	inter := 0
	for t := range a {
		if _, ok := b[t]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
