package negatives

import (
	"time"

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

// Jaccard is |a∩b| / |a∪b| over the lower-cased alphanumeric tokens of two
// texts; two empty texts have similarity 0.
func Jaccard(a, b string) float64 { return data.Tokens(a).Jaccard(data.Tokens(b)) }

// reference is a ticket a candidate must not near-duplicate.
type reference struct {
	t      data.Ticket
	tokens data.TokenSet
}

func newReference(t data.Ticket) reference {
	return reference{t: t, tokens: data.Tokens(t.QueryText())}
}

// isNearDup reports whether c is a same-rule near-duplicate of r.
func (n NearDup) isNearDup(c data.Ticket, ctoks data.TokenSet, r reference) bool {
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
	return n.SameRuleMinSimilarity > 0 && ctoks.Jaccard(r.tokens) >= n.SameRuleMinSimilarity
}
