package mining

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/precedent/precedent/data"
)

// Class says how a note refers to another ticket.
type Class int

// The classes of a cross-reference. The first four come from the cue just
// before the ID and are positives; ClassNegated comes from a negated or
// dismissive cue ("not related to", "ruled out") and is never a positive;
// ClassLinked comes from an explicit link field of the source system
// (Ticket.Links), not from text.
const (
	ClassMention    Class = iota // no cue: the ID merely appears
	ClassProcedural              // "see", "as in", "same as": handled the same way
	ClassMaster                  // "master case", "tracked in": grouped under a master ticket
	ClassDuplicate               // "duplicate of", "dup": the same event
	ClassNegated                 // "not related to", "ruled out", "different from": an analyst said they are NOT related
	ClassLinked                  // an explicit link field: duplicate, parent, relates, merged, clones
)

var classNames = [...]string{"mention", "procedural", "master", "duplicate", "negated", "linked"}

// Classes lists every class, in declaration order.
func Classes() []Class {
	return []Class{ClassMention, ClassProcedural, ClassMaster, ClassDuplicate, ClassNegated, ClassLinked}
}

// String is the class's lower-case name.
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// Positive reports whether a link of this class makes a positive pair: every
// class but ClassNegated.
func (c Class) Positive() bool { return c >= ClassMention && c <= ClassLinked && c != ClassNegated }

// CuePattern is one phrase (RE2, matched case-insensitively at word
// boundaries) that, just before an ID, gives the reference its class.
type CuePattern struct {
	Class Class
	Expr  string
}

// DefaultCues are the built-in cue phrases. The negated ones come first so
// that, at one position, "not related to" wins over "related to"; a negated
// cue may also stand just after the ID ("INC0012345 - unrelated").
var DefaultCues = append(append([]CuePattern(nil), DefaultNegatedCues...),
	CuePattern{ClassDuplicate, `duplicate of`}, CuePattern{ClassDuplicate, `dup of`}, CuePattern{ClassDuplicate, `dup`},
	CuePattern{ClassDuplicate, `same alert on`}, CuePattern{ClassDuplicate, `duplicate`},
	CuePattern{ClassProcedural, `see`}, CuePattern{ClassProcedural, `as in`}, CuePattern{ClassProcedural, `confirmed in`},
	CuePattern{ClassProcedural, `same as`}, CuePattern{ClassProcedural, `per`}, CuePattern{ClassProcedural, `related to`},
	CuePattern{ClassProcedural, `similar to`},
	CuePattern{ClassMaster, `master case`}, CuePattern{ClassMaster, `tracked in`}, CuePattern{ClassMaster, `parent`},
	CuePattern{ClassMaster, `part of\b.{0,40}?\bcampaign`},
)

// DefaultNegatedCues are the built-in negated and dismissive phrases, as
// analysts write them in SOC and vulnerability trackers.
var DefaultNegatedCues = []CuePattern{
	{ClassNegated, `(?:is|was|are|were|does|did)(?: not|n't)(?: appear to be| seem to be)?(?: (?:a|an|the))?(?: (?:dup|dupe|duplicate|related|linked|connected|same|part)(?: (?:of|to|as|with))?)?`},
	{ClassNegated, `not (?:a |an |the )?(?:dup|dupe|duplicate|related|linked|connected|caused by|part of|same as|the same as)(?: (?:of|to|as|with))?`},
	{ClassNegated, `unrelated(?: to| with)?`}, {ClassNegated, `ruled out`}, {ClassNegated, `excluded`},
	{ClassNegated, `different (?:from|than|to|issue than|issue from|cause than|cause from)`}, {ClassNegated, `different (?:host|user|cause|issue)`},
	{ClassNegated, `false (?:match|link|positive match)(?: (?:with|to|of))?`},
	{ClassNegated, `no (?:link|relation|connection|relationship) (?:to|with)`}, {ClassNegated, `nothing to do with`},
	{ClassNegated, `not affected by`}, {ClassNegated, `not vulnerable to`}, {ClassNegated, `but not`},
}

// CrossRef is one mention, in a ticket's text, of another ticket of the archive.
type CrossRef struct {
	From    string // ticket whose text holds the mention
	To      string // canonical ID of the ticket mentioned
	Field   string // "close_notes", "comments", "description" or "title"; "links" for an explicit link field
	Offset  int    // byte offset of the mention in the field
	Raw     string // the mention as written
	Cue     string // the cue phrase that set Class, as written; "" for ClassMention
	Class   Class
	Context string // the text within ±60 bytes of the mention
}

// contextRadius is how much text around a mention CrossRef.Context keeps.
const contextRadius = 60

// cueWindow is how far before an ID a cue may stand.
const cueWindow = 60

