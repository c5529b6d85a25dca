package synth

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/precedent/precedent/data"
)

// Rates of the analyst behaviour the notes imitate.
const (
	citeRate     = 0.63 // a related ticket with an earlier sibling cites one
	dupCiteRate  = 0.85 // a trivial duplicate names its original
	masterRate   = 0.65 // a citing ticket of a cause with a master cites the master
	typoRate     = 0.03 // a citation is mistyped (and so not a true citation)
	wrongKeyRate = 0.05 // a citation names another existing ticket: the one the analyst had open next to it
	wrongNearby  = 8    // a wrong key is at most this many tickets away from the intended one
	seeAlsoRate  = 0.02 // a note is edited later to cite a later ticket
	extRefRate   = 0.35 // a related note mentions another system's ID of its cause
	noiseUserTag = 0.2  // a noise note names the user it was checked with
)

type citeForm func(ref, why string) string

var (
	citeForms = []citeForm{
		func(r, w string) string { return "Same " + w + " as " + r + "." },
		func(r, w string) string { return "Duplicate of " + r + "." },
		func(r, w string) string { return "dup of " + r },
		func(r, w string) string { return "See " + r + "." },
		func(r, w string) string { return "As in " + r + ", " + w + "." },
		func(r, w string) string { return "Per " + r + " - " + w + "." },
		func(r, w string) string { return "Confirmed in " + r + "." },
		func(r, w string) string { return "Related to " + r + " (" + w + ")." },
		func(r, w string) string { return "Tracked in " + r + "." },
		func(r, w string) string { return "same as " + r },
		func(r, w string) string { return w + ", see " + r },
		func(r, w string) string { return "Linked to " + r + "." },
	}
	masterForms = []citeForm{
		func(r, w string) string { return "Part of " + w + " tracked in master case " + r + "." },
		func(r, w string) string { return "Tracked in master case " + r + "." },
		func(r, w string) string { return "Master case: " + r },
		func(r, w string) string { return "Linked to master " + r + " (" + w + ")." },
		func(r, w string) string { return "See master ticket " + r + " for the " + w + "." },
	}
	dupForms = []citeForm{
		func(r, w string) string { return "Duplicate of " + r + "." },
		func(r, w string) string { return "Dup of " + r },
		func(r, w string) string { return "duplicate alert - see " + r },
		func(r, w string) string { return "Same alert as " + r + ", closing as duplicate." },
		func(r, w string) string { return "Closed as duplicate of " + r + "." },
	}
	dupBare   = []string{"Duplicate alert, closed.", "Dup - same alert fired on several hosts.", "Duplicate."}
	noiseBare = []string{"False positive, closed.", "Benign, expected behaviour.", "Escalated to IR, contained.",
		"Closed - no further action required.", "User confirmed activity, benign.", "Test alert from detection engineering.",
		"Could not reproduce, closing.", "Auto-closed after 7 days without activity.", "Resolved by user: password reset.",
		"Checked logs in SIEM.\nNo malicious activity found.\nClosing as FP.", "Benign. Similar alerts seen before for this rule.",
		"True positive, handled by the endpoint team.", "FP - legitimate software.", "Closed: informational only.",
		"Analysis:\n- reviewed process tree\n- no persistence found\nConclusion: benign.", "Not enough evidence, closed as benign.",
		"Alert tuned, threshold raised.", "Blocked by controls, no impact."}
	masterNotes = []string{"MASTER CASE for the %W. All related alerts are linked to this ticket.",
		"Master ticket - %W. Child alerts will reference this case.",
		"Opened as master incident for the %W; related tickets closed against it."}
)

// noteWriter writes close-notes in time order, so it only cites what exists.
type noteWriter struct {
	g       *generator
	r       *rand.Rand
	wk      *rand.Rand // wrong keys draw from their own stream, so the rest of the notes stay those of the seed
	ids     []string
	pos     []int32
	members [][]int32 // cause → positions in time order
	master  []int32   // cause → position of its master case, -1 if none
	sb      strings.Builder
}

