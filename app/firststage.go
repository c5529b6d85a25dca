package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/retrieve"
)

const (
	collCandidates = "candidates"
	metaFirstStage = "first_stage"
)

// First-stage defaults, as DefaultFirstStageOptions holds them.
const (
	DefaultFirstStageK = 50 // candidates per query
	DefaultPivot       = 10 // entity-pivot candidates per query
	DefaultRulePivot   = 10 // same-rule candidates per query
)

// The first stages, by FirstStageOptions.Source.
const (
	SourceBM25      = "bm25"
	SourceBiEncoder = "bi-encoder"
	SourceVectors   = "vectors"
)

// FirstStageOptions choose the first stage and how deep it retrieves. Zero
// K and MaxLen take DefaultFirstStageOptions'; a zero pivot is off.
type FirstStageOptions struct {
	Source      string `json:"source"`                 // bm25, bi-encoder, vectors ("" = the project's setting, default bm25)
	K           int    `json:"k"`                      // candidates per query
	Model       string `json:"model,omitempty"`        // bi-encoder checkpoint folder
	Layers      int    `json:"layers,omitempty"`       // bi-encoder: keep only the first N layers (CPU speed)
	MaxLen      int    `json:"max_len,omitempty"`      // bi-encoder: tokens embedded per ticket
	Float16     bool   `json:"float16,omitempty"`      // store and search embeddings as half floats: half the memory
	Pivot       int    `json:"pivot"`                  // per query, add up to this many earlier tickets sharing a user/host/IP within 30 days (0 = off)
	RulePivot   int    `json:"rule_pivot"`             // per query, add up to this many of the most recent earlier tickets of its rule (0 = off)
	VectorsPath string `json:"vectors_path,omitempty"` // imported vectors: .jsonl, or .npy with IDsPath
	IDsPath     string `json:"ids_path,omitempty"`
}

// DefaultFirstStageOptions are the first stage the CLI, the demo and the
// desktop run unless told otherwise: 50 candidates per query, a bi-encoder
// reading 128 tokens per ticket, and both pivots adding up to 10 tickets
// each (a zero pivot is off, so these two are not what a zero takes).
// Source stays empty: the project's setting (Settings.FirstStage).
func DefaultFirstStageOptions() FirstStageOptions {
	return FirstStageOptions{K: DefaultFirstStageK, MaxLen: embedMaxLen, Pivot: DefaultPivot, RulePivot: DefaultRulePivot}
}

// withDefaults fills a zero K; a zero MaxLen is left to the embedder, which
// reads it as embedMaxLen.
func (o FirstStageOptions) withDefaults() FirstStageOptions {
	fillInt(&o.K, DefaultFirstStageOptions().K)
	return o
}

// Validate says which option is out of range (an *OptionError naming its
// JSON field), or returns nil. Zero values are valid. The files are
// checked where the source is known (it may be the project's setting):
// vectors without a file fail the first stage, naming --vectors.
func (o FirstStageOptions) Validate() error {
	d := DefaultFirstStageOptions()
	return firstBadField(
		fieldCheck{slices.Contains([]string{"", SourceBM25, SourceBiEncoder, SourceVectors}, o.Source), "source", o.Source,
			"bm25, bi-encoder or vectors (empty = the project's setting)"},
		fieldCheck{o.K >= 0, "k", o.K, fmt.Sprintf("candidates per query, 1 or more (0 = %d)", d.K)},
		fieldCheck{o.Layers >= 0 && o.Layers <= maxKeepLayers, "layers", o.Layers, fmt.Sprintf("0 (all) to %d", maxKeepLayers)},
		fieldCheck{o.MaxLen == 0 || (o.MaxLen >= minRunMaxLen && o.MaxLen <= maxRunMaxLen), "max_len", o.MaxLen,
			fmt.Sprintf("%d to %d tokens (0 = %d)", minRunMaxLen, maxRunMaxLen, d.MaxLen)},
		fieldCheck{o.Pivot >= 0, "pivot", o.Pivot, "0 (off) or more tickets per query"},
		fieldCheck{o.RulePivot >= 0, "rule_pivot", o.RulePivot, "0 (off) or more tickets per query"},
	)
}

