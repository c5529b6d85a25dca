package app

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/retrieve"
)

// The learned ranker's evidence about a (query, candidate) pair, each
// computed as of the query's opening with the one visibility rule
// (data.Ticket.AsOf): the candidate's notes count only once written.
// The fine-tuned cross-encoder's score joins them in the final system (see
// ranker.go), on the window where it is honest.
const (
	featFirstScore   = "first_stage_score" // first-stage score / the list's best
	featFirstRank    = "first_stage_reciprocal_rank"
	featTitle        = "bm25_title"                // query text vs the candidate's title
	featDescription  = "bm25_description"          // query text vs the candidate's description
	featNotes        = "bm25_notes"                // query text vs the candidate's notes and comments written before the query
	featTitleTitle   = "bm25_title_vs_title"       // query title vs candidate title
	featSameRule     = "same_rule"                 // same rule / package / product
	featSameRuleIDF  = "same_rule_rarity"          // same rule, weighted by how rare the rule is: ln(tickets / tickets of the rule)
	featRuleBetween  = "same_rule_tickets_between" // ln(1 + same-rule tickets opened between candidate and query): the latest precedent is nearest
	featSameSeverity = "same_severity"
	featDaysApart    = "log_days_apart" // ln(1 + days between the two openings)
	featHasNotes     = "candidate_has_notes"
	featSharedURL    = "shared_url"                 // the same advisory / link in both tickets' visible text
	featRuleText     = "bm25_description_same_rule" // the description match when the rule is shared: text evidence within a package
	featRuleBest     = "best_text_match_of_rule"    // 1 for the candidate whose description matches best among the list's tickets of the query's rule
	featIDNear       = "id_nearness"                // 1/(1 + ln(1 + |Δ|)) of the two IDs' numbers in one series (INC00123…, CVE-2016-…); 0 across series
	featBiCosine     = "biencoder_cosine"           // the off-the-shelf bi-encoder's cosine of the query's text and the candidate's opening text (0 where not embedded)
	// Conjunctions a linear ranker cannot form from the parts: the same
	// rule AND near in time, near in the ID series, or close in meaning.
	featRuleRecent = "same_rule_x_recency"     // same rule × 1/(1 + ln(1 + days apart))
	featRuleIDNear = "same_rule_x_id_nearness" // same rule × id_nearness
	featRuleCosine = "same_rule_x_bi_cosine"   // same rule × biencoder_cosine
)

// entityFeature names the shared-entity feature of a kind.
func entityFeature(k pairtext.Kind) string { return "shared_" + k.String() }

// evidenceFeatures is the feature order of the ranker's rows (a fresh
// slice the caller may keep).
func evidenceFeatures() []string { return slices.Clone(featureOrder) }

// featureOrder is the feature order of the ranker's rows, and featureCol each
// feature's column in it.
var (
	featureOrder = buildFeatureOrder()
	featureCol   = func() map[string]int {
		m := map[string]int{}
		for i, f := range featureOrder {
			m[f] = i
		}
		return m
	}()
)

func buildFeatureOrder() []string {
	f := []string{featFirstScore, featFirstRank, featTitle, featDescription, featNotes, featTitleTitle,
		featSameRule, featSameRuleIDF, featRuleBetween, featSameSeverity, featDaysApart, featHasNotes, featSharedURL, featIDNear, featRuleText, featRuleBest, featBiCosine,
		featRuleRecent, featRuleIDNear, featRuleCosine}
	for _, k := range pairtext.Kinds() {
		f = append(f, entityFeature(k))
	}
	return f
}

// A URL in more than pairtext.StopShare of the tickets (sampled), and in
// at least stopURLMin, is a portal every ticket links to: like a
// stop-entity, never counted as shared evidence.
const stopURLMin = 10

// Field-wise BM25 constants (Lucene's).
const (
	fieldK1 = 1.2
	fieldB  = 0.75
)

// textField indexes one ticket field for field-wise BM25: document
// frequencies and the mean length over the archive. Corpus statistics only
// (never a document) come from the whole archive, as in the first stage.
type textField struct {
	df     map[string]int
	avgLen float64
	n      int
}

func newTextField(texts []string) textField {
	f := textField{df: map[string]int{}, n: len(texts)}
	total := 0
	for _, t := range texts {
		toks := retrieve.Tokenize(t)
		total += len(toks)
		seen := map[string]bool{}
		for _, w := range toks {
			if !seen[w] {
				seen[w] = true
				f.df[w]++
			}
		}
	}
	if f.n > 0 {
		f.avgLen = float64(total) / float64(f.n)
	}
	if f.avgLen == 0 {
		f.avgLen = 1
	}
	return f
}

// score is BM25 of the query terms (unique) against one field's text.
func (f textField) score(query []string, text string) float64 {
	if text == "" || len(query) == 0 {
		return 0
	}
	return f.scoreCounts(query, countTerms(text))
}

