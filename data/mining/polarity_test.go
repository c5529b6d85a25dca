package mining

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

// refClasses mines two earlier tickets and one note and returns, per cited
// ID, "class:cue" of its reference.
func refClasses(t *testing.T, note string) map[string]string {
	t.Helper()
	day := 24 * time.Hour
	opts := DefaultOptions()
	opts.Trivial = TrivialRule{}
	res := mustMine(t, []data.Ticket{
		tk("INC0000001", 0, "A", "h1", ""),
		tk("INC0000002", day, "B", "h2", ""),
		tk("INC0000003", 2*day, "C", "h3", note),
	}, opts)
	out := map[string]string{}
	for _, r := range res.Refs {
		out[r.To] = r.Class.String() + ":" + r.Cue
	}
	return out
}

func TestCuePolarity(t *testing.T) {
	tests := []struct {
		note string
		want map[string]string
	}{
		{"Not related to INC0000001.", map[string]string{"INC0000001": "negated:Not related to"}},
		{"unrelated to INC0000001", map[string]string{"INC0000001": "negated:unrelated to"}},
		{"Ruled out INC0000001, different host.", map[string]string{"INC0000001": "negated:Ruled out"}},
		{"Different from INC0000001 (other user).", map[string]string{"INC0000001": "negated:Different from"}},
		{"not a dup of INC0000001", map[string]string{"INC0000001": "negated:not a dup of"}},
		{"This is not a duplicate of INC0000001.", map[string]string{"INC0000001": "negated:is not a duplicate of"}},
		{"False match with INC0000001.", map[string]string{"INC0000001": "negated:False match with"}},
		{"No link to INC0000001.", map[string]string{"INC0000001": "negated:No link to"}},
		{"Not the same as INC0000001.", map[string]string{"INC0000001": "negated:Not the same as"}},
		{"It is not INC0000001.", map[string]string{"INC0000001": "negated:is not"}},
		{"doesn't appear to be a dupe of INC0000001", map[string]string{"INC0000001": "negated:doesn't appear to be a dupe of"}},
		{"isn't really a dup of INC0000001", map[string]string{"INC0000001": "negated:isn't really a dup of"}},
		{"Checked against INC0000001 - unrelated.", map[string]string{"INC0000001": "negated:unrelated"}},
		{"also INC0000001, INC0000002, but not INC0000001", map[string]string{"INC0000002": "mention:", "INC0000001": "negated:but not"}},
		{"Not related to INC0000001 or INC0000002.", map[string]string{"INC0000001": "negated:Not related to", "INC0000002": "negated:Not related to"}},
		{"Not related to https://snow.example.com/nav_to.do?uri=incident.do?sysparm_query=number=INC0000001 (other host)",
			map[string]string{"INC0000001": "negated:Not related to"}},
		{"see:INC0000001", map[string]string{"INC0000001": "procedural:see"}},
		// a negation after an ID that still waits for its object is not about the ID
		{"like with INC0000001, exploit code does not work here", map[string]string{"INC0000001": "mention:"}},
		{"this is also INC0000001, but not INC0000002.", map[string]string{"INC0000001": "mention:", "INC0000002": "negated:but not"}},
		{"Looked like INC0000001 but is not the same; closing.", map[string]string{"INC0000001": "negated:is not the same"}},
		{"INC0000001 was ruled out.", map[string]string{"INC0000001": "negated:ruled out"}},
		// positives stay positive
		{"Related to INC0000001.", map[string]string{"INC0000001": "procedural:Related to"}},
		{"Same as INC0000001, not related to the outage INC0000002.", map[string]string{"INC0000001": "procedural:Same as", "INC0000002": "negated:not related to"}},
		// both polarities near one ID: the nearer cue wins, the one before on a tie
		{"Duplicate of INC0000001 - not related to the VPN change", map[string]string{"INC0000001": "duplicate:Duplicate of"}},
		{"Looked at INC0000001 - unrelated; see runbook", map[string]string{"INC0000001": "negated:unrelated"}},
		{"Ruled out, see INC0000001", map[string]string{"INC0000001": "procedural:see"}},
		{"see INC0000001 unrelated", map[string]string{"INC0000001": "procedural:see"}},
		{"not related to the VPN; see INC0000001", map[string]string{"INC0000001": "procedural:see"}},
	}
	for _, tc := range tests {
		t.Run(tc.note, func(t *testing.T) {
			assert.Equal(t, tc.want, refClasses(t, tc.note))
		})
	}
}

