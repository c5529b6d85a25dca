package app

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/ltr"
	"github.com/precedent/precedent/ml/retrieve"
)

func TestIDNearness(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"INC0012345", "INC0012345", 1},
		{"CVE-2016-4796", "CVE-2016-4797", 1 / (1 + 0.6931471805599453)},
		{"CVE-2016-4796", "CVE-2017-4796", 0}, // another series
		{"SEC-12", "INC-12", 0},
		{"abc", "abd", 0}, // no number
		{"X1234567890123456789", "X1", 0},
	} {
		assert.InDelta(t, c.want, idNearness(c.a, c.b), 1e-12, "%s %s", c.a, c.b)
	}
	assert.Greater(t, idNearness("INC100", "INC101"), idNearness("INC100", "INC200"))
}

func TestTicketURLs(t *testing.T) {
	tk := data.Ticket{Description: "see https://GitHub.com/LibVNC/libvncserver/issues/359#issuecomment-1, and http://example.org/a?x=1.",
		CloseNotes: "dup: https://github.com/LibVNC/libvncserver/issues/359"}
	assert.Equal(t, []string{"github.com/LibVNC/libvncserver/issues/359", "example.org/a"}, ticketURLs(tk))
	assert.Empty(t, ticketURLs(data.Ticket{Description: "no links here"}))
}

func TestTextFieldBM25(t *testing.T) {
	f := newTextField([]string{"heap overflow in parser", "use after free in parser", "overflow overflow", ""})
	q := uniqueTokens("heap overflow")
	assert.Greater(t, f.score(q, "heap overflow in parser"), f.score(q, "use after free in parser"))
	assert.Zero(t, f.score(q, ""))
	assert.Zero(t, f.score(nil, "heap"))
	// A rarer term weighs more: "heap" (1 doc) beats "parser" (2 docs).
	assert.Greater(t, f.score(uniqueTokens("heap"), "heap x"), f.score(uniqueTokens("parser"), "parser x"))
}

func day(n int) time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

func testArchive(ts ...data.Ticket) *archive {
	a := &archive{Tickets: ts, Index: map[string]int{}}
	for i, t := range ts {
		a.Index[t.ID] = i
	}
	return a
}

func TestRulePivot(t *testing.T) {
	a := testArchive(
		data.Ticket{ID: "A1", Rule: "r1", Opened: day(0)},
		data.Ticket{ID: "A2", Rule: "r1", Opened: day(1)},
		data.Ticket{ID: "B1", Rule: "r2", Opened: day(2)},
		data.Ticket{ID: "A3", Rule: "r1", Opened: day(3)},
		data.Ticket{ID: "Q", Rule: "r1", Opened: day(4)},
		data.Ticket{ID: "A4", Rule: "r1", Opened: day(5)}, // later: never a candidate
	)
	qs := []retrieve.Query{{ID: "Q"}}
	for _, c := range []struct {
		name     string
		list     []string
		k, add   int
		wantList []string
	}{
		{"most recent first, what the list lacks", []string{"B1", "A3"}, 5, 2, []string{"B1", "A3", "A2", "A1"}},
		{"replaces the tail to keep k", []string{"B1", "X", "Y"}, 3, 2, []string{"B1", "A3", "A2"}},
		{"at most add", nil, 10, 1, []string{"A3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var list []negatives.Candidate
			for i, id := range c.list {
				list = append(list, negatives.Candidate{ID: id, Score: float32(10 - i), Rank: i + 1})
			}
			cands := [][]negatives.Candidate{list}
			rulePivot(a, qs, cands, c.k, c.add)
			var got []string
			for i, x := range cands[0] {
				got = append(got, x.ID)
				assert.Equal(t, i+1, x.Rank)
			}
			assert.Equal(t, c.wantList, got)
		})
	}
}