// scoreCounts is score over a text's term counts.
func (f textField) scoreCounts(query []string, tc termCounts) float64 {
	if tc.len == 0 || len(query) == 0 {
		return 0
	}
	norm := fieldK1 * (1 - fieldB + fieldB*float64(tc.len)/f.avgLen)
	s := 0.0
	for _, w := range query {
		c := tc.tf[w]
		if c == 0 {
			continue
		}
		df := float64(f.df[w])
		idf := math.Log(1 + (float64(f.n)-df+0.5)/(df+0.5))
		s += idf * float64(c) * (fieldK1 + 1) / (float64(c) + norm)
	}
	return s
}

// evidence computes feature rows over one archive. Build it once per
// evaluation (newEvidence); rows are pure functions of it.
type evidence struct {
	a                  *archive
	title, desc, notes textField
	ruleCount          map[string]int
	ruleTimes          map[string][]time.Time // opened times of a rule's tickets, ascending
	stopEnt            map[pairtext.Entity]bool
	stopURL            map[string]bool
	// Per ticket, computed on first use: opening-time entities and the
	// term counts of title and description (neither depends on the query).
	cache map[int]*ticketTerms
	// The off-the-shelf bi-encoder's unit vectors of query texts and of
	// candidates' opening texts, by ticket ID (see Project.embedEvidence);
	// empty when not embedded, and the cosine feature is then 0.
	queryVec, docVec map[string][]float32
}

type ticketTerms struct {
	entities           pairtext.EntitySet
	title, description termCounts
}

// termCounts is a text's term frequencies and length, for field BM25.
type termCounts struct {
	tf  map[string]int32
	len int
}

func countTerms(text string) termCounts {
	toks := retrieve.Tokenize(text)
	tf := make(map[string]int32, len(toks))
	for _, w := range toks {
		tf[w]++
	}
	return termCounts{tf: tf, len: len(toks)}
}

func (e *evidence) terms(i int) *ticketTerms {
	if c, ok := e.cache[i]; ok {
		return c
	}
	t := e.a.Tickets[i]
	c := &ticketTerms{entities: pairtext.Entities(t), title: countTerms(t.Title), description: countTerms(t.Description)}
	e.cache[i] = c
	return c
}

// maxStatTickets bounds the tickets sampled (evenly) for the stop-URL
// statistics: a share is estimated as well from 5,000 tickets as from all.
const maxStatTickets = 5000

// newEvidence indexes a for feature rows; stops are the project's
// stop-entities (Project.StopEntities), never counted as shared evidence.
func newEvidence(a *archive, stops pairtext.Stops) *evidence {
	n := len(a.Tickets)
	titles, descs, notes := make([]string, n), make([]string, n), make([]string, n)
	e := &evidence{a: a, ruleCount: map[string]int{}, ruleTimes: map[string][]time.Time{}, stopEnt: stops, stopURL: map[string]bool{}, cache: map[int]*ticketTerms{}}
	urlDF := map[string]int{}
	step := max(1, n/maxStatTickets)
	sampled := 0
	for i, t := range a.Tickets {
		titles[i], descs[i], notes[i] = t.Title, t.Description, t.NotesText()
		if t.Rule != "" {
			e.ruleCount[t.Rule]++
			e.ruleTimes[t.Rule] = append(e.ruleTimes[t.Rule], t.Opened)
		}
		if i%step != 0 {
			continue
		}
		sampled++
		for _, u := range ticketURLs(t) {
			urlDF[u]++
		}
	}
	for _, ts := range e.ruleTimes {
		slices.SortFunc(ts, func(x, y time.Time) int { return x.Compare(y) })
	}
	limit := max(pairtext.StopShare*float64(sampled), stopURLMin*float64(sampled)/float64(max(n, 1)))
	for u, c := range urlDF {
		if float64(c) > limit {
			e.stopURL[u] = true
		}
	}
	e.title, e.desc, e.notes = newTextField(titles), newTextField(descs), newTextField(notes)
	return e
}

