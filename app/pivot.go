package app

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/negatives"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/retrieve"
)

// pivotKeys are the entity keys an analyst pivots on: users, hosts, IPs,
// stop-entities left out (a pivot on the SOAR account finds every ticket).
func pivotKeys(t data.Ticket, stops pairtext.Stops) []string {
	var out []string
	for _, k := range pairtext.MatchKeys(pairtext.Entities(t).Evidence(stops)) {
		if strings.HasPrefix(k, "user:") || strings.HasPrefix(k, "host:") || strings.HasPrefix(k, "ip:") {
			out = append(out, k)
		}
	}
	return out
}

// entityPivot adds to each query's candidate list the most recent earlier
// tickets that share a user, host or IP with it within window — the pivot an
// analyst does by hand, which finds precedents that share no wording — at
// most maxAdd per query, in place of the list's tail so it keeps k entries.
// Added candidates rank after the text matches and carry the lowest score of
// the list.
func entityPivot(a *archive, qs []retrieve.Query, cands [][]negatives.Candidate, k, maxAdd int, window time.Duration, stops pairtext.Stops) {
	index := map[string][]int{} // key → ticket positions, in opened order
	for i, t := range a.Tickets {
		for _, key := range pivotKeys(t, stops) {
			index[key] = append(index[key], i)
		}
	}
	for qi, q := range qs {
		t, ok := a.get(q.ID)
		if !ok {
			continue
		}
		in := map[string]bool{q.ID: true}
		for _, c := range cands[qi] {
			in[c.ID] = true
		}
		var extra []int
		for _, key := range pivotKeys(t, stops) {
			pos := index[key]
			// pos is in opened order: walk back from the query's time.
			j := sort.Search(len(pos), func(n int) bool { return !data.Earlier(a.Tickets[pos[n]], t) })
			for taken := 0; j > 0 && taken < maxAdd; j-- {
				d := a.Tickets[pos[j-1]]
				if t.Opened.Sub(d.Opened) > window {
					break
				}
				if !in[d.ID] {
					in[d.ID] = true
					extra = append(extra, pos[j-1])
					taken++
				}
			}
		}
		slices.SortFunc(extra, func(x, y int) int { return a.Tickets[y].Opened.Compare(a.Tickets[x].Opened) })
		cands[qi] = appendPivot(a, cands[qi], extra[:min(len(extra), maxAdd)], k)
	}
}

// rulePivot adds to each query's candidate list the most recent earlier
// tickets of the same rule (package, product) that the list lacks — the
// precedent an analyst looks for first, whatever its wording: on a real
// vulnerability tracker most cited precedents share the package, and a
// third of them are not in BM25's top 50 — at most maxAdd per query, in
// place of the list's tail so it keeps k entries. The learned ranker, not
// the list position, decides how much "same rule" counts.
func rulePivot(a *archive, qs []retrieve.Query, cands [][]negatives.Candidate, k, maxAdd int) {
	index := map[string][]int{} // rule → ticket positions, in opened order
	for i, t := range a.Tickets {
		if t.Rule != "" {
			index[t.Rule] = append(index[t.Rule], i)
		}
	}
	for qi, q := range qs {
		t, ok := a.get(q.ID)
		if !ok || t.Rule == "" {
			continue
		}
		in := map[string]bool{q.ID: true}
		for _, c := range cands[qi] {
			in[c.ID] = true
		}
		pos := index[t.Rule]
		j := sort.Search(len(pos), func(n int) bool { return !data.Earlier(a.Tickets[pos[n]], t) })
		var extra []int
		for ; j > 0 && len(extra) < maxAdd; j-- {
			if d := a.Tickets[pos[j-1]]; !in[d.ID] {
				extra = append(extra, pos[j-1])
			}
		}
		cands[qi] = appendPivot(a, cands[qi], extra, k)
	}
}

// appendPivot puts the tickets at positions extra at the end of list, in
// place of its tail when the list would exceed k. They rank after the text
// matches and carry the list's lowest score.
func appendPivot(a *archive, list []negatives.Candidate, extra []int, k int) []negatives.Candidate {
	if len(extra) == 0 {
		return list
	}
	if len(list)+len(extra) > k {
		list = list[:max(0, k-len(extra))]
	}
	var floor float32
	if len(list) > 0 {
		floor = list[len(list)-1].Score
	}
	for _, e := range extra {
		list = append(list, negatives.Candidate{ID: a.Tickets[e].ID, Score: floor, Rank: len(list) + 1})
	}
	return list
}

// chooseRulePivot applies the rule pivot only where the labels say it
// finds precedents: it is kept when it raises the training window's hit@k
// (the share of training queries whose list holds a relevant ticket) by at
// least minPivotGain. On a vulnerability tracker, where precedents share
// the package, it does; on an alert archive, where the latest tickets of a
// rule are lookalikes rather than precedents, it would only push text
// matches out of the list. The test window never decides.
func chooseRulePivot(a *archive, qs []retrieve.Query, cands [][]negatives.Candidate, k, maxAdd int, rel map[string][]string, win map[string]string) ([][]negatives.Candidate, bool, string) {
	pivoted := make([][]negatives.Candidate, len(cands))
	for i, c := range cands {
		pivoted[i] = slices.Clone(c)
	}
	rulePivot(a, qs, pivoted, k, maxAdd)
	var before, after, n float64
	for i, q := range qs {
		if win[q.ID] != "train" {
			continue
		}
		n++
		before += b2f(listHits(cands[i], rel[q.ID]))
		after += b2f(listHits(pivoted[i], rel[q.ID]))
	}
	if n == 0 {
		return cands, false, "rule pivot off: no training queries to decide on"
	}
	before, after = before/n, after/n
	if after-before >= minPivotGain {
		return pivoted, true, fmt.Sprintf("rule pivot on: it raises the training window's hit@%d from %.3f to %.3f (%d queries)", k, before, after, int(n))
	}
	return cands, false, fmt.Sprintf("rule pivot off: it would change the training window's hit@%d from %.3f to %.3f (%d queries); it is kept only for a gain of %.2f or more", k, before, after, int(n), minPivotGain)
}

// minPivotGain is the least rise of the training window's hit@k that keeps
// the rule pivot.
const minPivotGain = 0.01

// listHits reports whether list holds one of relevant.
func listHits(list []negatives.Candidate, relevant []string) bool {
	for _, c := range list {
		if slices.Contains(relevant, c.ID) {
			return true
		}
	}
	return false
}