func newNoteWriter(g *generator, ids []string, pos []int32) *noteWriter {
	seed := uint64(g.cfg.Seed)
	nw := &noteWriter{g: g, r: g.r, wk: rand.New(rand.NewPCG(seed^0x3c6ef372fe94f82b, seed+0xa54ff53a5f1d36f1)),
		ids: ids, pos: pos, members: make([][]int32, len(g.causes)), master: make([]int32, len(g.causes))}
	for i, e := range g.events {
		if e.cause >= 0 {
			nw.members[e.cause] = append(nw.members[e.cause], int32(i))
		}
	}
	for ci, ms := range nw.members {
		nw.master[ci] = -1
		if len(ms) < g.causes[ci].kind.masterAt {
			continue
		}
		for _, p := range ms[:min(3, len(ms))] {
			if g.events[p].dupOf < 0 {
				nw.master[ci] = p
				break
			}
		}
	}
	return nw
}

// write fills CloseNotes, Cites and Master for every ticket of a.
func (nw *noteWriter) write(a *Archive) {
	rank := make([]int32, len(nw.g.events)) // position → rank within its cause
	for _, ms := range nw.members {
		for k, p := range ms {
			rank[p] = int32(k)
		}
	}
	for i := range nw.g.events {
		e := &nw.g.events[i]
		tr := &a.Truth[i]
		if e.cause < 0 {
			a.Tickets[i].CloseNotes = nw.noise(e)
			continue
		}
		c := nw.g.causes[e.cause]
		ms := nw.members[e.cause]
		nw.sb.Reset()
		switch {
		case e.dupOf >= 0:
			orig := nw.ids[nw.pos[e.dupOf]]
			if nw.r.Float64() < dupCiteRate {
				nw.sb.WriteString(oneOf(nw.r, dupForms)(refText(nw.r, orig), ""))
				tr.Cites = append(tr.Cites, orig)
			} else {
				nw.sb.WriteString(oneOf(nw.r, dupBare))
			}
		case nw.master[e.cause] == int32(i):
			tr.Master = true
			nw.sb.WriteString(strings.Replace(oneOf(nw.r, masterNotes), "%W", oneOf(nw.r, c.kind.why), 1))
			nw.extRef(c, 1)
		default:
			nw.related(e, c, ms[:rank[i]], int32(i), tr)
		}
		if e.dupOf < 0 && int(rank[i]) < len(ms)-1 && nw.r.Float64() < seeAlsoRate {
			later := nw.ids[ms[int(rank[i])+1+nw.r.IntN(len(ms)-int(rank[i])-1)]]
			if !slices.Contains(tr.Cites, later) {
				nw.sb.WriteString("\nSee also " + refText(nw.r, later) + " (added later).")
				tr.Cites = append(tr.Cites, later)
			}
		}
		a.Tickets[i].CloseNotes = nw.sb.String()
	}
}

// related writes the note of a cause ticket that is neither a duplicate nor
// the master: a verdict, and often citations of earlier siblings.
func (nw *noteWriter) related(e *event, c *cause, earlier []int32, self int32, tr *data.TruthRecord) {
	r := nw.r
	verdict := nw.verdict(e, c)
	var targets []int32
	if len(earlier) > 0 && r.Float64() < citeRate {
		n := 1
		if x := r.IntN(100); x < 7 {
			n = 3
		} else if x < 25 {
			n = 2
		}
		if m := nw.master[e.cause]; m >= 0 && m < self && r.Float64() < masterRate {
			targets = append(targets, m)
		}
		for tries := 0; len(targets) < n && tries < 6; tries++ {
			var p int32
			if r.IntN(2) == 0 {
				p = earlier[len(earlier)-1-r.IntN(min(3, len(earlier)))]
			} else {
				p = earlier[r.IntN(len(earlier))]
			}
			if !slices.Contains(targets, p) {
				targets = append(targets, p)
			}
		}
	}
	if len(targets) == 0 {
		nw.sb.WriteString(verdict)
		nw.extRef(c, extRefRate)
		return
	}
	refs := make([]string, 0, len(targets))
	for _, p := range targets {
		id := nw.ids[p]
		if r.Float64() < typoRate {
			refs = append(refs, refText(r, mistype(r, id)))
			continue
		}
		if w, ok := nw.wrongKey(p, self, e); ok {
			refs = append(refs, refText(r, nw.ids[w]))
			continue
		}
		refs = append(refs, refText(r, id))
		tr.Cites = append(tr.Cites, id)
	}
	ref := joinRefs(r, refs)
	why := oneOf(r, c.kind.why)
	form := oneOf(r, citeForms)
	if targets[0] == nw.master[e.cause] && r.IntN(3) > 0 {
		form = oneOf(r, masterForms)
	}
	switch r.IntN(4) {
	case 0:
		nw.sb.WriteString(form(ref, why))
	case 1:
		nw.sb.WriteString(verdict + "\n" + form(ref, why))
	default:
		nw.sb.WriteString(verdict + " " + form(ref, why))
	}
	nw.extRef(c, extRefRate)
}

