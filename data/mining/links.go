package mining

import "strings"

// DefaultLinkKinds are the explicit link kinds (Ticket.Links, lower-case) that
// make positive pairs of class linked. The source system put them there on
// purpose, so they outrank any text cue. The importer classifies every
// source's link names into duplicate, relates, causes, blocks, clones,
// parent and merged (importer.ClassifyLink); the older wordings stay here
// for tickets imported before it did. Left out on purpose: "blocks" (an
// ordering of work, Bugzilla's depends_on too) and "causes" (a problem and
// the incidents it caused are different tickets) — pass them in
// Options.LinkKinds to count them, or AllLinkKinds for every kind.
var DefaultLinkKinds = []string{
	"duplicate", "duplicates", "duplicate of", "is duplicated by", "duplicated by",
	"parent", "child", "parent of", "child of",
	"merged", "merged into", "merged with",
	"relates", "relates to", "related", "related to",
	"clones", "is cloned by", "cloned from",
}

// AllLinkKinds in Options.LinkKinds makes every link kind count.
const AllLinkKinds = "all"

// duplicateKinds are the link kinds that count as a duplicate cue for the
// trivial-duplicate rule.
var duplicateKinds = map[string]bool{"duplicate": true, "duplicates": true, "duplicate of": true,
	"is duplicated by": true, "duplicated by": true, "clones": true, "is cloned by": true, "cloned from": true}

// linkKindSet is kinds lower-cased as a set; nil means DefaultLinkKinds.
func linkKindSet(kinds []string) map[string]bool {
	if kinds == nil {
		kinds = DefaultLinkKinds
	}
	out := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		out[strings.ToLower(strings.TrimSpace(k))] = true
	}
	return out
}