func pairsOf(res Result) map[string]Pair {
	out := map[string]Pair{}
	for _, p := range res.Pairs {
		out[p.Query+">"+p.Positive] = p
	}
	return out
}

func TestNegatedNeverPositiveNorExpanded(t *testing.T) {
	// M is a master case; A and B both cite it, and B's note says it is NOT
	// related to A. Before: A>B... expansion paired B with A through M.
	ts := []data.Ticket{
		tk("INC0000001", 0, "Phish", "m", ""),
		tk("INC0000002", time.Hour, "Spray", "h1", "Tracked in master case INC0000001."),
		tk("INC0000003", 2*time.Hour, "Travel", "h2", "Tracked in master case INC0000001. Not related to INC0000002."),
		tk("INC0000004", 3*time.Hour, "Beacon", "h3", "Ruled out INC0000001."),
	}
	opts := DefaultOptions()
	res := mustMine(t, ts, opts)
	ps := pairsOf(res)
	neg := ps["INC0000003>INC0000002"]
	assert.Equal(t, ClassNegated, neg.Class)
	assert.Equal(t, []string{FilterNegated}, neg.Filters)
	assert.False(t, neg.Training())
	assert.False(t, neg.Relevant())
	assert.Equal(t, ClassNegated, ps["INC0000004>INC0000001"].Class)
	for _, p := range res.Pairs {
		if p.Training() {
			assert.True(t, p.Class.Positive(), "%s>%s", p.Query, p.Positive)
		}
	}
	require.Len(t, res.Groups, 1)
	assert.Equal(t, []string{"INC0000001", "INC0000002", "INC0000003"}, res.Groups[0], "a negated link joins no group")
	assert.Equal(t, 2, res.Funnel.Negated)
	assert.Equal(t, 2, res.Funnel.NegatedRefs)
	assert.Equal(t, 1, res.Funnel.Blocked, "expansion through the master did not pair 3 with 2")
	assert.Equal(t, map[string]int{"not related to": 1, "ruled out": 1}, res.NegatedCues)
}

func TestLabelPrecedenceInMining(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name   string
		a, b   data.Ticket
		class  Class
		cue    string
		filter []string
	}{
		{"positive text beats negated text",
			tk("INC0000001", 0, "A", "h1", "not related to INC0000002"),
			tk("INC0000002", day, "B", "h2", "See INC0000001."),
			ClassProcedural, "See", nil},
		{"link field beats negated text",
			tk("INC0000001", 0, "A", "h1", ""),
			withLinks(tk("INC0000002", day, "B", "h2", "Ruled out INC0000001."), data.Link{Kind: "relates", To: "INC0000001"}),
			ClassLinked, "link: relates", nil},
		{"link field beats a duplicate cue",
			tk("INC0000001", 0, "A", "h1", ""),
			withLinks(tk("INC0000002", day, "B", "h2", "Duplicate of INC0000001."), data.Link{Kind: "Parent", To: "inc0000001"}),
			ClassLinked, "link: parent", nil},
		{"negated only",
			tk("INC0000001", 0, "A", "h1", ""),
			tk("INC0000002", day, "B", "h2", "Different from INC0000001."),
			ClassNegated, "Different from", []string{FilterNegated}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Trivial = TrivialRule{}
			res := mustMine(t, []data.Ticket{tc.a, tc.b}, opts)
			require.Len(t, res.Pairs, 1)
			p := res.Pairs[0]
			assert.Equal(t, "INC0000002>INC0000001", p.Query+">"+p.Positive)
			assert.Equal(t, tc.class, p.Class)
			assert.Equal(t, tc.cue, p.Cue)
			assert.Equal(t, tc.filter, p.Filters)
		})
	}
}

