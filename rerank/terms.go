package rerank

import "strings"

// MaxSharedTerms bounds the shared words shown as evidence (Evidence.Terms,
// the Evaluation panel's "why this match"): enough to show the overlap, few
// enough to read at a glance.
const MaxSharedTerms = 8

// SharedTerms lists up to n distinct words of a that b also uses, in a's
// order: lower-cased runs of letters, digits and - . _ (trimmed of - . _),
// four characters or more, without the stop words.
func SharedTerms(a, b string, n int) []string {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_')
		})
	}
	inB := map[string]bool{}
	for _, w := range words(b) {
		inB[strings.Trim(w, ".-_")] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range words(a) {
		w = strings.Trim(w, ".-_")
		if len(w) < 4 || seen[w] || !inB[w] || stopWords[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == n {
			break
		}
	}
	return out
}

// stopWords are words every ticket uses: sharing them says nothing.
var stopWords = map[string]bool{"that": true, "this": true, "with": true, "from": true, "have": true, "were": true,
	"been": true, "alert": true, "ticket": true, "user": true, "host": true}
