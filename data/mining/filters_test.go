package mining

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

func TestTrivialDuplicates(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name    string
		a, b    data.Ticket
		rule    TrivialRule
		trivial bool
		why     string
	}{
		{"another host within minutes", tk("INC0000001", 0, "Brute Force", "h1", ""),
			tk("INC0000002", 4*time.Minute, "Brute Force", "h2", "see INC0000001"),
			DefaultTrivialRule(), true, "same rule 'Brute Force', opened 4m apart on another host"},
		{"same rule days apart", tk("INC0000001", 0, "Brute Force", "h1", ""),
			tk("INC0000002", 3*day, "Brute Force", "h2", "see INC0000001"),
			DefaultTrivialRule(), false, ""},
		{"duplicate cue", tk("INC0000001", 0, "Brute Force", "h1", ""),
			tk("INC0000002", 3*day, "Brute Force", "h2", "duplicate of INC0000001"),
			DefaultTrivialRule(), true, "same rule 'Brute Force', cue 'duplicate of'"},
		{"duplicate cue, other rule", tk("INC0000001", 0, "Brute Force", "h1", ""),
			tk("INC0000002", 3*time.Minute, "Password Spray", "h2", "duplicate of INC0000001"),
			DefaultTrivialRule(), false, ""},
		{"duplicate cue disabled", tk("INC0000001", 0, "Brute Force", "h1", ""),
			tk("INC0000002", 3*day, "Brute Force", "h2", "duplicate of INC0000001"),
			TrivialRule{RequireSameRule: true, MaxGap: 30 * time.Minute}, false, ""},
		{"near-identical text", data.Ticket{ID: "INC0000001", Opened: t0, Rule: "R", Title: "Login from new country", Description: "user bob from FR"},
			data.Ticket{ID: "INC0000002", Opened: t0.Add(5 * day), Rule: "R", Title: "Login from new country", Description: "user bob from FR", CloseNotes: "see INC0000001"},
			DefaultTrivialRule(), true, "same rule 'R', text similarity 1.00"},
		{"rule not required", tk("INC0000001", 0, "A", "h1", ""),
			tk("INC0000002", 10*time.Minute, "B", "h1", "see INC0000001"),
			TrivialRule{MaxGap: 30 * time.Minute}, true, "opened 10m apart on the same host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mustMine(t, []data.Ticket{tc.a, tc.b}, Options{Matcher: DefaultOptions().Matcher, Trivial: tc.rule})
			require.Len(t, res.Pairs, 1)
			p := res.Pairs[0]
			assert.Equal(t, tc.trivial, p.Trivial)
			assert.Equal(t, tc.why, p.TrivialWhy)
			assert.Equal(t, !tc.trivial, p.Training())
			if tc.trivial {
				assert.Equal(t, 1, res.Funnel.Trivial)
				assert.Empty(t, res.Groups, "trivial links form no group")
			}
		})
	}
}

// campaign builds a master ticket and n later tickets that cite it, one hour apart.
func campaign(prefix string, n int, rule string) []data.Ticket {
	ts := []data.Ticket{tk(prefix+"000000", 0, rule, "m", "")}
	for i := 1; i <= n; i++ {
		ts = append(ts, tk(fmt.Sprintf("%s%06d", prefix, i), time.Duration(i)*time.Hour, rule, fmt.Sprintf("h%d", i),
			fmt.Sprintf("Tracked in master case %s000000.", prefix)))
	}
	return ts
}

func TestExpansionCaps(t *testing.T) {
	tests := []struct {
		name                  string
		n, partners, groupCap int
		groupPairs, expanded  int
		maxPerQuery           int
	}{
		{"small group, no cap bites", 3, 5, 200, 6, 6, 3},
		{"per-ticket cap", 10, 3, -1, 55, 1 + 2 + 3*8, 3},
		{"per-group cap", 10, 3, 12, 55, 12, 3},
		{"no caps", 10, -1, -1, 55, 55, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.MaxPartners, opts.MaxGroupPairs = tc.partners, tc.groupCap
			opts.MaxPerRule, opts.MaxPerRulePair = -1, -1
			res := mustMine(t, campaign("INC0", tc.n, "Phish"), opts)
			require.Len(t, res.Groups, 1)
			assert.Len(t, res.Groups[0], tc.n+1)
			assert.Equal(t, tc.n, res.Funnel.NonTrivial)
			assert.Equal(t, tc.groupPairs, res.Funnel.GroupPairs)
			assert.Equal(t, tc.expanded, res.Funnel.Expanded)
			perQuery := map[string]int{}
			direct := 0
			for _, p := range res.Pairs {
				if p.Training() {
					perQuery[p.Query]++
					if p.Direct {
						direct++
					}
				}
			}
			assert.Equal(t, tc.n, direct, "direct citations are kept first")
			for q, c := range perQuery {
				assert.LessOrEqual(t, c, tc.maxPerQuery, q)
			}
		})
	}
}