func withLinks(t data.Ticket, ls ...data.Link) data.Ticket {
	t.Links = ls
	return t
}

func TestLinkFields(t *testing.T) {
	day := 24 * time.Hour
	ts := []data.Ticket{
		tk("INC0000001", 0, "Phish", "h1", ""),
		tk("INC0000002", day, "Spray", "h2", ""),
		withLinks(tk("INC0000003", 2*day, "Phish", "h3", ""),
			data.Link{Kind: "duplicate", To: "INC0000001"}, // same rule: trivial
			data.Link{Kind: "blocks", To: "INC0000002"},    // not a default kind
			data.Link{Kind: "relates", To: "INC0009999"},   // missing
			data.Link{Kind: "parent", To: "INC0000003"}),   // self
		withLinks(tk("INC0000004", 3*day, "Travel", "h4", "see INC0000002"),
			data.Link{Kind: "parent", To: "INC0000002"}, data.Link{Kind: "merged", To: "INC0000001"}),
	}
	res := mustMine(t, ts, DefaultOptions())
	ps := pairsOf(res)
	assert.Equal(t, 5, res.Funnel.LinkFields)
	assert.Equal(t, 2, res.Funnel.LinkMissing)
	assert.Equal(t, 3, res.Funnel.FieldLinks)
	assert.Equal(t, 3, res.Funnel.Links)
	dup := ps["INC0000003>INC0000001"]
	assert.True(t, dup.Trivial, "a duplicate link between same-rule tickets is a trivial duplicate")
	assert.Contains(t, dup.TrivialWhy, "cue 'link: duplicate'")
	assert.Equal(t, ClassLinked, ps["INC0000004>INC0000002"].Class)
	assert.True(t, ps["INC0000004>INC0000002"].Training())
	assert.Equal(t, ClassLinked, ps["INC0000004>INC0000001"].Class)
	assert.NotContains(t, ps, "INC0000003>INC0000002", "blocks is not a default link kind")

	opts := DefaultOptions()
	opts.LinkKinds = []string{"blocks"}
	res = mustMine(t, ts, opts)
	assert.Equal(t, ClassLinked, pairsOf(res)["INC0000003>INC0000002"].Class)
	assert.Equal(t, 1, res.Funnel.LinkFields, "only the kinds given")

	opts.LinkKinds = []string{AllLinkKinds}
	res = mustMine(t, ts, opts)
	assert.Equal(t, 6, res.Funnel.LinkFields, "all means every kind")
	assert.Equal(t, ClassLinked, pairsOf(res)["INC0000003>INC0000002"].Class)
}

func TestCommentsAreRead(t *testing.T) {
	b := tk("INC0000002", time.Hour*30, "B", "h2", "Closed.")
	b.Comments = []data.Comment{{Body: "checked the host"}, {Body: "Same as INC0000001, closing."}, {Body: "Unrelated to INC0000003"}}
	ts := []data.Ticket{tk("INC0000001", 0, "A", "h1", ""), b, tk("INC0000003", time.Hour, "C", "h3", "")}
	res := mustMine(t, ts, DefaultOptions())
	var got []string
	for _, r := range res.Refs {
		got = append(got, r.Field+":"+r.To+":"+r.Class.String())
	}
	assert.Equal(t, []string{"comments:INC0000001:procedural", "comments:INC0000003:negated"}, got)

	opts := DefaultOptions()
	opts.Fields = []string{"close_notes"}
	assert.Empty(t, mustMine(t, ts, opts).Refs)
}