// wrongKey decides whether the citation of the intended ticket names, by
// mistake, another existing ticket of a different cause, and which: half the
// time one of the few tickets opened next to the intended one (the
// neighbouring row of the queue), otherwise a recent earlier ticket of the
// citing ticket's own rule (the lookalike the analyst had open). Both are
// earlier than the citing ticket. The wrong ticket is not a true citation.
func (nw *noteWriter) wrongKey(intended, self int32, e *event) (int32, bool) {
	x := nw.wk
	if x.Float64() >= wrongKeyRate {
		return 0, false
	}
	other := func(p int32) bool {
		return p >= 0 && p < self && p != intended && nw.g.events[p].cause != e.cause
	}
	if x.IntN(2) == 0 {
		for range 4 {
			d := int32(1 + x.IntN(wrongNearby))
			if x.IntN(2) == 0 {
				d = -d
			}
			if p := intended + d; other(p) {
				return p, true
			}
		}
	}
	for p, seen := self-1, 0; p >= 0 && seen < 4*lookalikeWindow; p-- {
		if nw.g.events[p].rule != e.rule {
			continue
		}
		seen++
		if other(p) && x.IntN(4) == 0 {
			return p, true
		}
	}
	return 0, false
}

func joinRefs(r *rand.Rand, refs []string) string {
	switch len(refs) {
	case 1:
		return refs[0]
	case 2:
		return refs[0] + oneOf(r, []string{" and ", ", ", " / "}) + refs[1]
	}
	return strings.Join(refs[:len(refs)-1], ", ") + " and " + refs[len(refs)-1]
}

// extRef mentions the cause's change, KB article or Jira issue, IDs that do
// not exist in the archive.
func (nw *noteWriter) extRef(c *cause, rate float64) {
	if len(c.ext) == 0 || nw.r.Float64() >= rate {
		return
	}
	id := oneOf(nw.r, c.ext)
	switch {
	case strings.HasPrefix(id, "CHG"):
		nw.sb.WriteString(oneOf(nw.r, []string{" Confirmed with change ", " Approved under ", " Change: "}) + id + ".")
	case strings.HasPrefix(id, "KB"):
		nw.sb.WriteString(oneOf(nw.r, []string{" See ", " Exclusion documented in ", " Per "}) + id + ".")
	default:
		nw.sb.WriteString(oneOf(nw.r, []string{" Tracked in Jira ", " See ", " Engagement ticket "}) + id + ".")
	}
}

// verdict renders the cause kind's verdict with the ticket's entities.
func (nw *noteWriter) verdict(e *event, c *cause) string {
	v := c.fixed.v
	v[slotUser] = e.user
	if v[slotUser] == "" {
		v[slotUser] = c.who.login
	}
	if v[slotUser] == "" {
		v[slotUser] = "the user"
	}
	v[slotHost] = e.host
	if v[slotHost] == "" {
		v[slotHost] = "the host"
	}
	for _, k := range []slot{slotCountry, slotCity, slotDomain, slotSrcIP, slotBucket, slotAccount, slotCVE} {
		if v[k] == "" {
			v[k] = "n/a"
		}
	}
	var b strings.Builder
	oneOf(nw.r, c.kind.verdicts).render(&b, &v)
	return b.String()
}

// noise writes the note of an unrelated ticket: no citation of the archive.
func (nw *noteWriter) noise(e *event) string {
	r := nw.r
	s := oneOf(r, noiseBare)
	switch x := r.IntN(100); {
	case x < 4:
		s += " Known false positive, see KB" + pad(r.IntN(90000)+1000, 7) + "."
	case x < 7:
		s += " Tuning request SEC-" + pad(r.IntN(4000)+1000, 4) + "."
	case x < 9:
		s += " Related change CHG" + pad(r.IntN(90000)+3000, 7) + "."
	case x < 9+int(noiseUserTag*100) && e.user != "":
		s = "Confirmed with " + e.user + ". " + s
	}
	return s
}