type cueSet struct {
	re      *regexp.Regexp // all cues as one alternation, one capture group each
	classes []Class        // class of capture group i+1
	neg     *regexp.Regexp // the negated cues alone; nil when there are none
}

func compileCues(cues []CuePattern) (*cueSet, error) {
	cs := &cueSet{}
	alts := make([]string, 0, len(cues))
	var negs []string
	for _, c := range cues {
		if _, err := regexp.Compile(c.Expr); err != nil {
			return nil, fmt.Errorf("cue %q (%s): %w", c.Expr, c.Class, err)
		}
		if c.Class < ClassMention || c.Class > ClassNegated {
			return nil, fmt.Errorf("cue %q: class %s cannot come from text (mention, procedural, master, duplicate, negated)", c.Expr, c.Class)
		}
		// Strip the user's groups of their capture so group i+1 is cue i.
		re, err := syntax.Parse(c.Expr, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("cue %q (%s): %w", c.Expr, c.Class, err)
		}
		plain := uncapture(re).String()
		alts = append(alts, `(`+plain+`)`)
		cs.classes = append(cs.classes, c.Class)
		if c.Class == ClassNegated {
			negs = append(negs, `(?:`+plain+`)`)
		}
	}
	if len(alts) == 0 {
		return cs, nil
	}
	re, err := regexp.Compile(`(?i)\b(?:` + strings.Join(alts, "|") + `)\b`)
	if err != nil {
		return nil, fmt.Errorf("cues: %w", err)
	}
	cs.re = re
	if len(negs) > 0 {
		if cs.neg, err = regexp.Compile(`(?i)\b(?:` + strings.Join(negs, "|") + `)\b`); err != nil {
			return nil, fmt.Errorf("negated cues: %w", err)
		}
	}
	return cs, nil
}

// uncapture turns capture groups into plain groups.
func uncapture(re *syntax.Regexp) *syntax.Regexp {
	for i, s := range re.Sub {
		re.Sub[i] = uncapture(s)
	}
	if re.Op == syntax.OpCapture {
		return re.Sub[0]
	}
	return re
}

// cueMatch is one cue phrase found in a text.
type cueMatch struct {
	start, end int
	class      Class
}

// last returns the cue phrase that ends last in text[lo:hi], if any.
func (cs *cueSet) last(text string, lo, hi int) (cueMatch, bool) {
	if cs.re == nil || lo >= hi {
		return cueMatch{}, false
	}
	var best cueMatch
	ok := false
	for _, loc := range cs.re.FindAllStringSubmatchIndex(text[lo:hi], -1) {
		for g := 1; 2*g < len(loc); g++ {
			if loc[2*g] >= 0 {
				best, ok = cueMatch{start: lo + loc[0], end: lo + loc[1], class: cs.classes[g-1]}, true
				break
			}
		}
	}
	return best, ok
}

// dangling matches a cue that still waits for its object ("does not",
// "but not", "different from", "is not the same as"): after an ID it
// belongs to what follows, not to the ID ("like CVE-1, exploit code does not
// work"; "CVE-1, but not CVE-2").
var dangling = regexp.MustCompile(`(?i)(?:\b(?:to|with|from|than|of|as|by|not|a|an|the|is|was|are|were|does|did|do)|n't)$`)

// negatedIn returns the first complete (first=true: see dangling) or the last
// negated cue in text[lo:hi].
func (cs *cueSet) negatedIn(text string, lo, hi int, first bool) (cueMatch, bool) {
	if cs.neg == nil || lo >= hi {
		return cueMatch{}, false
	}
	if first {
		for _, loc := range cs.neg.FindAllStringIndex(text[lo:hi], -1) {
			if !dangling.MatchString(text[lo+loc[0] : lo+loc[1]]) {
				return cueMatch{start: lo + loc[0], end: lo + loc[1], class: ClassNegated}, true
			}
		}
		return cueMatch{}, false
	}
	locs := cs.neg.FindAllStringIndex(text[lo:hi], -1)
	if len(locs) == 0 {
		return cueMatch{}, false
	}
	loc := locs[len(locs)-1]
	return cueMatch{start: lo + loc[0], end: lo + loc[1], class: ClassNegated}, true
}

// joiner is the text between two IDs of one list ("dup of A, B and C"): the
// later IDs share the cue of the first.
var joiner = regexp.MustCompile(`^[\s,/&+]*(?:(?i:and|or)[\s,]*)?$`)

// negationReach is how close before a positive cue a negated one must end to
// negate it ("isn't really a dup of"): a few short words, no punctuation.
const negationReach = 16

// hedge is what may stand between a negated cue and the positive cue it negates.
var hedge = regexp.MustCompile(`^[\s\w]*$`)