func TestTiesOnDateOnlyExport(t *testing.T) {
	d := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int, id, rule, notes string) data.Ticket {
		return data.Ticket{ID: id, Opened: d.AddDate(0, 0, n), Rule: rule, Title: "t " + id, Description: "d " + id, CloseNotes: notes}
	}
	ts := []data.Ticket{
		day(0, "INC0000001", "R", ""),
		day(0, "INC0000002", "R", "see INC0000001"), // same day, same rule: not trivial on a date-only export
		day(0, "INC0000003", "S", ""),
		day(1, "INC0000004", "S", "see INC0000003"),
		day(0, "INC0000005", "S", "see INC0000006"), // same day, the note of the smaller ID
		day(0, "INC0000006", "T", ""),
	}
	assert.True(t, DateOnly(ts))
	tests := []struct {
		ties          Ties
		pairs         []string
		same, dropped int
	}{
		{TiesOrder, []string{"INC0000002>INC0000001", "INC0000004>INC0000003", "INC0000006>INC0000005"}, 2, 0},
		{TiesDrop, []string{"INC0000004>INC0000003"}, 2, 2},
	}
	for _, tc := range tests {
		t.Run(string(tc.ties), func(t *testing.T) {
			opts := DefaultOptions()
			opts.Ties = tc.ties
			res := mustMine(t, ts, opts)
			assert.True(t, res.DateOnly)
			assert.ElementsMatch(t, tc.pairs, pairKeys(res.Pairs, true))
			assert.Equal(t, tc.same, res.Funnel.SameInstant)
			assert.Equal(t, tc.dropped, res.Funnel.SameDropped)
			assert.Zero(t, res.Funnel.Trivial, "the time-gap test is off when times are dates only")
			for _, p := range res.Pairs {
				q, pos := ts[idxOf(ts, p.Query)], ts[idxOf(ts, p.Positive)]
				assert.True(t, data.Earlier(pos, q), "%s>%s", p.Query, p.Positive)
			}
		})
	}
	// Coarse but not date-only: most tickets share a batch's publication time.
	batch := append([]data.Ticket(nil), ts...)
	for i := range batch {
		batch[i].Opened = batch[i].Opened.Add(21*time.Hour + 29*time.Minute)
	}
	batch = append(batch, data.Ticket{ID: "INC0000007", Opened: d.Add(90 * time.Minute), Rule: "R", Title: "x", Description: "y"})
	res := mustMine(t, batch, DefaultOptions())
	assert.False(t, res.DateOnly)
	assert.InDelta(t, 5.0/7, res.SharedInstants, 1e-9)
	assert.True(t, res.CoarseTimes)
	assert.Zero(t, res.Funnel.Trivial, "no time-gap test on coarse times")
	fine := []data.Ticket{ts[0], ts[1]}
	fine[1].Opened = fine[1].Opened.Add(3 * time.Minute)
	fine[0].Opened = fine[0].Opened.Add(time.Minute)
	res = mustMine(t, fine, DefaultOptions())
	assert.False(t, res.CoarseTimes)
	assert.Equal(t, 1, res.Funnel.Trivial, "same rule, 2 minutes apart: a re-fired alert")

	withTime := append([]data.Ticket(nil), ts...)
	withTime[0].Opened = withTime[0].Opened.Add(time.Second)
	assert.False(t, DateOnly(withTime))
	assert.False(t, DateOnly(nil))
}

func idxOf(ts []data.Ticket, id string) int {
	for i := range ts {
		if ts[i].ID == id {
			return i
		}
	}
	return -1
}

func TestPairRelevant(t *testing.T) {
	tests := []struct {
		name string
		p    Pair
		want bool
	}{
		{"training positive", Pair{Class: ClassProcedural, Direct: true}, true},
		{"capped for training, still relevant", Pair{Class: ClassMaster, Filters: []string{FilterTicketCap}}, true},
		{"sampled out, still relevant", Pair{Class: ClassMention, Filters: []string{FilterRuleCap}}, true},
		{"linked", Pair{Class: ClassLinked, Direct: true}, true},
		{"trivial", Pair{Class: ClassDuplicate, Trivial: true, Filters: []string{FilterTrivial}}, false},
		{"negated", Pair{Class: ClassNegated, Filters: []string{FilterNegated}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.p.Relevant()) })
	}
}
