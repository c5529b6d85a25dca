package mining

// Pair is one mined positive: a query ticket and an earlier ticket that an
// analyst's note tied to it. Pairs with Filters set are kept for display and
// evaluation but are not training positives.
type Pair struct {
	Query      string   // the later ticket
	Positive   string   // the earlier ticket
	Class      Class    // class of the links behind the pair by label precedence (ClassMention for expanded pairs)
	Cue        string   // the cue phrase of that link, as written
	Source     string   // ticket whose note made the link; "" for expanded pairs
	Direct     bool     // a note cites one from the other; false when only the group connects them
	Trivial    bool     // a trivial duplicate (same alert re-fired), see TrivialRule
	TrivialWhy string   // why it is trivial, e.g. "same rule 'X', cue 'duplicate of', opened 4m apart on another host"
	Filters    []string // why the pair is not a training positive; empty for training positives
}

// Filter names recorded in Pair.Filters.
const (
	FilterTrivial     = "trivial"            // a trivial duplicate
	FilterNegated     = "negated"            // an analyst said the two are NOT related: never a positive
	FilterTicketCap   = "cap:ticket"         // beyond the partners-per-query cap of its group
	FilterGroupCap    = "cap:group"          // beyond the pairs-per-group cap
	FilterRuleCap     = "sampling:rule"      // beyond the per-query-rule sampling cap
	FilterRulePairCap = "sampling:rule-pair" // beyond the per-(query rule, positive rule) cap
)

// Training reports whether the pair is a training positive.
func (p Pair) Training() bool { return len(p.Filters) == 0 }

// Relevant reports whether the pair is a correct precedent for evaluation: a
// non-trivial link of a positive class, whether or not the per-ticket,
// per-group or sampling caps kept it for training. Evaluation relevance must
// not depend on training choices.
func (p Pair) Relevant() bool {
	if p.Trivial || !p.Class.Positive() {
		return false
	}
	for _, f := range p.Filters {
		if f == FilterTrivial || f == FilterNegated {
			return false
		}
	}
	return true
}
