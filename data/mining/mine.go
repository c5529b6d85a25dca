package mining

import (
	"fmt"
	"slices"
	"strings"

	"github.com/precedent/precedent/data"
)

// Options configures Mine; start from DefaultOptions.
type Options struct {
	Matcher        *Matcher     // ID patterns; required
	Fields         []string     // text fields to read: "close_notes", "comments", "description", "title"
	Cues           []CuePattern // cue phrases, negated ones included; nil means DefaultCues
	LinkKinds      []string     // explicit link kinds (Ticket.Links) that make positives; nil means DefaultLinkKinds; empty non-nil reads none; AllLinkKinds reads every kind
	Ties           Ties         // how links between tickets opened at the same instant are kept; "" means TiesOrder
	Trivial        TrivialRule  // which linked pairs are trivial duplicates
	MaxPartners    int          // positives per query within a group (direct first, then nearest in time); <0 no cap
	MaxGroupPairs  int          // pairs per group; <0 no cap
	MaxPerRule     int          // training positives per query rule; 0 = auto (3× the mean per rule, at least 300); <0 no cap
	MaxPerRulePair int          // training positives per (query rule, positive rule); 0 = auto (3× the mean, at least 100); <0 no cap
	Seed           uint64       // makes sampling deterministic
}

// DefaultOptions reads close-notes and comments for ServiceNow-style IDs and
// the default explicit link kinds, with the default cues, tie rule, trivial rule and caps (5 partners, 200 pairs per group; sampling caps
// scaled to the archive, see Options.MaxPerRule).
func DefaultOptions() Options {
	m, err := CompilePatterns([]string{"servicenow", "servicenow-any"}, nil)
	if err != nil {
		panic(err) // presets are constants; a failure here is a programming error
	}
	return Options{
		Matcher:       m,
		Fields:        []string{"close_notes", "comments"},
		Trivial:       DefaultTrivialRule(),
		MaxPartners:   5,
		MaxGroupPairs: 200,
		Seed:          1,
	}
}

// Result is everything Mine found, with the counts behind it.
type Result struct {
	Refs    []CrossRef     // every reference to another existing ticket, in ticket and text order; explicit links last per ticket (Field "links")
	Pairs   []Pair         // direct, expanded, trivial and filtered pairs; Training() ones are positives
	Groups  [][]string     // tickets connected by non-trivial links, each ordered by opened time
	Funnel  Funnel         // how many survive each step
	PerRule []RuleStats    // sampling distribution per (query rule, positive rule)
	Missing map[string]int // IDs that are not in the archive, by prefix: "CHG", "INC (missing)"
	Caps    [2]int         // sampling caps applied: per query rule, per (query rule, positive rule); <0 none
	Ties    Ties           // the tie rule applied
	// DateOnly is set when every opened time of the archive is midnight UTC:
	// the export carried dates only, so "same instant" means "same day".
	DateOnly bool
	// SharedInstants is the share of tickets opened at the same instant as
	// another. When the times are date-only or this share is at least one
	// half, they are too coarse to tell a re-fired alert by its time, and the
	// trivial rule's time-gap test is not applied (CoarseTimes).
	SharedInstants float64
	CoarseTimes    bool
	NegatedCues    map[string]int // negated references by cue, lower-cased as written
}

// Funnel counts what survives each step of mining. The first three count
// mentions; the rest count (query, positive) pairs.
type Funnel struct {
	Mentions     int // ID mentions found in the chosen fields
	Existing     int // mentions of a ticket of the archive
	NonSelf      int // of those, mentions of another ticket
	Links        int // distinct linked ticket pairs, from text and link fields
	LinkFields   int // explicit link entries read (Ticket.Links) of a kind in Options.LinkKinds
	LinkMissing  int // of those, naming no other ticket of the archive
	FieldLinks   int // distinct linked pairs with an explicit link field (class linked)
	Negated      int // distinct linked pairs whose only evidence is a negated mention: never positives
	NegatedRefs  int // references with a negated cue
	Reversed     int // links written by the earlier ticket, turned around
	SameInstant  int // links between tickets opened at the same instant (the same day when dates only)
	SameDropped  int // of those, dropped (Options.Ties = TiesDrop); the rest are oriented by data.Earlier
	Trivial      int // links that are trivial duplicates
	NonTrivial   int // positive links left for training
	Blocked      int // expanded pairs not made because a negated mention ties the two tickets
	Unjoined     int // queries citing into two or more groups that no other query ties together: the groups stay apart
	GroupPairs   int // every (later, earlier) pair within a group: what unbounded expansion would give
	Expanded     int // pairs after expansion under the caps (direct + expanded)
	CappedDirect int // direct pairs beyond a cap, kept with a filter
	Sampled      int // training positives after stratified sampling
}

