package mining

import (
	"fmt"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// TrivialRule says when a linked pair is a trivial duplicate (the same alert
// fired again) rather than a precedent worth learning from: the pair must
// share the detection rule (when RequireSameRule) AND meet at least one of the
// enabled tests: a duplicate cue, text similarity, or a short gap.
type TrivialRule struct {
	RequireSameRule bool          // both tickets must come from the same detection rule
	MaxGap          time.Duration // opened at most this far apart; 0 disables the test
	MinSimilarity   float64       // token Jaccard of title+description at least this; 0 disables the test
	DuplicateCue    bool          // a "duplicate of"-class cue links them
}

// DefaultTrivialRule is same rule AND (duplicate cue OR Jaccard ≥ 0.9 OR opened ≤ 30 min apart).
func DefaultTrivialRule() TrivialRule {
	return TrivialRule{RequireSameRule: true, MaxGap: 30 * time.Minute, MinSimilarity: 0.9, DuplicateCue: true}
}

// enabled reports whether any test can ever fire.
func (r TrivialRule) enabled() bool { return r.DuplicateCue || r.MaxGap > 0 || r.MinSimilarity > 0 }

// check applies the rule to a pair; dupCue is the duplicate cue linking them
// ("" when none), sim computes the text similarity on demand. It returns the
// verdict and, when trivial, a one-line explanation.
func (r TrivialRule) check(q, p *data.Ticket, dupCue string, sim func() float64) (bool, string) {
	if !r.enabled() {
		return false, ""
	}
	if r.RequireSameRule && (q.Rule == "" || !strings.EqualFold(q.Rule, p.Rule)) {
		return false, ""
	}
	var why []string
	if r.RequireSameRule {
		why = append(why, fmt.Sprintf("same rule '%s'", q.Rule))
	}
	hit := false
	if r.DuplicateCue && dupCue != "" {
		hit = true
		why = append(why, fmt.Sprintf("cue '%s'", dupCue))
	}
	if r.MinSimilarity > 0 {
		if s := sim(); s >= r.MinSimilarity {
			hit = true
			why = append(why, fmt.Sprintf("text similarity %.2f", s))
		}
	}
	if gap := absDuration(q.Opened.Sub(p.Opened)); r.MaxGap > 0 && gap <= r.MaxGap {
		hit = true
		where := "on another host"
		if strings.EqualFold(q.Host, p.Host) {
			where = "on the same host"
		}
		why = append(why, fmt.Sprintf("opened %s apart %s", shortDuration(gap), where))
	}
	if !hit {
		return false, ""
	}
	return true, strings.Join(why, ", ")
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// shortDuration writes d as "45s", "4m", "3h" or "5d".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
