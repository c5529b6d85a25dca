package synth

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// Rates of what analysts write while and after a ticket is worked on.
const (
	negatedRate     = 0.07 // a ticket's notes dismiss an earlier lookalike ("ruled out INC…")
	negatedInNotes  = 0.6  // ... in the close-notes; otherwise in a work note
	workNoteCite    = 0.3  // a citing ticket repeats its first citation in a work note
	forwardNoteRate = 0.08 // a related ticket still open gets a work note citing a later sibling
	dupLinkRate     = 0.45 // a trivial duplicate gets a "Duplicate of" link field
	parentLinkRate  = 0.3  // a ticket citing its master case gets a "Parent" link field
	bareParentRate  = 0.25 // a ticket of a master's cause that cites nothing gets a "Parent" link field
	lookalikeWindow = 40   // earlier tickets of the same rule a negated citation picks from
)

// Closing-time columns of the export, as Ticket.Closing keys and CSV headers.
const (
	ColAssignedTo = "Assigned to"
	ColResolution = "Resolution code"
	ColWorkNotes  = "Work notes"
	ColDuplicate  = "Duplicate of"
	ColParent     = "Parent"
)

type citeForm1 func(ref string) string

var (
	// negatedForms are dismissive citations, each with a cue mining's default
	// negated patterns know, before or just after the ID.
	negatedForms = []citeForm1{
		func(r string) string { return "Ruled out " + r + ", different host." },
		func(r string) string { return "Not related to " + r + "." },
		func(r string) string { return "Checked against " + r + " - unrelated." },
		func(r string) string { return "Different from " + r + " (other user)." },
		func(r string) string { return "Not a dup of " + r + "." },
		func(r string) string { return "Looked like " + r + " but is not the same; closing separately." },
		func(r string) string { return "False match with " + r + "." },
		func(r string) string { return "No link to " + r + ", same rule only." },
		func(r string) string { return "This is not a duplicate of " + r + "." },
		func(r string) string { return r + " was ruled out." },
	}
	workNoteBodies = []string{"Triage started.", "Checked EDR timeline for the host.", "Contacted the user, waiting for a reply.",
		"User confirmed the activity.", "Escalated to L2.", "Pulled sign-in logs for the last 7 days.", "No persistence found.",
		"Reset password as a precaution.", "Asked the network team for firewall logs.", "Waiting on the asset owner."}
	citeNoteForms = []citeForm1{
		func(r string) string { return "Matches the pattern of " + r + ", see there." },
		func(r string) string { return "Same as " + r + " - linking." },
		func(r string) string { return "Per " + r + ", same handling." },
	}
	forwardNoteForms = []citeForm1{
		func(r string) string { return "Another alert for this since: " + r + "." },
		func(r string) string { return "Related to " + r + " (opened since)." },
		func(r string) string { return "See also " + r + ", same activity." },
	}
	analysts        = []string{"jdoe", "asmith", "mchen", "rpatel", "lgarcia", "tnguyen", "kmueller", "sokafor", "bjones", "evolkov", "hsato", "nrossi"}
	noiseResolution = []string{"False Positive", "Benign - Expected activity", "No action required", "True Positive - Contained", "Informational"}
	causeResolution = []string{"Resolved - Benign", "Closed - Expected activity", "True Positive - Contained", "Resolved - Known activity"}
)

// afterwards writes what accrues while and after a ticket is worked on: the
// closing-time fields (assignee, resolution code), timestamped work notes
// (some citing a sibling, some citing a LATER sibling while the ticket was
// still open: the leak a visibility rule must hide), dismissive citations of
// earlier lookalikes (TruthRecord.NotCites) and explicit link fields. It
// draws from its own random stream, so the tickets, notes and truth written
// before it are those of the same seed without it.
func (nw *noteWriter) afterwards(a *Archive) {
	seed := uint64(nw.g.cfg.Seed)
	x := rand.New(rand.NewPCG(seed^0x6a09e667f3bcc908, seed+0xbb67ae8584caa73b))
	byRule := map[int32][]int32{} // rule → earlier positions
	rank := make([]int32, len(nw.g.events))
	for _, ms := range nw.members {
		for k, p := range ms {
			rank[p] = int32(k)
		}
	}
	for i := range nw.g.events {
		e := &nw.g.events[i]
		t := &a.Tickets[i]
		tr := &a.Truth[i]
		var notes []data.Comment
		note := func(body string, lo, hi time.Time) {
			notes = append(notes, data.Comment{Time: between(x, lo, hi), Author: oneOf(x, analysts), Body: body})
		}
		analyst := oneOf(x, analysts)
		for n := workNoteCount(x); n > 0; n-- {
			note(oneOf(x, workNoteBodies), e.at, e.closed)
		}
		if len(tr.Cites) > 0 && e.dupOf < 0 && x.Float64() < workNoteCite {
			note(oneOf(x, citeNoteForms)(tr.Cites[0]), e.at, e.closed)
		}
		if e.cause >= 0 && e.dupOf < 0 && x.Float64() < forwardNoteRate {
			ms := nw.members[e.cause]
			for _, p := range ms[rank[i]+1:] {
				later := &nw.g.events[p]
				if !later.at.Before(e.closed) || later.dupOf >= 0 {
					break
				}
				id := nw.ids[p]
				if later.at.After(e.at) && !slices.Contains(tr.Cites, id) {
					note(oneOf(x, forwardNoteForms)(id), later.at, e.closed)
					tr.Cites = append(tr.Cites, id)
				}
				break
			}
		}
		if target, ok := nw.lookalike(x, byRule[e.rule], e, a); ok && x.Float64() < negatedRate {
			s := oneOf(x, negatedForms)(refText(x, nw.ids[target]))
			if x.Float64() < negatedInNotes {
				t.CloseNotes += "\n" + s
			} else {
				note(s, e.at, e.closed)
			}
			tr.NotCites = append(tr.NotCites, nw.ids[target])
		}
		nw.linkFields(x, e, t, tr, rank[i])
		slices.SortStableFunc(notes, func(p, q data.Comment) int { return p.Time.Compare(q.Time) })
		t.Comments = notes
		t.Closing = map[string]string{ColAssignedTo: analyst, ColResolution: nw.resolution(x, e, tr)}
		byRule[e.rule] = append(byRule[e.rule], int32(i))
	}
}