func TestExpansionNearestInTime(t *testing.T) {
	opts := DefaultOptions()
	opts.MaxPartners = 2
	res := mustMine(t, campaign("INC0", 6, "Phish"), opts)
	var got []string
	for _, p := range res.Pairs {
		if p.Query == "INC0000006" && p.Training() {
			got = append(got, p.Positive)
		}
	}
	assert.Equal(t, []string{"INC0000005", "INC0000000"}, got, "direct master first, then nearest earlier member")
}

func TestDirectBeyondCapKeptWithFilter(t *testing.T) {
	// The master is opened last and every earlier ticket cites it: the
	// master becomes the query of n direct pairs.
	ts := []data.Ticket{tk("INC0000099", 100*time.Hour, "Phish", "m", "")}
	for i := 1; i <= 7; i++ {
		ts = append(ts, tk(fmt.Sprintf("INC00000%02d", i), time.Duration(i)*time.Hour, "Phish", "h", "tracked in INC0000099"))
	}
	opts := DefaultOptions()
	opts.MaxPartners = 5
	res := mustMine(t, ts, opts)
	capped := 0
	for _, p := range res.Pairs {
		if p.Query == "INC0000099" {
			assert.True(t, p.Direct)
			if !p.Training() {
				capped++
				assert.Equal(t, []string{FilterTicketCap}, p.Filters)
			}
		}
	}
	assert.Equal(t, 2, capped)
	assert.Equal(t, 2, res.Funnel.CappedDirect)
	assert.Equal(t, 7, res.Funnel.Reversed)
}

func TestSamplingCaps(t *testing.T) {
	var ts []data.Ticket
	ts = append(ts, campaign("INC1", 30, "Phish")...)
	ts = append(ts, campaign("INC2", 30, "Spray")...)
	tests := []struct {
		name             string
		perRule, perPair int
		wantKept         map[string]int
	}{
		{"per rule pair", 1000, 10, map[string]int{"Phish": 10, "Spray": 10}},
		{"per rule", 7, 100, map[string]int{"Phish": 7, "Spray": 7}},
		{"no caps", -1, -1, map[string]int{"Phish": 30*5 - 10, "Spray": 30*5 - 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.MaxPerRule, opts.MaxPerRulePair = tc.perRule, tc.perPair
			res := mustMine(t, ts, opts)
			got := map[string]int{}
			for _, s := range res.PerRule {
				got[s.QueryRule] += s.Kept
			}
			assert.Equal(t, tc.wantKept, got)
			assert.Equal(t, tc.wantKept["Phish"]+tc.wantKept["Spray"], res.Funnel.Sampled)
			again := mustMine(t, ts, opts)
			assert.Equal(t, pairKeys(res.Pairs, true), pairKeys(again.Pairs, true), "deterministic by seed")
		})
	}
}

func TestSamplingSeedChangesChoice(t *testing.T) {
	ts := campaign("INC1", 40, "Phish")
	opts := DefaultOptions()
	opts.MaxPerRulePair = 15
	a := mustMine(t, ts, opts)
	opts.Seed = 2
	b := mustMine(t, ts, opts)
	assert.Len(t, pairKeys(a.Pairs, true), 15)
	assert.Len(t, pairKeys(b.Pairs, true), 15)
	assert.NotEqual(t, pairKeys(a.Pairs, true), pairKeys(b.Pairs, true))
}

func TestAutoCap(t *testing.T) {
	tests := []struct {
		name     string
		explicit int
		counts   []int
		floor    int
		want     int
	}{
		{"explicit wins", 50, []int{1000, 1000}, 300, 50},
		{"no cap stays", -1, []int{1000}, 300, -1},
		{"small archive: the floor", 0, []int{10, 20, 30}, 300, 300},
		{"large archive: three times the mean", 0, []int{700, 700, 800}, 300, 2200},
		{"nothing offered", 0, nil, 300, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, autoCap(tc.explicit, tc.counts, tc.floor))
		})
	}
}
