package mining

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/precedent/precedent/data"
)

// Class says how a close-note refers to another ticket.
type Class int

// The classes of a cross-reference, from the cue just before the ID.
const (
	ClassMention    Class = iota // no cue: the ID merely appears
	ClassProcedural              // "see", "as in", "same as": handled the same way
	ClassMaster                  // "master case", "tracked in": grouped under a master ticket
	ClassDuplicate               // "duplicate of", "dup": the same event
)

var classNames = [...]string{"mention", "procedural", "master", "duplicate"}

// String is the class's lower-case name.
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// CuePattern is one phrase (RE2, matched case-insensitively at word
// boundaries) that, just before an ID, gives the reference its class.
type CuePattern struct {
	Class Class
	Expr  string
}

// DefaultCues are the built-in cue phrases.
var DefaultCues = []CuePattern{
	{ClassDuplicate, `duplicate of`}, {ClassDuplicate, `dup of`}, {ClassDuplicate, `dup`},
	{ClassDuplicate, `same alert on`}, {ClassDuplicate, `duplicate`},
	{ClassProcedural, `see`}, {ClassProcedural, `as in`}, {ClassProcedural, `confirmed in`},
	{ClassProcedural, `same as`}, {ClassProcedural, `per`}, {ClassProcedural, `related to`},
	{ClassProcedural, `similar to`},
	{ClassMaster, `master case`}, {ClassMaster, `tracked in`}, {ClassMaster, `parent`},
	{ClassMaster, `part of\b.{0,40}?\bcampaign`},
}

// CrossRef is one mention, in a ticket's text, of another ticket of the archive.
type CrossRef struct {
	From    string // ticket whose text holds the mention
	To      string // canonical ID of the ticket mentioned
	Field   string // "close_notes", "description" or "title"
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
}

func compileCues(cues []CuePattern) (*cueSet, error) {
	cs := &cueSet{}
	alts := make([]string, 0, len(cues))
	for _, c := range cues {
		if _, err := regexp.Compile(c.Expr); err != nil {
			return nil, fmt.Errorf("cue %q (%s): %w", c.Expr, c.Class, err)
		}
		if c.Class < ClassMention || c.Class > ClassDuplicate {
			return nil, fmt.Errorf("cue %q: unknown class %d", c.Expr, int(c.Class))
		}
		// Strip the user's groups of their capture so group i+1 is cue i.
		re, err := syntax.Parse(c.Expr, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("cue %q (%s): %w", c.Expr, c.Class, err)
		}
		alts = append(alts, `(`+uncapture(re).String()+`)`)
		cs.classes = append(cs.classes, c.Class)
	}
	if len(alts) == 0 {
		return cs, nil
	}
	re, err := regexp.Compile(`(?i)\b(?:` + strings.Join(alts, "|") + `)\b`)
	if err != nil {
		return nil, fmt.Errorf("cues: %w", err)
	}
	cs.re = re
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

// joiner is the text between two IDs of one list ("dup of A, B and C"): the
// later IDs share the cue of the first.
var joiner = regexp.MustCompile(`^[\s,/&+]*(?:(?i:and|or)[\s,]*)?$`)

// classify finds the cue nearest before each mention of text; the window
// before a mention is at most cueWindow bytes and stops at the previous
// mention and at a sentence end.
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
		lo := max(prevEnd, m.Start-cueWindow)
		for lo > prevEnd && isWordByte(text[lo-1]) {
			lo-- // do not start the window inside a word ("su|per" is no "per")
		}
		if k := lastSentenceEnd(text[lo:m.Start]); k >= 0 {
			lo += k
		}
		if c, ok := cs.last(text, lo, m.Start); ok {
			cues[i], classes[i] = text[c.start:c.end], c.class
		}
		prevEnd = m.End
	}
	return cues, classes
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

// fieldText returns a ticket's text field by its Options.Fields name.
func fieldText(t *data.Ticket, field string) (string, error) {
	switch field {
	case "close_notes":
		return t.CloseNotes, nil
	case "description":
		return t.Description, nil
	case "title":
		return t.Title, nil
	}
	return "", fmt.Errorf("field %q: unknown (close_notes, description, title)", field)
}
