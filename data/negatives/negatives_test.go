package negatives

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return day0.Add(time.Duration(d * float64(24*time.Hour))) }

// archive is a toy archive: Q is the query, P a positive, G a group member.
func archive() map[string]data.Ticket {
	ts := []data.Ticket{
		{ID: "Q", Opened: day(20), Rule: "brute-force", Title: "Brute force against vpn gateway", Description: "many failed logins from 203.0.113.7"},
		{ID: "P", Opened: day(10), Rule: "impossible-travel", Title: "Login from new country", Description: "user alice logged in from Brazil"},
		{ID: "G", Opened: day(5), Rule: "impossible-travel", Title: "Login from Brazil", Description: "alice again"},
		{ID: "A", Opened: day(2), Rule: "malware", Title: "EICAR test file detected", Description: "endpoint ws-12 quarantined"},
		{ID: "B", Opened: day(3), Rule: "dlp", Title: "Large upload to cloud storage", Description: "bob uploaded 4GB"},
		{ID: "C", Opened: day(4), Rule: "phishing", Title: "Reported phishing mail", Description: "invoice lure"},
		{ID: "D", Opened: day(6), Rule: "dns", Title: "DNS tunnelling suspected", Description: "long TXT queries"},
		{ID: "NQ", Opened: day(19), Rule: "brute-force", Title: "Something else entirely", Description: "printer offline"},           // same rule as Q, 1 day before
		{ID: "SQ", Opened: day(1), Rule: "brute-force", Title: "Brute force against vpn gateway", Description: "many failed logins"}, // same rule, similar text, long before
		{ID: "FQ", Opened: day(1), Rule: "brute-force", Title: "Password spray on mail", Description: "owa endpoint"},                // same rule, dissimilar, long before
		{ID: "NP", Opened: day(11), Rule: "impossible-travel", Title: "VPN from Chile", Description: "carol"},                        // same rule as P, 1 day after it
		{ID: "L", Opened: day(25), Rule: "malware", Title: "Later ticket", Description: "after the query"},
	}
	m := map[string]data.Ticket{}
	for _, t := range ts {
		m[t.ID] = t
	}
	return m
}

func lookupOf(m map[string]data.Ticket) Lookup {
	return func(id string) (data.Ticket, bool) { t, ok := m[id]; return t, ok }
}

func cands(ids ...string) []Candidate {
	out := make([]Candidate, len(ids))
	for i, id := range ids {
		out[i] = Candidate{ID: id, Rank: i + 1, Score: float32(100 - 10*i)}
	}
	return out
}

func ids(hs []HardNegative) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Candidate)
	}
	return out
}

