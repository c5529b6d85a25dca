package synth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDriftWording(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Suspicious login for user ACME\\jdoe", "Anomalous authentication for principal ACME\\jdoe"},
		{"arn:aws:iam::123:user/jdoe created a new key.", "arn:aws:iam::123:user/jdoe provisioned a novel key."},
		{"user=jdoe host=WS-1", "user=jdoe host=WS-1"}, // key=value carries entity values
		{"(host) detected,\nfile", "(device) observed,\nartifact"},
		{"nothing to change", "nothing to change"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, DriftWording(tc.in), tc.in)
	}
	// Cue phrases that make or dismiss labels keep their words.
	for _, s := range []string{"Duplicate of INC0012345.", "Same alert on INC0012345", "no connection to INC0012345", "different host than INC0012345"} {
		assert.Equal(t, s, DriftNoteWording(s))
	}
	assert.Equal(t, "Harmless, anticipated behaviour.", DriftNoteWording("Benign, expected behaviour."))
}

func TestDriftRuleName(t *testing.T) {
	n := DriftRuleName("Okta - MFA Push Spam")
	assert.Regexp(t, `^Okta - \S+ MFA Push Spam v2$`, n)
	assert.Equal(t, n, DriftRuleName("Okta - MFA Push Spam"), "the same rule always gets the same replacement")
	assert.NotEqual(t, "Okta - MFA Push Spam", n)
}

// TestDriftChangesOnlyAfterDate checks the archive is unchanged before the
// drift date and, after it, retired rules are gone, their replacements
// appear, wording has changed, and the causes are the same.
func TestDriftChangesOnlyAfterDate(t *testing.T) {
	base := Config{Tickets: 3000, Seed: 7}
	at := DefaultStart.Add(365 * 24 * time.Hour)
	plain, err := Generate(base)
	require.NoError(t, err)
	drifting := base
	drifting.DriftAt = at
	drifted, err := Generate(drifting)
	require.NoError(t, err)
	require.Len(t, drifted.Tickets, len(plain.Tickets))
	assert.Equal(t, plain.Truth, drifted.Truth, "drift changes text and rules, not what is related")

	before := map[string]bool{}
	var after, changedText, retiredAfter, replaced int
	for i, p := range plain.Tickets {
		d := drifted.Tickets[i]
		require.Equal(t, p.ID, d.ID)
		if p.Opened.Before(at) {
			require.Equal(t, p, d, "ticket %s opened before the drift changed", p.ID)
			before[p.Rule] = true
			continue
		}
		after++
		if d.Title != p.Title || d.Description != p.Description {
			changedText++
		}
		if Retired(base.Seed, p.Rule) {
			retiredAfter++
			assert.Equal(t, DriftRuleName(p.Rule), d.Rule)
			assert.Contains(t, d.Description, "Enrichment (detection v2)")
		} else {
			assert.Equal(t, p.Rule, d.Rule)
		}
		if d.Rule != p.Rule {
			replaced++
		}
		assert.Equal(t, p.CloseNotes == "", d.CloseNotes == "")
	}
	require.Positive(t, after)
	assert.Greater(t, float64(changedText)/float64(after), 0.5, "most titles or descriptions read differently")
	share := float64(retiredAfter) / float64(after)
	assert.InDelta(t, RetireShare, share, 0.12, "about RetireShare of later tickets come from retired rules")
	assert.Equal(t, retiredAfter, replaced)
	// After the drift no ticket carries a retired rule, and the
	// replacements were never seen before it.
	for _, d := range drifted.Tickets[len(drifted.Tickets)-after:] {
		assert.False(t, Retired(base.Seed, d.Rule) && before[d.Rule], "retired rule %s still fires after the drift", d.Rule)
	}
	newRules := 0
	for _, d := range drifted.Tickets[len(drifted.Tickets)-after:] {
		if !before[d.Rule] {
			newRules++
		}
	}
	assert.GreaterOrEqual(t, newRules, replaced, "every replacement is a rule unseen before the drift")
}