// classify gives each mention of text the cue nearest to it. Candidates are
// the last cue before the mention (within cueWindow bytes, after the previous
// mention and the last sentence end) and the first complete NEGATED cue after
// it (before the next mention and the next sentence end: "INC0012345 -
// unrelated", "INC0012345 was ruled out"); the nearer wins, the one before on
// a tie. A positive cue with
// a negated one just before it ("isn't really a dup of") is negated.
func (cs *cueSet) classify(text string, ms []Mention) (cues []string, classes []Class) {
	cues = make([]string, len(ms))
	classes = make([]Class, len(ms))
	if len(ms) == 0 {
		return cues, classes
	}
	prevEnd := 0
	for i, m := range ms {
		if i > 0 && joiner.MatchString(text[prevEnd:m.Start]) {
			cues[i], classes[i] = cues[i-1], classes[i-1]
			prevEnd = m.End
			continue
		}
		anchor := tokenStart(text, max(prevEnd, m.Start-maxURLPrefix), m.Start) // a pasted link counts from its start
		lo := max(prevEnd, anchor-cueWindow)
		for lo > prevEnd && isWordByte(text[lo-1]) {
			lo-- // do not start the window inside a word ("su|per" is no "per")
		}
		if k := lastSentenceEnd(text[lo:anchor]); k >= 0 {
			lo += k
		}
		before, okBefore := cs.last(text, lo, anchor)
		if okBefore && before.class != ClassNegated {
			if n, ok := cs.negatedIn(text, lo, before.start, false); ok && before.start-n.end <= negationReach && hedge.MatchString(text[n.end:before.start]) {
				before = cueMatch{start: n.start, end: before.end, class: ClassNegated}
			}
		}
		hi := min(len(text), m.End+cueWindow)
		if i+1 < len(ms) {
			hi = min(hi, ms[i+1].Start)
		}
		if k := firstSentenceEnd(text[m.End:hi]); k >= 0 {
			hi = m.End + k
		}
		after, okAfter := cs.negatedIn(text, m.End, hi, true)
		switch {
		case okAfter && (!okBefore || after.start-m.End < anchor-before.end):
			cues[i], classes[i] = text[after.start:after.end], ClassNegated
		case okBefore:
			cues[i], classes[i] = text[before.start:before.end], before.class
		}
		prevEnd = m.End
	}
	return cues, classes
}

// maxURLPrefix bounds how far before an ID the link it sits in may start.
const maxURLPrefix = 160

// tokenStart is, for an ID pasted inside a link
// ("https://snow/incident.do?number=INC0012345"), where the link starts:
// the start of the whitespace-free run of text that ends at end, looking back
// no further than lo, when that run holds a "/" or "="; otherwise end.
func tokenStart(text string, lo, end int) int {
	i := end
	for i > lo && text[i-1] != ' ' && text[i-1] != '\t' && text[i-1] != '\n' && text[i-1] != '\r' {
		i--
	}
	if strings.ContainsAny(text[i:end], "/=") {
		return i
	}
	return end
}

// firstSentenceEnd is the offset of the first ". ", "; ", "! ", "? " or
// newline in s (or a final "."), or -1.
func firstSentenceEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i
		case '.', ';', '!', '?':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '\n' {
				return i
			}
		}
	}
	return -1
}

// lastSentenceEnd is the offset just after the last ". ", "; ", "! ", "? " or
// newline in s, or -1; a dot inside a URL or host name does not end a sentence.
func lastSentenceEnd(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case '\n':
			return i + 1
		case '.', ';', '!', '?':
			if i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t') {
				return i + 1
			}
		}
	}
	return -1
}

// excerpt returns text within contextRadius bytes of [s,e), cut at rune edges.
func excerpt(text string, s, e int) string {
	lo, hi := max(0, s-contextRadius), min(len(text), e+contextRadius)
	for lo > 0 && !isRuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !isRuneStart(text[hi]) {
		hi++
	}
	return strings.Join(strings.Fields(text[lo:hi]), " ")
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b >= 0x80
}

// TextFields are the text fields Options.Fields may name.
var TextFields = []string{"close_notes", "comments", "description", "title"}

// fieldText returns a ticket's text field by its Options.Fields name.
func fieldText(t *data.Ticket, field string) (string, error) {
	switch field {
	case "close_notes":
		return t.CloseNotes, nil
	case "description":
		return t.Description, nil
	case "title":
		return t.Title, nil
	case "comments":
		return commentsText(t), nil
	}
	return "", fmt.Errorf("field %q: unknown (%s)", field, strings.Join(TextFields, ", "))
}

// commentsText is a ticket's comment bodies, one per line, in the order
// written; the line breaks end sentences, so a cue never reaches across two
// comments.
func commentsText(t *data.Ticket) string {
	if len(t.Comments) == 0 {
		return ""
	}
	parts := make([]string, len(t.Comments))
	for i, c := range t.Comments {
		parts[i] = c.Body
	}
	return strings.Join(parts, "\n")
}
