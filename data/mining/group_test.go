package mining

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

// groupIDs is res.Groups as sorted "A,B,C" strings.
func groupIDs(res Result) []string {
	var out []string
	for _, g := range res.Groups {
		ids := append([]string(nil), g...)
		sort.Strings(ids)
		out = append(out, strings.Join(ids, ","))
	}
	sort.Strings(out)
	return out
}

func TestGroupLinks(t *testing.T) {
	h := time.Hour
	// Two groups: A1 ← A2, A1 ← A3 (hosts ha*) and B1 ← B2 (hosts hb*).
	base := []data.Ticket{
		tk("A1", 0, "R1", "ha1", ""),
		tk("B1", 1*h, "R2", "hb1", ""),
		tk("A2", 2*h, "R1", "ha2", "See A1."),
		tk("B2", 3*h, "R2", "hb2", "Same as B1."),
		tk("A3", 4*h, "R1", "ha3", "Per A1."),
	}
	with := func(extra ...data.Ticket) []data.Ticket { return append(append([]data.Ticket(nil), base...), extra...) }
	tests := []struct {
		name    string
		tickets []data.Ticket
		groups  []string
		pairs   []string // training pairs that must be made
		absent  []string // training pairs that must not be made
		apart   int      // Funnel.Unjoined
	}{
		{
			name:    "one ticket citing into two groups does not merge them",
			tickets: with(tk("Q1", 5*h, "R1", "hq", "See A3 and B2.")),
			groups:  []string{"A1,A2,A3,Q1", "B1,B2"},
			pairs:   []string{"Q1>A3", "Q1>B2", "Q1>A2", "Q1>A1"},
			absent:  []string{"Q1>B1", "B2>A1", "A3>B1", "B2>A2", "A2>B1"},
			apart:   1,
		},
		{
			name: "a second independent citation merges them",
			tickets: with(tk("Q1", 5*h, "R1", "hq", "See A3 and B2."),
				tk("Q2", 6*h, "R2", "hq2", "Same as B1 and A2.")),
			groups: []string{"A1,A2,A3,B1,B2,Q1,Q2"},
			pairs:  []string{"Q2>B1", "Q2>A2", "Q2>Q1"},
			apart:  1,
		},
		{
			name:    "a later ticket citing a member of each group is the second bridge",
			tickets: with(tk("Q1", 5*h, "R1", "hq", "See A3 and B2."), tk("Q2", 6*h, "R2", "hq2", "See Q1 and B1.")),
			groups:  []string{"A1,A2,A3,B1,B2,Q1,Q2"},
			apart:   1,
		},
		{
			name:    "a lone ticket that shares a host joins",
			tickets: with(tk("L1", 30*time.Minute, "R9", "hq", ""), tk("Q1", 5*h, "R1", "hq", "See A3 and L1.")),
			groups:  []string{"A1,A2,A3,L1,Q1", "B1,B2"},
			pairs:   []string{"Q1>L1", "A3>L1"},
		},
		{
			name:    "a lone ticket that shares nothing stays apart",
			tickets: with(tk("L1", 30*time.Minute, "R9", "hl", ""), tk("Q1", 5*h, "R1", "hq", "See A3 and L1.")),
			groups:  []string{"A1,A2,A3,Q1", "B1,B2"},
			pairs:   []string{"Q1>L1"},
			absent:  []string{"A3>L1", "A2>L1"},
			apart:   1,
		},
		{
			name:    "a placeholder host is no agreement",
			tickets: with(tk("L1", 30*time.Minute, "R9", "?", ""), tk("Q1", 5*h, "R1", "?", "See A3 and L1.")),
			groups:  []string{"A1,A2,A3,Q1", "B1,B2"},
			absent:  []string{"A3>L1"},
			apart:   1,
		},
		{
			name:    "a chain still expands",
			tickets: []data.Ticket{tk("C1", 0, "R", "h1", ""), tk("C2", h, "R", "h2", "See C1."), tk("C3", 2*h, "R", "h3", "Same as C2.")},
			groups:  []string{"C1,C2,C3"},
			pairs:   []string{"C3>C2", "C3>C1", "C2>C1"},
		},
		{
			name: "a master case star expands",
			tickets: []data.Ticket{tk("M0", 0, "R", "h0", ""), tk("S1", h, "R", "h1", "Tracked in master case M0."),
				tk("S2", 2*h, "R", "h2", "Master case: M0"), tk("S3", 3*h, "R", "h3", "Tracked in master case M0.")},
			groups: []string{"M0,S1,S2,S3"},
			pairs:  []string{"S3>S2", "S3>S1", "S2>S1", "S3>M0"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := CompilePatterns(nil, []string{`[A-Z]+\d`})
			require.NoError(t, err)
			opts := DefaultOptions()
			opts.Matcher, opts.Trivial = m, TrivialRule{}
			res := mustMine(t, tc.tickets, opts)
			assert.Equal(t, tc.groups, groupIDs(res))
			got := pairKeys(res.Pairs, true)
			for _, p := range tc.pairs {
				assert.Contains(t, got, p)
			}
			for _, p := range tc.absent {
				assert.NotContains(t, got, p)
			}
			assert.Equal(t, tc.apart, res.Funnel.Unjoined)
		})
	}
}

// TestGroupLinksCommonHost: a host on more than commonShare of the archive
// (a shared server, the SOAR box) is no agreement.
func TestGroupLinksCommonHost(t *testing.T) {
	var ts []data.Ticket
	for i := range 300 {
		host := fmt.Sprintf("ws%03d", i)
		if i%10 == 0 {
			host = "soar-01" // 30 of 300 tickets
		}
		ts = append(ts, tk(fmt.Sprintf("N%03d", i), time.Duration(i)*time.Minute, "R0", host, ""))
	}
	ts = append(ts,
		tk("A1", 400*time.Minute, "R1", "ha1", ""),
		tk("A2", 401*time.Minute, "R1", "soar-01", "See A1."),
		tk("Q1", 402*time.Minute, "R1", "soar-01", "See A2 and N010."))
	m, err := CompilePatterns(nil, []string{`[A-Z]+\d+`})
	require.NoError(t, err)
	opts := DefaultOptions()
	opts.Matcher, opts.Trivial = m, TrivialRule{}
	res := mustMine(t, ts, opts)
	assert.Equal(t, []string{"A1,A2,Q1"}, groupIDs(res))
	assert.Equal(t, 1, res.Funnel.Unjoined)
}