func TestEvidenceRows(t *testing.T) {
	a := testArchive(
		data.Ticket{ID: "CVE-1", Rule: "openssl", Severity: "high", Opened: day(0), Title: "heap overflow", Description: "heap overflow in the asn1 parser", CloseNotes: "fixed"},
		data.Ticket{ID: "CVE-2", Rule: "zlib", Severity: "low", Opened: day(1), Title: "inflate bug", Description: "bug in inflate"},
		data.Ticket{ID: "CVE-3", Rule: "openssl", Severity: "high", Opened: day(10), Title: "incomplete fix", Description: "heap overflow in the asn1 parser again"},
	)
	ev := newEvidence(a, nil)
	q, _ := a.get("CVE-3")
	rows := ev.rows(ev.query(q, q.QueryText()), []negatives.Candidate{{ID: "CVE-1", Score: 4, Rank: 1}, {ID: "CVE-2", Score: 2, Rank: 2}})
	feats := evidenceFeatures()
	col := func(name string) int {
		for i, f := range feats {
			if f == name {
				return i
			}
		}
		t.Fatalf("no feature %s", name)
		return -1
	}
	require.Len(t, rows, 2)
	assert.Equal(t, 1.0, rows[0][col(featFirstScore)])
	assert.Equal(t, 0.5, rows[1][col(featFirstScore)])
	assert.Equal(t, 0.5, rows[1][col(featFirstRank)])
	assert.Equal(t, 1.0, rows[0][col(featSameRule)])
	assert.Equal(t, 0.0, rows[1][col(featSameRule)])
	assert.Equal(t, 1.0, rows[0][col(featSameSeverity)])
	assert.Greater(t, rows[0][col(featDescription)], rows[1][col(featDescription)])
	assert.InDelta(t, 0.0, rows[0][col(featRuleBetween)], 1e-12)
	// CVE-1 never closed: its note is not visible to a later query.
	assert.Equal(t, 0.0, rows[0][col(featHasNotes)])
	assert.Equal(t, 0.0, rows[0][col(featNotes)])
	assert.Greater(t, rows[1][col(featDaysApart)], 0.0)
	assert.Less(t, rows[1][col(featDaysApart)], rows[0][col(featDaysApart)])
	// Conjunctions hold only within the query's rule.
	assert.InDelta(t, 1/(1+math.Log1p(10)), rows[0][col(featRuleRecent)], 1e-12)
	assert.Equal(t, idNearness("CVE-3", "CVE-1"), rows[0][col(featRuleIDNear)])
	assert.Greater(t, rows[0][col(featRuleIDNear)], 0.0)
	for _, f := range []string{featRuleRecent, featRuleIDNear, featRuleCosine} {
		assert.Equal(t, 0.0, rows[1][col(f)], f+" across rules")
	}
	// Without vectors the cosine is 0; with them, the dot product of the
	// query's and the candidate's unit vectors, and its same-rule copy.
	assert.Equal(t, 0.0, rows[0][col(featBiCosine)])
	ev.queryVec = map[string][]float32{"CVE-3": {0.6, 0.8}}
	ev.docVec = map[string][]float32{"CVE-1": {1, 0}, "CVE-2": {0, 1}}
	rows = ev.rows(ev.query(q, q.QueryText()), []negatives.Candidate{{ID: "CVE-1", Score: 4, Rank: 1}, {ID: "CVE-2", Score: 2, Rank: 2}})
	assert.InDelta(t, 0.6, rows[0][col(featBiCosine)], 1e-6)
	assert.InDelta(t, 0.8, rows[1][col(featBiCosine)], 1e-6)
	assert.InDelta(t, 0.6, rows[0][col(featRuleCosine)], 1e-6)
	assert.Equal(t, 0.0, rows[1][col(featRuleCosine)])
}

func TestRankerFoldsRollForward(t *testing.T) {
	var qs []rankerQuery
	for i := range 100 {
		qs = append(qs, rankerQuery{t: data.Ticket{ID: fmt.Sprintf("Q%03d", i), Opened: day(99 - i)},
			ltr: ltr.Query{Rows: [][]float64{{float64(i)}, {0}}, Relevant: []bool{true, false}}})
	}
	folds := rankerFolds(qs, 4)
	require.Len(t, folds, 4)
	total := 0
	for i, f := range folds {
		assert.Len(t, f.Valid, 12+(i%2), "the later half in four periods")
		assert.Equal(t, 50+total, len(f.Train), "trains on everything before its period")
		total += len(f.Valid)
		// Every training query is older than every validation query.
		maxTrain, minValid := -1.0, 1e9
		for _, q := range f.Train {
			maxTrain = max(maxTrain, 99-q.Rows[0][0])
		}
		for _, q := range f.Valid {
			minValid = min(minValid, 99-q.Rows[0][0])
		}
		assert.Less(t, maxTrain, minValid)
	}
	assert.Equal(t, 50, total)
	assert.Nil(t, rankerFolds(qs[:1], 4))
}

