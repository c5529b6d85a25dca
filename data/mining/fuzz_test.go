package mining

import (
	"testing"
	"time"

	"github.com/precedent/precedent/data"
)

// FuzzReferences runs the reference extractor (ID patterns, cue
// classification, mining) over arbitrary note text: no panic, mentions in
// order without overlaps and exactly as written, and every pair oriented
// from a later ticket to an earlier one.
func FuzzReferences(f *testing.F) {
	for _, s := range []string{
		"Closed. Duplicate of INC0000001. See INC0000002 and inc0000003 for the fix.",
		"isn't really a dup of INC0000001, but not INC0000002; INC0000003 - unrelated",
		"https://snow/nav_to.do?uri=incident.do?number=INC0000002&x=y tracked in SEC-12, #3",
		"part of the Emotet campaign, master INC0000003\nSee also CVE-2016-4797 (added later).",
		"Zoë’s INC0000001INC0000002 \xff\xfe INC000000",
		"",
	} {
		f.Add(s)
	}
	m, err := CompilePatterns([]string{"servicenow", "servicenow-any", "jira", "generic", "cve"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, note string) {
		prevEnd := -1
		for _, mm := range m.Find(note) {
			if mm.Start < prevEnd || mm.End <= mm.Start || mm.End > len(note) || note[mm.Start:mm.End] != mm.Raw {
				t.Fatalf("bad mention %+v in %q", mm, note)
			}
			prevEnd = mm.End
		}
		tickets := []data.Ticket{
			{ID: "INC0000001", Opened: t0, CloseNotes: note},
			{ID: "INC0000002", Opened: t0.Add(time.Hour), CloseNotes: note},
			{ID: "INC0000003", Opened: t0.Add(time.Hour), Comments: []data.Comment{{Body: note}}},
			{ID: "SEC-12", Opened: t0.Add(2 * time.Hour), CloseNotes: note},
		}
		opts := DefaultOptions()
		opts.Matcher = m
		res, err := Mine(tickets, opts)
		if err != nil {
			t.Fatalf("Mine: %v", err)
		}
		at := map[string]int{}
		for i, tk := range tickets {
			at[tk.ID] = i
		}
		for _, p := range res.Pairs {
			q, pos := tickets[at[p.Query]], tickets[at[p.Positive]]
			if !data.Earlier(pos, q) {
				t.Fatalf("pair %s > %s: positive not earlier", p.Query, p.Positive)
			}
		}
	})
}
