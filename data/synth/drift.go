package synth

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/precedent/precedent/data"
)

// Drift makes an archive age a model trained before Config.DriftAt: from
// that instant on, some detection rules retire and new ones replace them,
// analysts and products word titles, descriptions and close-notes
// differently, and a vulnerability scanner is connected to the queue
// (weeklyScans: batches of look-alike tickets, each citing its own host's
// earlier weeks). Tickets opened before DriftAt are exactly those of the
// same Config without drift; the hidden causes drawn before are untouched
// and the cue phrases of citations too, so mining finds the same kind of
// labels after the drift as before.
//
// RetireShare is the share of rules retired at DriftAt (chosen by a hash of
// the seed and the rule's name, so the same Config retires the same rules);
// each retired rule's later tickets carry its replacement's name instead
// (DriftRuleName), a rule never seen before DriftAt, and their descriptions
// end with the replacement's longer enrichment block.
const RetireShare = 0.35

// driftPrefixes name replacement rules: detection engineering rewrote the
// rule, the product renamed it.
var driftPrefixes = []string{"Behavioral", "Correlated", "ML-based", "Anomalous", "Risk-scored", "Enriched"}

// driftWords is the products' new alert templates, word for word (titles
// and descriptions).
var driftWords = map[string]string{
	"user": "principal", "users": "principals", "host": "device", "hosts": "devices",
	"account": "identity", "accounts": "identities", "detected": "observed", "suspicious": "anomalous",
	"login": "authentication", "logon": "authentication", "logons": "authentications", "logged": "authenticated",
	"connection": "session", "connections": "sessions", "file": "artifact", "files": "artifacts",
	"attempt": "try", "attempts": "tries", "unusual": "rare", "malicious": "hostile", "blocked": "denied",
	"process": "binary", "sent": "delivered", "created": "provisioned", "new": "novel", "source": "origin",
	"alert": "signal", "alerts": "signals", "activity": "behaviour",
}

// driftNoteWords is the analysts' new habits in close-notes and comments.
// Cue phrases that cite or dismiss tickets ("Duplicate of", "same alert on",
// "no connection to", "different host") are left alone, so mining finds the
// same labels after the drift.
var driftNoteWords = map[string]string{
	"benign": "harmless", "closing": "resolving", "legitimate": "sanctioned", "escalated": "handed",
	"threshold": "baseline", "activity": "behaviour", "found": "identified", "reviewed": "inspected",
	"expected": "anticipated", "contained": "isolated", "handled": "remediated", "evidence": "indicators",
}

// DriftRuleName is the rule that replaces a retired rule after the drift:
// "Okta - MFA Push Spam" becomes e.g. "Okta - Correlated MFA Push Spam v2".
func DriftRuleName(rule string) string {
	src, name, ok := strings.Cut(rule, " - ")
	if !ok {
		src, name = "", rule
	}
	h := fnv.New32a()
	h.Write([]byte(rule))
	out := driftPrefixes[h.Sum32()%uint32(len(driftPrefixes))] + " " + name + " v2"
	if src != "" {
		out = src + " - " + out
	}
	return out
}

// Retired reports whether rule retires at the drift of an archive drawn
// from seed.
func Retired(seed int64, rule string) bool {
	h := fnv.New64a()
	h.Write([]byte(rule))
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(seed) >> (8 * i))
	}
	h.Write(b[:])
	return float64(h.Sum64()%10000)/10000 < RetireShare
}

// DriftWording rewrites a title or description in the post-drift wording:
// listed words are replaced whole (keeping an initial capital); tokens that
// hold entity values (paths, ARNs, addresses, key=value) are left as they are.
func DriftWording(s string) string { return rewrite(s, driftWords) }

// DriftNoteWording rewrites a close-note or comment in the post-drift wording.
func DriftNoteWording(s string) string { return rewrite(s, driftNoteWords) }

func rewrite(s string, words map[string]string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	i := 0
	for i < len(s) {
		if s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' {
			j++
		}
		b.WriteString(driftToken(s[i:j], words))
		i = j
	}
	return b.String()
}

// driftToken rewrites one space-separated token: its letters, with leading
// and trailing punctuation kept.
func driftToken(tok string, words map[string]string) string {
	if strings.ContainsAny(tok, "/\\:@=_[]{}") {
		return tok
	}
	start := strings.IndexFunc(tok, unicode.IsLetter)
	if start < 0 {
		return tok
	}
	end := strings.LastIndexFunc(tok, unicode.IsLetter) + 1
	word := tok[start:end]
	if strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) >= 0 {
		return tok
	}
	repl, ok := words[strings.ToLower(word)]
	if !ok {
		return tok
	}
	if unicode.IsUpper(rune(word[0])) {
		repl = strings.ToUpper(repl[:1]) + repl[1:]
	}
	return tok[:start] + repl + tok[end:]
}

// driftEnrichment is the context block the replacement rules append to
// their descriptions: their alerts read longer than the rules they replace.
func driftEnrichment(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	v := h.Sum32()
	return fmt.Sprintf("\n\nEnrichment (detection v2): risk score %d/100; peer group deviation %s; %d related signals in the last 7 days; "+
		"MITRE mapping reviewed by detection engineering.", 20+v%80, []string{"low", "moderate", "high"}[v/80%3], 1+v/240%9)
}

// applyDrift rewrites every ticket opened at or after at: retired rules
// become their replacements and text takes the new wording.
func (a *Archive) applyDrift(at time.Time) {
	from, _ := slices.BinarySearchFunc(a.Tickets, at, func(t data.Ticket, at time.Time) int { return t.Opened.Compare(at) })
	for i := from; i < len(a.Tickets); i++ {
		t := &a.Tickets[i]
		t.Title = DriftWording(t.Title)
		t.Description = DriftWording(t.Description)
		if Retired(a.Config.Seed, t.Rule) {
			t.Rule = DriftRuleName(t.Rule)
			t.Description += driftEnrichment(t.ID)
		}
		t.CloseNotes = DriftNoteWording(t.CloseNotes)
		for k := range t.Comments {
			t.Comments[k].Body = DriftNoteWording(t.Comments[k].Body)
		}
	}
}
