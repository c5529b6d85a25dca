package synth

import (
	"strings"
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
// appear, wording has changed, the causes drawn before are the same, and
// the weekly scanner's tickets are added.
func TestDriftChangesOnlyAfterDate(t *testing.T) {
	base := Config{Tickets: 3000, Seed: 7}
	at := DefaultStart.Add(365 * 24 * time.Hour)
	plain, err := Generate(base)
	require.NoError(t, err)
	drifting := base
	drifting.DriftAt = at
	drifted, err := Generate(drifting)
	require.NoError(t, err)

	before := map[string]bool{}
	var plainAfter, plainWording int
	for i, p := range plain.Tickets {
		if p.Opened.Before(at) {
			require.Equal(t, p, drifted.Tickets[i], "ticket %s opened before the drift changed", p.ID)
			require.Equal(t, plain.Truth[i], drifted.Truth[i])
			before[p.Rule] = true
			continue
		}
		plainAfter++
		if DriftWording(p.Title) != p.Title || DriftWording(p.Description) != p.Description {
			plainWording++
		}
	}
	assert.Greater(t, float64(plainWording)/float64(plainAfter), 0.5, "most titles or descriptions read differently")

	// The causes drawn before are the same, with the same tickets; the
	// scanner adds one cause per scanned host.
	plainSizes, driftSizes := causeSizes(plain), causeSizes(drifted)
	scans := map[string]int{}
	for c, n := range driftSizes {
		if strings.HasPrefix(c, scanKind.name+"-") {
			scans[c] = n
			delete(driftSizes, c)
		}
	}
	assert.Equal(t, plainSizes, driftSizes, "drift changes text and rules, not what was related")
	slots := base.Tickets / ScanHostsPer
	weeks := DefaultStart.Add(DefaultSpan).Sub(at).Hours() / 24 / 7
	assert.InDelta(t, ScanShare*float64(slots)*weeks, sum(scans), 0.15*float64(slots)*weeks, "each week, about ScanShare of the scanned hosts")
	for c, n := range scans {
		assert.LessOrEqual(t, n, scanMaxWeeks, "%s: a host is patched within weeks", c)
	}
	assert.Len(t, drifted.Tickets, len(plain.Tickets)+sum(scans))

	var after, replaced, scanned, cited int
	byID := map[string]int{}
	for i, d := range drifted.Tickets {
		byID[d.ID] = i
	}
	for i, d := range drifted.Tickets {
		if d.Opened.Before(at) {
			continue
		}
		after++
		assert.Equal(t, DriftWording(d.Title), d.Title, "after the drift titles read in the new wording")
		assert.False(t, Retired(base.Seed, d.Rule) && before[d.Rule], "retired rule %s still fires after the drift", d.Rule)
		if !before[d.Rule] && strings.HasSuffix(d.Rule, " v2") {
			assert.Contains(t, d.Description, "Enrichment (detection v2)")
		}
		tr := drifted.Truth[i]
		assert.Equal(t, strings.HasPrefix(tr.Cause, scanKind.name+"-"), d.Rule == ScanRule || d.Rule == DriftRuleName(ScanRule), "%s: %s", d.ID, d.Rule)
		if !strings.HasPrefix(tr.Cause, scanKind.name+"-") {
			if !before[d.Rule] && strings.HasSuffix(d.Rule, " v2") {
				replaced++
			}
			continue
		}
		scanned++
		// A scan ticket cites tickets of its own host only, a week or more
		// apart (a later one where a note was edited afterwards), never
		// its batch.
		for _, c := range tr.Cites {
			j, ok := byID[c]
			require.True(t, ok, c)
			cited++
			assert.Equal(t, tr.Cause, drifted.Truth[j].Cause)
			assert.Equal(t, d.Host, drifted.Tickets[j].Host)
			gap := d.Opened.Sub(drifted.Tickets[j].Opened)
			assert.GreaterOrEqual(t, max(gap, -gap), 6*24*time.Hour)
		}
	}
	require.Positive(t, after)
	assert.InDelta(t, RetireShare, float64(replaced)/float64(after-scanned), 0.15, "about RetireShare of later alerts come from replacement rules")
	assert.Greater(t, cited, scanned/3, "analysts cite last week's ticket on the host")
}

// causeSizes counts each hidden cause's tickets.
func causeSizes(a *Archive) map[string]int {
	out := map[string]int{}
	for _, tr := range a.Truth {
		if tr.Cause != "" {
			out[tr.Cause]++
		}
	}
	return out
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
