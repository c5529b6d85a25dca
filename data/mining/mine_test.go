package mining

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// tk builds a ticket opened `at` after t0.
func tk(id string, at time.Duration, rule, host, notes string) data.Ticket {
	return data.Ticket{ID: id, Opened: t0.Add(at), Rule: rule, Host: host,
		Title: "alert " + id, Description: "details of " + id + " on " + host, CloseNotes: notes}
}

func mustMine(t *testing.T, tickets []data.Ticket, opts Options) Result {
	t.Helper()
	res, err := Mine(tickets, opts)
	require.NoError(t, err)
	return res
}

func pairKeys(ps []Pair, training bool) []string {
	var out []string
	for _, p := range ps {
		if !training || p.Training() {
			out = append(out, p.Query+">"+p.Positive)
		}
	}
	return out
}

func TestMineReferences(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name    string
		tickets []data.Ticket
		refs    []string // From>To:class:cue
		pairs   []string // Query>Positive, all pairs
		missing map[string]int
		mod     func(*Options)
		check   func(t *testing.T, res Result)
	}{
		{
			name: "several IDs with cues",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", ""),
				tk("INC0000002", day, "B", "h2", ""),
				tk("INC0000003", 2*day, "C", "h3", ""),
				tk("INC0000004", 3*day, "D", "h4", "Closed. Duplicate of INC0000001. See INC0000002 and INC0000003 for the fix."),
			},
			refs: []string{"INC0000004>INC0000001:duplicate:Duplicate of", "INC0000004>INC0000002:procedural:See", "INC0000004>INC0000003:procedural:See"},
			// One ticket's citations alone do not pair the tickets it cites (groupLinks).
			pairs: []string{"INC0000004>INC0000003", "INC0000004>INC0000002", "INC0000004>INC0000001"},
		},
		{
			name: "URL, lower case, nearest cue wins",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", ""),
				tk("INC0000002", day, "B", "h2", "related to the phishing wave, tracked in https://snow/nav_to.do?uri=incident.do?number=inc0000001&x=y"),
			},
			refs:  []string{"INC0000002>INC0000001:master:tracked in"},
			pairs: []string{"INC0000002>INC0000001"},
		},
		{
			name: "earlier ticket cites a later one: turned around",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", "part of the Emotet campaign, master INC0000002"),
				tk("INC0000002", day, "B", "h2", ""),
			},
			refs:  []string{"INC0000001>INC0000002:master:part of the Emotet campaign"},
			pairs: []string{"INC0000002>INC0000001"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, 1, res.Funnel.Reversed)
				assert.Equal(t, "INC0000001", res.Pairs[0].Source)
			},
		},
		{
			name: "self, 8-digit, foreign and missing",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", ""),
				tk("INC0000002", day, "B", "h2", "reopened as INC0000002; change CHG0001234 and CHG0001235, KB0000088, INC0009999, INC00000011"),
			},
			missing: map[string]int{"CHG": 2, "KB": 1, "INC (missing)": 1},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, Funnel{Mentions: 5, Existing: 1}, res.Funnel)
			},
		},
		{
			name: "same instant dropped (ties drop)",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", "see INC0000002"),
				tk("INC0000002", 0, "B", "h2", ""),
			},
			refs: []string{"INC0000001>INC0000002:procedural:see"},
			mod:  func(o *Options) { o.Ties = TiesDrop },
			check: func(t *testing.T, res Result) {
				assert.Equal(t, 1, res.Funnel.SameInstant)
				assert.Equal(t, 1, res.Funnel.SameDropped)
				assert.Empty(t, res.Groups)
			},
		},
		{
			name: "same instant kept and oriented by ID (ties order, the default)",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", "see INC0000002"),
				tk("INC0000002", 0, "B", "h2", ""),
			},
			refs:  []string{"INC0000001>INC0000002:procedural:see"},
			pairs: []string{"INC0000002>INC0000001"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, 1, res.Funnel.SameInstant)
				assert.Zero(t, res.Funnel.SameDropped)
				assert.Equal(t, 1, res.Funnel.Reversed, "the note of the smaller ID made the link")
				assert.Equal(t, TiesOrder, res.Ties)
			},
		},
		{
			name: "cue list shared, sentence end stops a cue",
			tickets: []data.Ticket{
				tk("INC0000001", 0, "A", "h1", ""),
				tk("INC0000002", day, "B", "h2", ""),
				tk("INC0000003", 2*day, "C", "h3", "Dup of INC0000001, INC0000002. Host rebuilt; INC0000001 was similar."),
			},
			refs:  []string{"INC0000003>INC0000001:duplicate:Dup of", "INC0000003>INC0000002:duplicate:Dup of", "INC0000003>INC0000001:mention:"},
			pairs: []string{"INC0000003>INC0000002", "INC0000003>INC0000001"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Trivial = TrivialRule{} // reference tests do not filter duplicates
			if tc.mod != nil {
				tc.mod(&opts)
			}
			res := mustMine(t, tc.tickets, opts)
			var refs []string
			for _, r := range res.Refs {
				refs = append(refs, r.From+">"+r.To+":"+r.Class.String()+":"+r.Cue)
				assert.Contains(t, r.Context, r.Raw)
			}
			assert.Equal(t, tc.refs, refs)
			assert.ElementsMatch(t, tc.pairs, pairKeys(res.Pairs, false))
			if tc.missing == nil {
				tc.missing = map[string]int{}
			}
			assert.Equal(t, tc.missing, res.Missing)
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestMineOptionsErrors(t *testing.T) {
	good := []data.Ticket{tk("INC0000001", 0, "A", "h", "")}
	tests := []struct {
		name    string
		tickets []data.Ticket
		mod     func(*Options)
		want    string
	}{
		{"no matcher", good, func(o *Options) { o.Matcher = nil }, "no ID patterns"},
		{"bad field", good, func(o *Options) { o.Fields = []string{"notes"} }, `field "notes": unknown`},
		{"bad ties", good, func(o *Options) { o.Ties = "random" }, `ties "random": unknown (order, drop)`},
		{"linked cue", good, func(o *Options) { o.Cues = []CuePattern{{ClassLinked, "link"}} }, `class linked cannot come from text`},
		{"bad cue", good, func(o *Options) { o.Cues = []CuePattern{{ClassDuplicate, "dup(("}} }, `cue "dup(("`},
		{"duplicate ID", []data.Ticket{good[0], good[0]}, func(*Options) {}, `ticket 1: ID "INC0000001" already used by ticket 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			tc.mod(&opts)
			_, err := Mine(tc.tickets, opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMineGenericLooksUpArchive(t *testing.T) {
	m, err := CompilePatterns([]string{"generic"}, nil)
	require.NoError(t, err)
	opts := DefaultOptions()
	opts.Matcher = m
	res := mustMine(t, []data.Ticket{
		tk("1041", 0, "A", "h1", ""),
		tk("1042", time.Hour, "B", "h2", "same as #1041, see also #77"),
	}, opts)
	assert.Equal(t, []string{"1042>1041"}, pairKeys(res.Pairs, true))
	assert.Equal(t, map[string]int{"generic": 1}, res.Missing)
}