// RuleStats is the sampling distribution for one (query rule, positive rule).
type RuleStats struct {
	QueryRule    string
	PositiveRule string
	Candidates   int // pairs offered to sampling
	Kept         int // pairs kept as training positives
}

// link is the strongest evidence tying two tickets, oriented later → earlier.
// Its class follows the label precedence: an explicit link field, then the
// strongest positive text cue, then a negated mention.
type link struct {
	q, p    int // query (later) and positive (earlier) ticket indexes
	class   Class
	cue     string
	source  int
	dupCue  string // a duplicate-class cue (or a "duplicate" link field) seen between them
	negated bool   // some reference between them is negated
}

// add records one piece of evidence; stronger evidence replaces the class.
func (l *link) add(class Class, cue string, from int) {
	if l.class < 0 || rank(class) > rank(l.class) {
		l.class, l.cue, l.source = class, cue, from
	}
	if class == ClassNegated {
		l.negated = true
	}
}

// rank orders classes by label precedence: linked > duplicate > master >
// procedural > mention > negated.
func rank(c Class) int {
	switch c {
	case ClassLinked:
		return 10
	case ClassNegated:
		return -1
	}
	return int(c)
}

// Mine extracts cross-references from tickets' notes and explicit link
// fields, turns them into positive pairs and reports the funnel.
//
// Direction rule: a positive of a query is always an EARLIER ticket in the
// archive's order (data.Earlier: opened time, then ID). A link written in an
// earlier ticket's note about a later one is turned around so the later
// ticket is the query. Links between tickets opened at the same instant are
// oriented by ID (TiesOrder, the default) or dropped (TiesDrop).
//
// Label precedence between two tickets: an explicit link field beats a
// positive text cue, which beats a negated mention. A pair whose only
// evidence is negated is kept with FilterNegated (never a positive), is never
// expanded through, and stops expansion from pairing the two tickets.
func Mine(tickets []data.Ticket, opts Options) (Result, error) {
	if opts.Matcher == nil {
		return Result{}, fmt.Errorf("mine: options: no ID patterns")
	}
	opts.MaxPartners = orDefault(opts.MaxPartners, 5)
	opts.MaxGroupPairs = orDefault(opts.MaxGroupPairs, 200)
	if len(opts.Fields) == 0 {
		opts.Fields = []string{"close_notes", "comments"}
	}
	for _, f := range opts.Fields {
		if _, err := fieldText(&data.Ticket{}, f); err != nil {
			return Result{}, fmt.Errorf("mine: options: %w", err)
		}
	}
	ties, err := ParseTies(string(opts.Ties))
	if err != nil {
		return Result{}, fmt.Errorf("mine: options: %w", err)
	}
	cueDefs := opts.Cues
	if cueDefs == nil {
		cueDefs = DefaultCues
	}
	cues, err := compileCues(cueDefs)
	if err != nil {
		return Result{}, fmt.Errorf("mine: options: %w", err)
	}
	kinds := linkKindSet(opts.LinkKinds)
	ix, err := newArchiveIndex(tickets)
	if err != nil {
		return Result{}, fmt.Errorf("mine: %w", err)
	}

	res := Result{Missing: map[string]int{}, Ties: ties, DateOnly: DateOnly(tickets), SharedInstants: SharedInstants(tickets), NegatedCues: map[string]int{}}
	res.CoarseTimes = res.DateOnly || res.SharedInstants >= coarseShare
	links := map[[2]int]*link{}
	var order [][2]int // links in discovery order, for determinism
	linkOf := func(from, to int) *link {
		key := [2]int{min(from, to), max(from, to)}
		l := links[key]
		if l == nil {
			l = &link{class: -1, source: from}
			links[key] = l
			order = append(order, key)
		}
		return l
	}
	fieldLinks := map[[2]int]bool{}
	for from := range tickets {
		t := &tickets[from]
		for _, field := range opts.Fields {
			text, _ := fieldText(t, field)
			ms := opts.Matcher.Find(text)
			if len(ms) == 0 {
				continue
			}
			cueTexts, classes := cues.classify(text, ms)
			for i, m := range ms {
				res.Funnel.Mentions++
				to, ok := ix.resolve(m.Raw)
				if !ok {
					res.Missing[ix.missingKey(m)]++
					continue
				}
				res.Funnel.Existing++
				if to == from {
					continue
				}
				res.Funnel.NonSelf++
				if classes[i] == ClassNegated {
					res.Funnel.NegatedRefs++
					res.NegatedCues[strings.ToLower(strings.Join(strings.Fields(cueTexts[i]), " "))]++
				}
				res.Refs = append(res.Refs, CrossRef{
					From: t.ID, To: tickets[to].ID, Field: field, Offset: m.Start, Raw: m.Raw,
					Cue: cueTexts[i], Class: classes[i], Context: excerpt(text, m.Start, m.End),
				})
				l := linkOf(from, to)
				l.add(classes[i], cueTexts[i], from)
				if classes[i] == ClassDuplicate && l.dupCue == "" {
					l.dupCue = cueTexts[i]
				}
			}
		}
		for k, ln := range t.Links {
			kind := strings.ToLower(strings.TrimSpace(ln.Kind))
			if !kinds[kind] && !kinds[AllLinkKinds] {
				continue
			}
			res.Funnel.LinkFields++
			to, ok := ix.resolve(strings.TrimSpace(ln.To))
			if !ok || to == from {
				res.Funnel.LinkMissing++
				continue
			}
			cue := "link: " + kind
			res.Refs = append(res.Refs, CrossRef{From: t.ID, To: tickets[to].ID, Field: "links", Offset: k, Raw: ln.To,
				Cue: cue, Class: ClassLinked, Context: cue + " " + ln.To})
			l := linkOf(from, to)
			l.add(ClassLinked, cue, from)
			if duplicateKinds[kind] && l.dupCue == "" {
				l.dupCue = cue
			}
			fieldLinks[[2]int{min(from, to), max(from, to)}] = true
		}
	}
	res.Funnel.Links = len(links)
	res.Funnel.FieldLinks = len(fieldLinks)

	// Orient, apply the tie rule, split off negated links and trivial duplicates.
	tokens := map[int]data.TokenSet{}
	tok := func(i int) data.TokenSet {
		s, ok := tokens[i]
		if !ok {
			s = data.Tokens(tickets[i].Title + " " + tickets[i].Description)
			tokens[i] = s
		}
		return s
	}
	trivialRule := opts.Trivial
	if res.CoarseTimes {
		trivialRule.MaxGap = 0 // every same-day or same-batch pair would be "0s apart"
	}
	var direct []*link
	blocked := map[[2]int]bool{} // (query, positive) pairs expansion must not make; true when negated, false when trivial
	for _, key := range order {
		l := links[key]
		a, b := key[0], key[1]
		if tickets[a].Opened.Equal(tickets[b].Opened) {
			res.Funnel.SameInstant++
			if ties == TiesDrop {
				res.Funnel.SameDropped++
				continue
			}
		}
		if data.Earlier(tickets[b], tickets[a]) {
			l.q, l.p = a, b
		} else {
			l.q, l.p = b, a
		}
		if l.source == l.p {
			res.Funnel.Reversed++
		}
		if l.class == ClassNegated {
			res.Funnel.Negated++
			blocked[[2]int{l.q, l.p}] = true
			res.Pairs = append(res.Pairs, Pair{
				Query: tickets[l.q].ID, Positive: tickets[l.p].ID, Class: l.class, Cue: l.cue,
				Source: tickets[l.source].ID, Direct: true, Filters: []string{FilterNegated},
			})
			continue
		}
		trivial, why := trivialRule.check(&tickets[l.q], &tickets[l.p], l.dupCue, func() float64 {
			return tok(l.q).Jaccard(tok(l.p))
		})
		if trivial {
			res.Funnel.Trivial++
			blocked[[2]int{l.q, l.p}] = false
			res.Pairs = append(res.Pairs, Pair{
				Query: tickets[l.q].ID, Positive: tickets[l.p].ID, Class: l.class, Cue: l.cue,
				Source: tickets[l.source].ID, Direct: true, Trivial: true, TrivialWhy: why,
				Filters: []string{FilterTrivial},
			})
			continue
		}
		direct = append(direct, l)
	}
	res.Funnel.NonTrivial = len(direct)

	groupPairs, groups := expand(tickets, direct, blocked, opts, ties, &res.Funnel)
	res.Groups = groups
	res.PerRule, res.Caps = sample(tickets, ix, groupPairs, opts)
	res.Pairs = append(res.Pairs, groupPairs...)
	for _, p := range groupPairs {
		if len(p.Filters) == 0 {
			res.Funnel.Sampled++
		}
	}
	sortPairs(res.Pairs, ix)
	return res, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// sortPairs orders pairs by query (oldest first), then positive (nearest
// first); a (query, positive) pair occurs once, so the order is total.
func sortPairs(pairs []Pair, ix *archiveIndex) {
	type keyed struct{ q, p, i int }
	ks := make([]keyed, len(pairs))
	for i, p := range pairs {
		ks[i] = keyed{ix.byID[p.Query], ix.byID[p.Positive], i}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.q != b.q {
			return ix.compare(a.q, b.q)
		}
		return ix.compare(b.p, a.p)
	})
	sorted := make([]Pair, len(pairs))
	for i, k := range ks {
		sorted[i] = pairs[k.i]
	}
	copy(pairs, sorted)
}