// QueryCandidates is one query's stored candidate list with its relevant set.
type QueryCandidates struct {
	Query      string                `json:"query"`
	Window     string                `json:"window"`
	Rule       string                `json:"rule"`
	Candidates []negatives.Candidate `json:"candidates"`
	Relevant   []string              `json:"relevant"` // mined positives (non-trivial), the labels for evaluation
}

// FirstStageResult reports what the first stage retrieved.
type FirstStageResult struct {
	Options FirstStageOptions  `json:"options"`
	Queries map[string]int     `json:"queries"`    // per window
	Recall  map[string]float64 `json:"recall@k"`   // per window: share of relevant tickets within the top k
	HitRate map[string]float64 `json:"hit_rate@k"` // per window: share of queries with a relevant ticket in the top k (the MRR ceiling)
	MRR10   map[string]float64 `json:"mrr@10"`     // per window, first-stage order
	Seconds float64            `json:"seconds"`
	Docs    int                `json:"docs"`    // indexed documents: one per version of each ticket (see data.Ticket.Versions)
	Tickets int                `json:"tickets"` // tickets of the archive
	// TrivialDropped counts trivial duplicates of a query removed from its list.
	TrivialDropped int `json:"trivial_dropped"`
	// RulePivot says whether the rule pivot was kept, and why (Options.RulePivot
	// is 0 when it was not).
	RulePivot string `json:"rule_pivot_choice,omitempty"`
}

// evalRelevant reports whether a mined pair is a label for evaluation: a
// non-trivial link of a positive class (never a negated mention), whether or
// not the training caps and sampling kept it as a training positive.
func evalRelevant(p StoredPair) bool { return p.Relevant() }

// relevance returns, per query, its relevant earlier tickets (evalRelevant)
// and its window, and per query the trivial duplicates to leave out of its
// list. Validation and test queries are every query of their window with a
// relevant link — what an analyst would search for — independent of the
// training caps; train-window queries are those with training positives,
// the ones negatives are mined for.
func relevance(pairs []StoredPair, a *archive, w split.Windows) (rel map[string][]string, win map[string]string, trivial map[string][]string) {
	rel, win, trivial = map[string][]string{}, map[string]string{}, map[string][]string{}
	for _, p := range pairs {
		q, ok1 := a.get(p.Query)
		d, ok2 := a.get(p.Positive)
		if !ok1 || !ok2 || !split.Allowed(q, d) {
			continue
		}
		if !evalRelevant(p) {
			if p.Trivial || slices.Contains(p.Filters, mining.FilterTrivial) {
				trivial[p.Query] = append(trivial[p.Query], p.Positive)
			}
			continue
		}
		rel[p.Query] = append(rel[p.Query], p.Positive)
		switch qw := w.Of(q.Opened); {
		case p.Window != "":
			win[p.Query] = p.Window
		case qw != split.Train && win[p.Query] == "":
			win[p.Query] = qw.String()
		}
	}
	return rel, win, trivial
}

// dropTrivial removes a query's trivial duplicates (the same alert again,
// minutes later) from its candidate list and renumbers the ranks. They are
// neither a hit nor a miss: not what a reranker is for, and counted either
// way they would distort the figures.
func dropTrivial(list []negatives.Candidate, trivial []string) ([]negatives.Candidate, int) {
	if len(trivial) == 0 {
		return list, 0
	}
	out := list[:0]
	dropped := 0
	for _, c := range list {
		if slices.Contains(trivial, c.ID) {
			dropped++
			continue
		}
		c.Rank = len(out) + 1
		out = append(out, c)
	}
	return out, dropped
}

// queryText is what the first stage and the reranker see of a query: what
// was known when it opened, with ticket IDs masked.
func (p *Project) queryText(t data.Ticket, m *mining.Matcher) string {
	f := split.QueryFields{}
	for _, x := range p.queryFields() {
		switch x {
		case "rule":
			f.Rule = true
		case "host":
			f.Host = true
		case "user":
			f.User = true
		}
	}
	return split.MaskIDs(split.QueryText(t, f), m)
}