func TestSelectFilters(t *testing.T) {
	arch := archive()
	q := arch["Q"]
	tests := []struct {
		name      string
		opts      Options
		in        Input
		wantNegs  []string
		wantHeld  []string
		wantStats Stats
	}{
		{
			name:      "positives and group dropped",
			opts:      Options{Disabled: FilterGuard},
			in:        Input{Query: q, Positives: []string{"P", "G"}, Candidates: cands("P", "A", "G", "B")},
			wantNegs:  []string{"A", "B"},
			wantStats: Stats{Queries: 1, Considered: 4, Positives: 2, Used: 2, Short: 1},
		},
		{
			name:      "positives filter off keeps them (near-dup off too: a positive near-duplicates itself)",
			opts:      Options{Disabled: FilterGuard | FilterPositives | FilterNearDup},
			in:        Input{Query: q, Positives: []string{"P", "G"}, Candidates: cands("P", "A", "G", "B")},
			wantNegs:  []string{"P", "A", "G", "B"},
			wantStats: Stats{Queries: 1, Considered: 4, Used: 4, Short: 1},
		},
		{
			name:      "self, unknown and later candidates are always dropped",
			opts:      Options{Disabled: FilterGuard},
			in:        Input{Query: q, Candidates: cands("Q", "X", "L", "A")},
			wantNegs:  []string{"A"},
			wantStats: Stats{Queries: 1, Considered: 4, Self: 1, Unknown: 1, Later: 1, Used: 1, Short: 1},
		},
		{
			name:      "near-dup of query: same rule within window, or similar; dissimilar old one kept",
			opts:      Options{Disabled: FilterGuard},
			in:        Input{Query: q, Candidates: cands("NQ", "SQ", "FQ", "A")},
			wantNegs:  []string{"FQ", "A"},
			wantStats: Stats{Queries: 1, Considered: 4, NearDup: 2, Used: 2, Short: 1},
		},
		{
			name:      "near-dup of a positive",
			opts:      Options{Disabled: FilterGuard},
			in:        Input{Query: q, Positives: []string{"P"}, Candidates: cands("NP", "A")},
			wantNegs:  []string{"A"},
			wantStats: Stats{Queries: 1, Considered: 2, NearDup: 1, Used: 1, Short: 1},
		},
		{
			name:      "near-dup filter off",
			opts:      Options{Disabled: FilterGuard | FilterNearDup},
			in:        Input{Query: q, Positives: []string{"P"}, Candidates: cands("NQ", "SQ", "NP")},
			wantNegs:  []string{"NQ", "SQ", "NP"},
			wantStats: Stats{Queries: 1, Considered: 3, Used: 3, Short: 1},
		},
		{
			name: "guard holds candidates at or above 95% of best positive",
			in: Input{Query: q, Positives: []string{"P"}, Candidates: []Candidate{
				{ID: "A", Rank: 1, Score: 10}, {ID: "P", Rank: 2, Score: 9.9}, {ID: "B", Rank: 3, Score: 9.405}, {ID: "C", Rank: 4, Score: 9.4}}},
			wantNegs:  []string{"C"},
			wantHeld:  []string{"A", "B"},
			wantStats: Stats{Queries: 1, Considered: 4, Positives: 1, Held: 2, Used: 1, Short: 1},
		},
		{
			name:      "guard uses score of positive outside the list",
			in:        Input{Query: q, Positives: []string{"P"}, Candidates: cands("A", "B"), Scores: map[string]float32{"P": 95}},
			wantNegs:  []string{"B"},
			wantHeld:  []string{"A"},
			wantStats: Stats{Queries: 1, Considered: 2, Held: 1, Used: 1, Short: 1},
		},
		{
			name:      "guard without positive score holds nothing and is counted",
			in:        Input{Query: q, Positives: []string{"P"}, Candidates: cands("A", "B")},
			wantNegs:  []string{"A", "B"},
			wantStats: Stats{Queries: 1, Considered: 2, Used: 2, NoPositiveScore: 1, Short: 1},
		},
		{
			name:      "guard off",
			opts:      Options{Disabled: FilterGuard},
			in:        Input{Query: q, Positives: []string{"P"}, Candidates: cands("A", "B"), Scores: map[string]float32{"P": 95}},
			wantNegs:  []string{"A", "B"},
			wantStats: Stats{Queries: 1, Considered: 2, Used: 2, Short: 1},
		},
		{
			name:      "top-K window and per-query count",
			opts:      Options{TopK: 4, PerQuery: 2, Disabled: FilterGuard},
			in:        Input{Query: q, Candidates: cands("A", "B", "C", "D", "FQ")},
			wantNegs:  []string{"A", "B"},
			wantStats: Stats{Queries: 1, Considered: 4, Used: 2, Surplus: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := NewSelector(tt.opts, lookupOf(arch), nil)
			require.NoError(t, err)
			r := sel.Select(tt.in)
			assert.Equal(t, tt.wantNegs, ids(r.Negatives))
			if tt.wantHeld == nil {
				tt.wantHeld = []string{}
			}
			assert.Equal(t, tt.wantHeld, ids(r.Held))
			for _, h := range r.Held {
				assert.True(t, h.Held)
			}
			assert.Equal(t, tt.wantStats, r.Stats)
		})
	}
}

func TestSelectProvenance(t *testing.T) {
	arch := archive()
	sel, err := NewSelector(Options{}, lookupOf(arch), nil)
	require.NoError(t, err)
	r := sel.Select(Input{Query: arch["Q"], Positives: []string{"P"},
		Candidates: []Candidate{{ID: "P", Rank: 1, Score: 20}, {ID: "FQ", Rank: 6, Score: 12.2}, {ID: "A", Rank: 7, Score: 12.2}}})
	require.Len(t, r.Negatives, 2)
	assert.Equal(t, HardNegative{Query: "Q", Candidate: "A", Rank: 7, Score: 12.2, Rule: "malware",
		Why: "rank 7, different rule, score 61% of best positive", Source: SourceFirstStage}, r.Negatives[1])
	assert.Equal(t, "rank 6, same rule, score 61% of best positive", r.Negatives[0].Why)
}