// archiveIndex looks up tickets by ID, case-insensitively.
type archiveIndex struct {
	tickets  []data.Ticket
	byID     map[string]int
	byFold   map[string]int
	prefixes map[string]bool
}

func newArchiveIndex(tickets []data.Ticket) (*archiveIndex, error) {
	ix := &archiveIndex{
		tickets:  tickets,
		byID:     make(map[string]int, len(tickets)),
		byFold:   make(map[string]int, len(tickets)),
		prefixes: map[string]bool{},
	}
	for i := range tickets {
		id := tickets[i].ID
		if id == "" {
			return nil, fmt.Errorf("ticket %d: empty ID", i)
		}
		if j, dup := ix.byID[id]; dup {
			return nil, fmt.Errorf("ticket %d: ID %q already used by ticket %d", i, id, j)
		}
		ix.byID[id] = i
		ix.byFold[strings.ToUpper(id)] = i
		ix.prefixes[idPrefix(id)] = true
	}
	return ix, nil
}

// resolve finds the ticket a mention names; "#123" may name ticket "123".
func (ix *archiveIndex) resolve(raw string) (int, bool) {
	if i, ok := ix.byFold[strings.ToUpper(raw)]; ok {
		return i, true
	}
	trimmed := strings.TrimLeftFunc(raw, func(r rune) bool { return !isWord(r) })
	if trimmed != raw && trimmed != "" {
		i, ok := ix.byFold[strings.ToUpper(trimmed)]
		return i, ok
	}
	return 0, false
}

// missingKey is how an unresolved mention is counted: its prefix, marked
// "(missing)" when archive IDs share the prefix (a typo or a purged ticket)
// and bare when the prefix is foreign (a change, a KB article).
func (ix *archiveIndex) missingKey(m Mention) string {
	p := idPrefix(m.ID)
	if p == "" {
		p = m.Pattern
	}
	if ix.prefixes[p] {
		return p + " (missing)"
	}
	return p
}

// compare orders tickets by opened time, then ID.
func (ix *archiveIndex) compare(i, j int) int {
	if c := ix.tickets[i].Opened.Compare(ix.tickets[j].Opened); c != 0 {
		return c
	}
	return strings.Compare(ix.tickets[i].ID, ix.tickets[j].ID)
}

// idPrefix is the leading run of letters of id, upper-cased.
func idPrefix(id string) string {
	i := strings.IndexFunc(id, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') })
	if i < 0 {
		i = len(id)
	}
	return strings.ToUpper(id[:i])
}