// queryFields is Settings.QueryFields, read under the settings lock without
// copying the rest: queryText runs once per ticket.
func (p *Project) queryFields() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.settings.QueryFields // never modified in place: UpdateSettings swaps in a copy
}

// firstStageQuery is what the first stage searches with: the query's title
// and description (IDs masked) and its entity keys. The rule name is left
// out on purpose: it would pull same-rule lookalikes above the cross-rule
// precedents the reranker most needs to see.
func firstStageQuery(t data.Ticket, m *mining.Matcher) string {
	return split.MaskIDs(split.QueryText(t, split.QueryFields{Host: true, User: true}), m) + "\n" + entityKeys(t)
}

// docText is what the first stage indexes of a ticket as a query may see it
// (one version, see data.Ticket.Versions): its text, its analysts' notes
// when visible, and the canonical keys of its entities.
func docText(t data.Ticket) string {
	return strings.Join([]string{t.Title, t.Description, t.Host, t.User, t.NotesText(), entityKeys(t)}, "\n")
}

// bm25Docs indexes every version of every ticket, so each query sees each
// candidate's text as of the query's own time — close-notes and comments only
// once written — without re-indexing per query.
func bm25Docs(tickets []data.Ticket) []retrieve.Doc {
	docs := make([]retrieve.Doc, 0, len(tickets)+len(tickets)/2)
	for _, t := range tickets {
		for i, v := range t.Versions() {
			docs = append(docs, retrieve.Doc{ID: t.ID, Text: docText(v.Ticket), Opened: v.From, Until: v.Until, Strict: i > 0})
		}
	}
	return docs
}

// entityKeys writes a ticket's entity match keys as single tokens
// ("user:e.nielsen" → "zzuserenielsen"), so the same user or host written
// differently by two products matches in BM25.
func entityKeys(t data.Ticket) string {
	keys := pairtext.MatchKeys(pairtext.Entities(t))
	for i, k := range keys {
		keys[i] = "zz" + strings.Replace(k, ":", "", 1)
	}
	return strings.Join(keys, " ")
}