func TestChooseFinal(t *testing.T) {
	f := eval.Fusion{Method: "score", Weight: 0.2}
	m := &ltr.Model{}
	good := RankerFit{Model: m, FoldQueries: 200, FoldRanker: 0.6, FoldFirstStage: 0.5}
	// Per-query validation RR@10 of 60 queries.
	rr := func(hits, n int) []float64 {
		out := make([]float64, n)
		for i := range hits {
			out[i] = 1
		}
		return out
	}
	folds := "the learned ranker beat the first stage on 200 rolling-origin fold queries (MRR@10 0.600 vs 0.500)"
	fused := "on validation, with the fine-tuned score fused in (score 0.20), it"
	for _, c := range []struct {
		name           string
		fit            RankerFit
		ranker, fusion []float64
		want           string
		why            string
		fullWhy        string // the whole explanation: the deciding reason, and every condition it rests on
	}{
		{"ties go to the ranker", good, rr(30, 60), rr(30, 60), FinalFromRanker, "rolling-origin",
			folds + ", and " + fused + " tied with the single-weight fusion at 0.500 (60 queries: a fusion must beat it significantly to be chosen)"},
		{"a lead the grid's optimism explains is not enough", good, rr(30, 60), rr(33, 60), FinalFromRanker, "must beat it significantly",
			folds + "; " + fused + " scored 0.500 against the single-weight fusion's 0.550 (p = 0.25 for the fusion's lead, 60 queries: a fusion must beat it significantly to be chosen)"},
		{"a significant lead chooses the fusion", good, rr(20, 60), rr(45, 60), FinalFromFusion, "significantly",
			folds + ", but on validation the single-weight fusion beat it significantly: MRR@10 0.750 vs 0.333 (p = 0.000, 60 queries)"},
		{"the ranker ahead", good, rr(40, 60), rr(30, 60), FinalFromRanker, "0.667",
			folds + ", and " + fused + " scored 0.667 against the single-weight fusion's 0.500 (60 queries)"},
		{"folds must say the ranker beats the first stage", RankerFit{Model: m, FoldQueries: 200, FoldRanker: 0.45, FoldFirstStage: 0.5}, rr(60, 60), rr(0, 60), FinalFromFusion, "did not beat",
			"the learned ranker did not beat the first stage on 200 rolling-origin fold queries (MRR@10 0.450 vs 0.500)"},
		{"no ranker", RankerFit{}, rr(60, 60), rr(0, 60), FinalFromFusion, "too few",
			"no learned ranker (too few labelled training queries)"},
		{"no validation queries", good, nil, nil, FinalFromRanker, "no validation queries",
			folds + ", and there are no validation queries to weigh the single-weight fusion against it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := chooseFinal(c.fit, c.ranker, c.fusion, f, nil)
			assert.Equal(t, c.want, got.From)
			assert.Contains(t, got.Why, c.why)
			assert.Equal(t, c.fullWhy, got.Why)
		})
	}
	// Without a fine-tuned share the ranker is named alone.
	got := chooseFinal(good, rr(40, 60), rr(30, 60), eval.Fusion{Method: "score"}, nil)
	assert.Equal(t, folds+", and on validation it scored 0.667 against the single-weight fusion's 0.500 (60 queries)", got.Why)
}

func TestHitRateAndByRank(t *testing.T) {
	qcs := []QueryCandidates{
		{Candidates: []negatives.Candidate{{ID: "a"}, {ID: "b"}}, Relevant: []string{"b"}},
		{Candidates: []negatives.Candidate{{ID: "c"}, {ID: "d"}}, Relevant: []string{"x"}},
	}
	assert.Equal(t, 0.5, hitRate(qcs, 2))
	assert.Equal(t, 0.0, hitRate(qcs, 1))
	l := byRank([]eval.Scored{{ID: "a", Score: 1, Rank0: 1}, {ID: "b", Score: 3, Rank0: 2}})
	assert.Equal(t, 2, l[0].Rank0)
	assert.Equal(t, 1, l[1].Rank0)
}

func TestChooseRulePivotDecidesOnTraining(t *testing.T) {
	a := testArchive(
		data.Ticket{ID: "P1", Rule: "r1", Opened: day(0)},
		data.Ticket{ID: "X1", Rule: "r2", Opened: day(1)},
		data.Ticket{ID: "X2", Rule: "r2", Opened: day(2)},
		data.Ticket{ID: "Q1", Rule: "r1", Opened: day(3)},
		data.Ticket{ID: "Q2", Rule: "r2", Opened: day(4)},
	)
	qs := []retrieve.Query{{ID: "Q1"}, {ID: "Q2"}}
	list := func(ids ...string) []negatives.Candidate {
		var out []negatives.Candidate
		for i, id := range ids {
			out = append(out, negatives.Candidate{ID: id, Score: 1, Rank: i + 1})
		}
		return out
	}
	win := map[string]string{"Q1": "train", "Q2": "train"}
	// Q1's precedent is the latest ticket of its rule, which BM25 missed:
	// the pivot finds it, and is kept.
	rel := map[string][]string{"Q1": {"P1"}, "Q2": {"X1"}}
	got, used, why := chooseRulePivot(a, qs, [][]negatives.Candidate{list("X1"), list("X1")}, 2, 1, rel, win)
	assert.True(t, used, why)
	assert.Equal(t, "P1", got[0][1].ID)
	// Here the pivot would push Q2's precedent (X1, BM25's last) out of a
	// full list for its rule's latest lookalike: it is dropped.
	rel = map[string][]string{"Q1": {"X1"}, "Q2": {"X1"}}
	got, used, why = chooseRulePivot(a, qs, [][]negatives.Candidate{list("X2", "X1"), list("P1", "X1")}, 2, 1, rel, win)
	assert.False(t, used, why)
	assert.Contains(t, why, "rule pivot off")
	assert.Equal(t, []negatives.Candidate{{ID: "P1", Score: 1, Rank: 1}, {ID: "X1", Score: 1, Rank: 2}}, got[1])
	// Test-window queries never decide.
	_, used, why = chooseRulePivot(a, qs, [][]negatives.Candidate{list("X1"), list("X1")}, 2, 1, map[string][]string{"Q1": {"P1"}}, map[string]string{"Q1": "test"})
	assert.False(t, used)
	assert.Contains(t, why, "no training queries")
}