func TestSelectRandom(t *testing.T) {
	arch := archive()
	pool := []string{"A", "B", "C", "D", "P", "G", "NQ", "SQ", "FQ", "NP", "L", "Q", "missing"}
	opts := Options{Random: 3, Seed: 7, Disabled: FilterGuard}
	sel, err := NewSelector(opts, lookupOf(arch), pool)
	require.NoError(t, err)
	in := Input{Query: arch["Q"], Positives: []string{"P", "G"}, Candidates: cands("A")}
	r := sel.Select(in)
	allowed := map[string]bool{"B": true, "C": true, "D": true, "FQ": true}
	var random []HardNegative
	for _, h := range r.Negatives {
		if h.Source == SourceRandom {
			random = append(random, h)
			assert.True(t, allowed[h.Candidate], "random negative %s breaks a filter", h.Candidate)
			assert.Equal(t, 0, h.Rank)
		}
	}
	assert.Len(t, random, 3)
	assert.Equal(t, 3, r.Stats.Random)
	again := sel.Select(in)
	assert.Equal(t, r.Negatives, again.Negatives, "random draw must be seeded")

	// A query before every pool ticket gets no random negatives.
	early := sel.Select(Input{Query: data.Ticket{ID: "E", Opened: day(0)}})
	assert.Empty(t, early.Negatives)
}

func TestApplyReviews(t *testing.T) {
	neg := HardNegative{Query: "Q", Candidate: "A"}
	held := HardNegative{Query: "Q", Candidate: "A", Held: true}
	key := ReviewKey{"Q", "A"}
	tests := []struct {
		name    string
		in      HardNegative
		state   ReviewState
		wantNeg bool
		wantPos bool
	}{
		{"unreviewed negative stays", neg, Unreviewed, true, false},
		{"confirmed negative stays", neg, ConfirmedNegative, true, false},
		{"promoted negative becomes positive", neg, PromotedPositive, false, true},
		{"excluded negative dropped", neg, Excluded, false, false},
		{"unreviewed held stays out", held, Unreviewed, false, false},
		{"confirmed held becomes usable", held, ConfirmedNegative, true, false},
		{"promoted held becomes positive", held, PromotedPositive, false, true},
		{"excluded held dropped", held, Excluded, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			negs, pos := ApplyReviews([]HardNegative{tt.in}, map[ReviewKey]ReviewState{key: tt.state})
			assert.Equal(t, tt.wantNeg, len(negs) == 1)
			assert.Equal(t, tt.wantPos, len(pos) == 1)
			for _, h := range append(negs, pos...) {
				assert.False(t, h.Held)
			}
		})
	}
}

func TestJaccard(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"a b c", "b c d", 2.0 / 4},
		{"Login FAILED", "login failed", 1},
		{"", "", 0},
		{"x", "", 0},
		{"10.0.0.1 host", "10 0 1 other", 3.0 / 5},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, Jaccard(tt.a, tt.b), 1e-9, "%q vs %q", tt.a, tt.b)
	}
}

func TestFalseNegativeShareAndAblation(t *testing.T) {
	arch := archive()
	truth := map[string]data.TruthRecord{
		"Q": {ID: "Q", Cause: "c1"}, "P": {ID: "P", Cause: "c1"}, "NQ": {ID: "NQ", Cause: "c1"},
		"A": {ID: "A", Cause: "c2"}, "B": {ID: "B"}, "C": {ID: "C", Cause: "c3"}, "D": {ID: "D"},
	}
	negs := []HardNegative{{Query: "Q", Candidate: "P"}, {Query: "Q", Candidate: "A"}, {Query: "Q", Candidate: "B"}, {Query: "Q", Candidate: "NQ"}}
	assert.InDelta(t, 0.5, FalseNegativeShare(negs, truth), 1e-9)
	assert.Zero(t, FalseNegativeShare(nil, truth))

	ins := []Input{{Query: arch["Q"], Positives: []string{"P"}, Candidates: cands("P", "NQ", "A", "B", "C", "D")}}
	rows, err := Ablate(Options{}, lookupOf(arch), nil, ins, truth)
	require.NoError(t, err)
	require.Len(t, rows, 6)
	byName := map[string]AblationRow{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	assert.Zero(t, byName["all filters"].FalseNegatives)
	assert.Zero(t, byName["without positives"].FalseNegatives, "near-dup still catches a positive")
	assert.Equal(t, 1, byName["without near-duplicates"].FalseNegatives)
	assert.Equal(t, 2, byName["no filters"].FalseNegatives)

	// A Linked predicate that ties C to the query drops it, and only it.
	linked := Options{Linked: func(q, c data.Ticket) bool { return c.ID == "C" }}
	rows, err = Ablate(linked, lookupOf(arch), nil, ins, truth)
	require.NoError(t, err)
	for _, r := range rows {
		byName[r.Name] = r
	}
	assert.Equal(t, 1, byName["all filters"].Stats.Linked)
	assert.Zero(t, byName["without entity-linked"].Stats.Linked)
	assert.Equal(t, byName["all filters"].Negatives+1, byName["without entity-linked"].Negatives)
	assert.InDelta(t, 2.0/6, byName["no filters"].Share, 1e-9)
}