var urlRE = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>()\[\]{}]+`)

// ticketURLs are the distinct URLs of a ticket's text as given (apply AsOf
// first), normalised: scheme, query and fragment dropped, host lower-cased,
// trailing punctuation trimmed.
func ticketURLs(t data.Ticket) []string {
	var out []string
	for _, m := range urlRE.FindAllString(t.DocumentText(), -1) {
		u := strings.TrimRight(m, ".,;:!?'\"")
		u = u[strings.Index(u, "://")+3:]
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		u = strings.TrimRight(u, "/")
		if i := strings.IndexByte(u, '/'); i >= 0 {
			u = strings.ToLower(u[:i]) + u[i:]
		} else {
			u = strings.ToLower(u)
		}
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// queryEvidence is what rows need of one query, computed once per list.
type queryEvidence struct {
	t        data.Ticket
	terms    []string // unique tokens of the query text (IDs masked)
	titles   []string // unique tokens of the query title
	entities pairtext.EntitySet
	urls     []string
}

func (e *evidence) query(t data.Ticket, text string) queryEvidence {
	return queryEvidence{t: t, terms: uniqueTokens(text), titles: uniqueTokens(t.Title), entities: pairtext.Entities(t), urls: ticketURLs(t.Opening())}
}

func uniqueTokens(s string) []string {
	toks := retrieve.Tokenize(s)
	sort.Strings(toks)
	return slices.Compact(toks)
}

// rows computes the feature rows of one query's list, in list order.
func (e *evidence) rows(q queryEvidence, list []negatives.Candidate) [][]float64 {
	best := 0.0
	for _, c := range list {
		best = max(best, float64(c.Score))
	}
	out := make([][]float64, len(list))
	for i, c := range list {
		at, ok := e.a.Index[c.ID]
		row := make([]float64, len(featureOrder))
		out[i] = row
		if !ok {
			continue
		}
		v := e.a.Tickets[at].AsOf(q.t.Opened)
		tt := e.terms(at)
		j := 0
		put := func(x float64) { row[j] = x; j++ }
		if best > 0 {
			put(float64(c.Score) / best)
		} else {
			put(0)
		}
		put(1 / float64(max(c.Rank, 1)))
		put(e.title.scoreCounts(q.terms, tt.title))
		put(e.desc.scoreCounts(q.terms, tt.description))
		put(e.notes.score(q.terms, v.NotesText()))
		put(e.title.scoreCounts(q.titles, tt.title))
		same := q.t.Rule != "" && q.t.Rule == v.Rule
		put(b2f(same))
		if same {
			put(math.Log(float64(len(e.a.Tickets)) / float64(max(e.ruleCount[v.Rule], 1))))
			put(math.Log1p(float64(e.between(v.Rule, v.Opened, q.t.Opened))))
		} else {
			put(0)
			put(0)
		}
		put(b2f(q.t.Severity != "" && strings.EqualFold(q.t.Severity, v.Severity)))
		logDaysApart := math.Log1p(math.Abs(q.t.Opened.Sub(v.Opened).Hours()) / 24)
		put(logDaysApart)
		put(b2f(v.NotesText() != ""))
		shared := 0
		if len(q.urls) > 0 {
			for _, u := range ticketURLs(v) {
				if !e.stopURL[u] && slices.Contains(q.urls, u) {
					shared++
				}
			}
		}
		put(float64(min(shared, 3)))
		idNear := idNearness(q.t.ID, v.ID)
		put(idNear)
		if same {
			put(row[featureCol[featDescription]])
		} else {
			put(0)
		}
		put(0) // featRuleBest: set below, once every row is known
		qv, dv := e.queryVec[q.t.ID], e.docVec[c.ID]
		cos := 0.0
		if qv != nil && dv != nil {
			cos = cosine(qv, dv)
		}
		put(cos)
		if same {
			put(1 / (1 + logDaysApart))
			put(idNear)
			put(cos)
		} else {
			put(0)
			put(0)
			put(0)
		}
		counts := make(map[pairtext.Kind]int)
		for _, x := range q.entities.Shared(tt.entities) {
			if !e.stopEnt[x] {
				counts[x.Kind]++
			}
		}
		for _, k := range pairtext.Kinds() {
			put(float64(min(counts[k], 3)))
		}
	}
	// The best description match among the candidates of the query's rule.
	desc, ruleText, bestCol := featureCol[featDescription], featureCol[featRuleText], featureCol[featRuleBest]
	top := -1
	for i, row := range out {
		if row[ruleText] > 0 && (top < 0 || row[desc] > out[top][desc]) {
			top = i
		}
	}
	if top >= 0 {
		out[top][bestCol] = 1
	}
	return out
}

// between counts the tickets of rule opened strictly between from and to.
func (e *evidence) between(rule string, from, to time.Time) int {
	ts := e.ruleTimes[rule]
	lo := sort.Search(len(ts), func(i int) bool { return ts[i].After(from) })
	hi := sort.Search(len(ts), func(i int) bool { return !ts[i].Before(to) })
	return max(hi-lo, 0)
}

// idNearness compares two IDs of one numbered series: the same text before
// a trailing number (INC0012345 and INC0012350; CVE-2016-4796 and
// CVE-2016-4797). Source systems number tickets as they open, so near
// numbers were filed together; 0 when the IDs are not of one series.
func idNearness(a, b string) float64 {
	pa, na, ok1 := splitSeries(a)
	pb, nb, ok2 := splitSeries(b)
	if !ok1 || !ok2 || pa != pb {
		return 0
	}
	d := na - nb
	if d < 0 {
		d = -d
	}
	return 1 / (1 + math.Log1p(float64(d)))
}

// splitSeries splits an ID into the text before its trailing number and the
// number (at most 15 digits).
func splitSeries(id string) (string, int64, bool) {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	if i == len(id) || len(id)-i > 15 {
		return "", 0, false
	}
	var n int64
	for _, c := range id[i:] {
		n = n*10 + int64(c-'0')
	}
	return id[:i], n, true
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
