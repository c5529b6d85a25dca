package negatives

// ReviewState is an analyst's verdict on one (query, candidate) pair.
type ReviewState string

// The review states.
const (
	Unreviewed        ReviewState = ""         // no verdict yet
	ConfirmedNegative ReviewState = "negative" // truly unrelated: a usable negative
	PromotedPositive  ReviewState = "positive" // actually related: becomes a positive pair
	Excluded          ReviewState = "excluded" // ambiguous: used as neither
)

// ReviewKey is the key of reviews: {query ID, candidate ID}.
type ReviewKey = [2]string

// ApplyReviews applies analyst verdicts to selected negatives (usable and
// held ones together). Confirmed negatives stay (a confirmed held one becomes
// usable), promoted pairs leave the negatives and come back as extra
// positives, excluded pairs are dropped, and unreviewed held ones stay out.
func ApplyReviews(negs []HardNegative, reviews map[ReviewKey]ReviewState) (negatives, extraPositives []HardNegative) {
	for _, n := range negs {
		switch reviews[ReviewKey{n.Query, n.Candidate}] {
		case ConfirmedNegative:
			n.Held = false
			negatives = append(negatives, n)
		case PromotedPositive:
			n.Held = false
			extraPositives = append(extraPositives, n)
		case Excluded:
		default:
			if !n.Held {
				negatives = append(negatives, n)
			}
		}
	}
	return negatives, extraPositives
}