// workNoteCount draws how many plain work notes a ticket gets: 0-3.
func workNoteCount(x *rand.Rand) int {
	switch u := x.Float64(); {
	case u < 0.35:
		return 0
	case u < 0.7:
		return 1
	case u < 0.9:
		return 2
	}
	return 3
}

// between is a whole-second time strictly inside (lo, hi) when there is room.
func between(x *rand.Rand, lo, hi time.Time) time.Time {
	span := hi.Sub(lo)
	if span <= 2*time.Second {
		return hi
	}
	return lo.Add(time.Second + time.Duration(x.Int64N(int64(span-time.Second)))).Truncate(time.Second)
}

// lookalike picks a recent earlier ticket of the same rule that does NOT
// share e's cause: what an analyst compares an alert with and dismisses.
func (nw *noteWriter) lookalike(x *rand.Rand, earlier []int32, e *event, a *Archive) (int32, bool) {
	lo := max(0, len(earlier)-lookalikeWindow)
	cands := earlier[lo:]
	for tries := 0; tries < 4 && len(cands) > 0; tries++ {
		p := cands[x.IntN(len(cands))]
		o := &nw.g.events[p]
		if e.cause >= 0 && o.cause == e.cause {
			continue
		}
		return p, true
	}
	return 0, false
}

// linkFields adds the explicit link fields a ticket system keeps: "Duplicate
// of" on some trivial duplicates, "Parent" on some tickets of a cause with a
// master case. A link reveals the relation as a citation does, so its target
// joins TruthRecord.Cites.
func (nw *noteWriter) linkFields(x *rand.Rand, e *event, t *data.Ticket, tr *data.TruthRecord, rank int32) {
	switch {
	case e.dupOf >= 0:
		if x.Float64() < dupLinkRate {
			orig := nw.ids[nw.pos[e.dupOf]]
			t.Links = append(t.Links, data.Link{Kind: "duplicate", To: orig})
			if !slices.Contains(tr.Cites, orig) {
				tr.Cites = append(tr.Cites, orig)
			}
		}
	case e.cause >= 0 && !tr.Master:
		m := nw.master[e.cause]
		if m < 0 || nw.members[e.cause][rank] < m {
			return
		}
		id := nw.ids[m]
		cites := slices.Contains(tr.Cites, id)
		if cites && x.Float64() < parentLinkRate || len(tr.Cites) == 0 && x.Float64() < bareParentRate {
			t.Links = append(t.Links, data.Link{Kind: "parent", To: id})
			if !cites {
				tr.Cites = append(tr.Cites, id)
			}
		}
	}
}

// resolution is the ticket's resolution code; it gives the label away
// ("Duplicate", "Resolved - Related incident"), which is why it is a
// closing-time field.
func (nw *noteWriter) resolution(x *rand.Rand, e *event, tr *data.TruthRecord) string {
	switch {
	case e.dupOf >= 0:
		return "Duplicate"
	case tr.Master:
		return "Resolved - Master case"
	case len(tr.Cites) > 0:
		return "Resolved - Related incident"
	case e.cause >= 0:
		return oneOf(x, causeResolution)
	}
	return oneOf(x, noiseResolution)
}

// workNotesCell writes comments as ServiceNow writes a journal field in an
// export: "2025-01-02 09:15:00 - jdoe (Work notes)\ntext", entries oldest
// first, separated by a blank line.
func workNotesCell(cs []data.Comment, layout string) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(c.Time.UTC().Format(layout))
		b.WriteString(" - ")
		b.WriteString(c.Author)
		b.WriteString(" (Work notes)\n")
		b.WriteString(c.Body)
	}
	return b.String()
}

// linkTo is the ID of t's first link of kind, or "".
func linkTo(t data.Ticket, kind string) string {
	for _, l := range t.Links {
		if l.Kind == kind {
			return l.To
		}
	}
	return ""
}

// toDates truncates every time of the archive to its day (UTC), as a
// date-only export carries them.
func (a *Archive) toDates() {
	day := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC().Truncate(24 * time.Hour)
	}
	for i := range a.Tickets {
		t := &a.Tickets[i]
		t.Opened, t.Closed = day(t.Opened), day(t.Closed)
		for k := range t.Comments {
			t.Comments[k].Time = day(t.Comments[k].Time)
		}
	}
}
