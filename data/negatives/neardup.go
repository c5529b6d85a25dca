package negatives

import (
	"strings"
	"time"
	"unicode"

	"github.com/precedent/precedent/data"
)

// NearDup says when a candidate is a same-rule near-duplicate of a reference
// ticket (the query or a positive): same non-empty rule AND (opened within
// SameRuleWithin of it OR token Jaccard of title+description at least
// SameRuleMinSimilarity). Such tickets are usually the same incident seen
// twice, so using them as negatives would teach the model a falsehood.
type NearDup struct {
	SameRuleWithin        time.Duration `json:"same_rule_within"`         // default 72h
	SameRuleMinSimilarity float64       `json:"same_rule_min_similarity"` // default 0.6
}

// DefaultNearDup is the near-duplicate rule used when Options leaves it zero.
var DefaultNearDup = NearDup{SameRuleWithin: 72 * time.Hour, SameRuleMinSimilarity: 0.6}

// tokenSet is the set of lower-cased alphanumeric tokens of a text.
type tokenSet map[string]struct{}

func newTokenSet(text string) tokenSet {
	s := tokenSet{}
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		s[f] = struct{}{}
	}
	return s
}

// Jaccard is |a∩b| / |a∪b| over the lower-cased alphanumeric tokens of two
// texts; two empty texts have similarity 0.
func Jaccard(a, b string) float64 { return jaccard(newTokenSet(a), newTokenSet(b)) }

func jaccard(a, b tokenSet) float64 {
	if len(a) == 0 && len(b) == 0 {
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

// reference is a ticket a candidate must not near-duplicate.
type reference struct {
	t      data.Ticket
	tokens tokenSet
}

func newReference(t data.Ticket) reference {
	return reference{t: t, tokens: newTokenSet(t.QueryText())}
}

// isNearDup reports whether c is a same-rule near-duplicate of r.
func (n NearDup) isNearDup(c data.Ticket, ctoks tokenSet, r reference) bool {
	if c.Rule == "" || c.Rule != r.t.Rule {
		return false
	}
	if n.SameRuleWithin > 0 && !c.Opened.IsZero() && !r.t.Opened.IsZero() {
		d := c.Opened.Sub(r.t.Opened)
		if d < 0 {
			d = -d
		}
		if d <= n.SameRuleWithin {
			return true
		}
	}
	return n.SameRuleMinSimilarity > 0 && jaccard(ctoks, r.tokens) >= n.SameRuleMinSimilarity
}