// FirstStage retrieves the top-k earlier tickets of every query with mined
// positives (train, validation and test windows) and stores the lists, so
// negatives and every reranker comparison use the identical candidates.
func (p *Project) FirstStage(ctx context.Context, o FirstStageOptions, progress Progress) (FirstStageResult, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return FirstStageResult{}, fmt.Errorf("first stage: %w", err)
	}
	o = o.withDefaults()
	o.Source = pick(o.Source, p.SettingsSnapshot().FirstStage, DefaultSettings().FirstStage)
	a, queries, rel, win, trivial, err := p.firstStageQueries()
	if err != nil {
		return FirstStageResult{}, err
	}

	var ix retrieve.Index
	switch o.Source {
	case SourceBM25:
		progress.emit(Event{Step: "first-stage", Phase: "index", Message: fmt.Sprintf("BM25 over %d tickets", len(a.Tickets))})
		ix, err = retrieve.NewBM25(bm25Docs(a.Tickets), retrieve.BM25Params{})
	case SourceBiEncoder, SourceVectors:
		ix, queries, err = p.denseIndex(ctx, a, queries, o, progress)
	default:
		err = fmt.Errorf("unknown first stage %q (bm25, bi-encoder, vectors)", o.Source)
	}
	if err != nil {
		return FirstStageResult{}, fmt.Errorf("first stage: %w", err)
	}
	cands, err := ix.SearchBatch(ctx, queries, o.K, func(done, total int) {
		progress.emit(Event{Step: "first-stage", Phase: "search", Done: int64(done), Total: int64(total)})
	})
	if err != nil {
		return FirstStageResult{}, fmt.Errorf("first stage: %w", err)
	}
	if o.Pivot > 0 {
		progress.emit(Event{Step: "first-stage", Phase: "pivot", Message: "adding tickets that share a user, host or IP"})
		stops, err := p.StopEntities()
		if err != nil {
			return FirstStageResult{}, fmt.Errorf("first stage: %w", err)
		}
		entityPivot(a, queries, cands, o.K, o.Pivot, 30*24*time.Hour, stops)
	}
	var pivotWhy string
	if o.RulePivot > 0 {
		progress.emit(Event{Step: "first-stage", Phase: "pivot", Message: "adding the latest tickets of the same rule"})
		var used bool
		cands, used, pivotWhy = chooseRulePivot(a, queries, cands, o.K, o.RulePivot, rel, win)
		if !used {
			o.RulePivot = 0
		}
	}
	res := FirstStageResult{Options: o, Queries: map[string]int{}, Recall: map[string]float64{}, HitRate: map[string]float64{}, MRR10: map[string]float64{}, Docs: ix.Len(), Tickets: len(a.Tickets), RulePivot: pivotWhy}
	recs := make([]store.Record, len(queries))
	hits := map[string]float64{}
	for i, q := range queries {
		t, _ := a.get(q.ID)
		list, dropped := dropTrivial(cands[i], trivial[q.ID])
		res.TrivialDropped += dropped
		qc := QueryCandidates{Query: q.ID, Window: win[q.ID], Rule: t.Rule, Candidates: list, Relevant: rel[q.ID]}
		recs[i] = store.Record{Key: q.ID, Value: qc}
		w := qc.Window
		res.Queries[w]++
		found, rr := 0, 0.0
		relSet := map[string]bool{}
		for _, r := range qc.Relevant {
			relSet[r] = true
		}
		for _, c := range qc.Candidates {
			if relSet[c.ID] {
				found++
				if rr == 0 && c.Rank <= 10 {
					rr = 1 / float64(c.Rank)
				}
			}
		}
		res.Recall[w] += float64(found) / float64(len(relSet))
		if found > 0 {
			res.HitRate[w]++
		}
		hits[w] += rr
	}
	for w, n := range res.Queries {
		res.Recall[w] /= float64(n)
		res.HitRate[w] /= float64(n)
		res.MRR10[w] = hits[w] / float64(n)
	}
	if err := p.Store.ReplaceCollection(collCandidates, recs); err != nil {
		return FirstStageResult{}, fmt.Errorf("first stage: save: %w", err)
	}
	res.Seconds = time.Since(start).Seconds()
	if err := p.Store.SetMeta(metaFirstStage, res); err != nil {
		return FirstStageResult{}, err
	}
	progress.emit(Event{Step: "first-stage", Phase: "search", Done: int64(len(queries)), Total: int64(len(queries)), Final: true})
	return res, nil
}

// firstStageQueries loads the archive and builds, sorted by ID, the query of
// every ticket with mined positives in a window, with each query's relevant
// tickets and window.
func (p *Project) firstStageQueries() (*archive, []retrieve.Query, map[string][]string, map[string]string, map[string][]string, error) {
	a, err := p.loadArchive()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	pairs, err := p.Pairs()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	mined, ok, err := p.LastMine()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if len(pairs) == 0 || !ok {
		return nil, nil, nil, nil, nil, fmt.Errorf("first stage: no mined pairs: run mining first (precedent mine)")
	}
	m, err := p.matcher()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	rel, win, trivial := relevance(pairs, a, mined.Split)
	var queries []retrieve.Query
	for qid, w := range win {
		if w == "" {
			continue
		}
		t, _ := a.get(qid)
		queries = append(queries, retrieve.Query{ID: qid, Text: firstStageQuery(t, m), Before: t.Opened})
	}
	slices.SortFunc(queries, func(x, y retrieve.Query) int { return strings.Compare(x.ID, y.ID) })
	return a, queries, rel, win, trivial, nil
}

// Candidates returns the stored candidate lists of one window ("" = all).
func (p *Project) Candidates(window string) ([]QueryCandidates, error) {
	var out []QueryCandidates
	err := forEachJSON(p.Store, collCandidates, func(_ string, qc QueryCandidates) error {
		if window == "" || qc.Window == window {
			out = append(out, qc)
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		n, _ := p.Store.CountRecords(collCandidates)
		if n == 0 {
			return nil, fmt.Errorf("no candidate lists: run the first stage first (precedent firststage)")
		}
	}
	return out, err
}

// matcher compiles the project's ID patterns as mining used them.
func (p *Project) matcher() (*mining.Matcher, error) {
	return mining.CompilePatterns(p.idPatterns())
}