func TestModelShareNeedsSignificance(t *testing.T) {
	// 40 queries of two candidates: the ranker puts the relevant one
	// second; a model that fixes every query earns its share, a model that
	// fixes one does not.
	var ranker, fixAll, fixOne [][]eval.Scored
	var rel []map[string]bool
	for i := range 40 {
		ranker = append(ranker, []eval.Scored{{ID: "n", Score: 2, Rank0: 1}, {ID: "r", Score: 1, Rank0: 2}})
		fixAll = append(fixAll, []eval.Scored{{ID: "n", Score: 0}, {ID: "r", Score: 5}})
		s := 0.0
		if i == 0 {
			s = 5
		}
		fixOne = append(fixOne, []eval.Scored{{ID: "n", Score: 0}, {ID: "r", Score: s}})
		rel = append(rel, map[string]bool{"r": true})
	}
	f, _, why := modelShare(ranker, fixAll, rel)
	assert.Greater(t, f.Weight, 0.0, why)
	f, _, why = modelShare(ranker, fixOne, rel)
	assert.Zero(t, f.Weight, why)
	assert.Contains(t, why, "not significantly")
}

func TestEmbedEvidence(t *testing.T) {
	ctx := context.Background()
	p := newTestProject(t, 100)
	haveRealModel(t, p)
	a, err := p.loadArchive()
	require.NoError(t, err)
	m, err := p.matcher()
	require.NoError(t, err)
	q := a.Tickets[len(a.Tickets)-1]
	var list []negatives.Candidate
	for i, c := range a.Tickets[:5] {
		list = append(list, negatives.Candidate{ID: c.ID, Score: float32(5 - i), Rank: i + 1})
	}
	lists := []QueryCandidates{{Query: q.ID, Candidates: list}}
	embedded := func() (int64, *evidence) {
		ev := newEvidence(a, nil)
		var done int64
		progress := Progress(func(e Event) {
			if e.Step == "ranker" && e.Phase == "embed" && e.Total > 0 {
				done = e.Done
			}
		})
		require.NoError(t, p.embedEvidence(ctx, ev, m, progress, rankedLists{lists, len(list)}))
		return done, ev
	}
	n, ev := embedded()
	assert.Equal(t, int64(6), n, "the query and its five candidates")
	require.Contains(t, ev.queryVec, q.ID)
	require.Len(t, ev.docVec, 5)
	for id, v := range ev.docVec {
		norm := 0.0
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		assert.InDelta(t, 1, norm, 1e-3, "unit vector for %s", id)
	}
	rows := ev.rows(ev.query(q, p.queryText(q, m)), list)
	col := slices.Index(evidenceFeatures(), featBiCosine)
	for i, r := range rows {
		assert.InDelta(t, cosine(ev.queryVec[q.ID], ev.docVec[list[i].ID]), r[col], 1e-9)
		assert.NotZero(t, r[col])
	}
	// A second pass reads every vector from the project's cache.
	n, again := embedded()
	assert.Zero(t, n, "nothing embedded again")
	assert.Equal(t, ev.docVec, again.docVec)

	// Only the candidates the ranker reads, each list's first depth, are
	// embedded: for another query with eight candidates ranked to depth 3,
	// the query and three candidates.
	q2 := a.Tickets[len(a.Tickets)-2]
	var long []negatives.Candidate
	for i, c := range a.Tickets[5:13] {
		long = append(long, negatives.Candidate{ID: c.ID, Score: float32(8 - i), Rank: i + 1})
	}
	var done, total int64
	progress := Progress(func(e Event) {
		if e.Step == "ranker" && e.Phase == "embed" && e.Total > 0 {
			done, total = e.Done, e.Total
		}
	})
	ev = newEvidence(a, nil)
	require.NoError(t, p.embedEvidence(ctx, ev, m, progress, rankedLists{[]QueryCandidates{{Query: q2.ID, Candidates: long}}, 3}))
	assert.Equal(t, int64(4), total, "the query and the three candidates within depth, of eight")
	assert.Equal(t, total, done, "none of them was cached")
	var want []string
	for _, c := range long[:3] {
		want = append(want, c.ID)
	}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(ev.docVec)))
}
