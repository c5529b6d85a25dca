package app

import (
	"slices"
	"strings"

	"github.com/precedent/precedent/ml/eval"
)

// systemOrder is the order reports list the systems in.
var systemOrder = []string{SysFirstStage, SysBaseline, SysBaselineFusion, SysFinetuned, SysRanker, SysFusion, SysFinal, SysLeakProbe}

// comparisons are the test window's figures: each system's metrics per
// query and on average, and the paired tests between systems.
type comparisons struct {
	// ranked holds per system, per test query, the candidate IDs in ranked
	// order; perQuery each query's metrics.
	ranked   map[string][][]string
	perQuery map[string][]eval.Metrics
	// systems are the systems present, in systemOrder, with their labels and means.
	systems []eval.SystemResult
	// bestBaseline is the baseline with the highest mean MRR@10 (the first
	// stage, the starting reranker or its fusion).
	bestBaseline string
	// The paired tests of MRR@10 (B − A): vsBest is the headline, final vs
	// bestBaseline; vsFirst final vs first stage; pureVsFirst the
	// fine-tuned reranker alone vs first stage; vsBaseline final vs the
	// starting reranker, vsFusion final (the learned ranker) vs the
	// single-weight fusion (only when the ranker is final), rankerVsFirst
	// the ranker alone vs first stage; nil where a system is missing.
	vsBest, vsFirst, pureVsFirst        eval.Comparison
	vsBaseline, vsFusion, rankerVsFirst *eval.Comparison
	named                               []eval.NamedComparison // every test run, in order, named for the report
	perRule                             []eval.RuleRow
}

// compareSystems scores every system's test lists against each query's
// relevant tickets and runs the paired tests (permutations, resamples)
// between them. finalIsRanker says the final system is the learned ranker,
// which is then tested against the single-weight fusion too.
func compareSystems(test []QueryCandidates, lists map[string][][]eval.Scored, labels map[string]string, finalIsRanker bool, permutations, resamples int) comparisons {
	c := comparisons{ranked: map[string][][]string{}, perQuery: map[string][]eval.Metrics{}}
	for _, name := range systemOrder {
		system, ok := lists[name]
		if !ok {
			continue
		}
		for i, qc := range test {
			ids := eval.Order(system[i])
			c.ranked[name] = append(c.ranked[name], ids)
			m, _ := eval.Score(ids, toSet(qc.Relevant))
			c.perQuery[name] = append(c.perQuery[name], m)
		}
		c.systems = append(c.systems, eval.SystemResult{Name: name, Label: labels[name], Mean: eval.Mean(c.perQuery[name]), PerQuery: c.perQuery[name]})
	}
	compare := func(a, b string, seed uint64) eval.Comparison {
		cmp := eval.Compare(c.mrr(a), c.mrr(b), permutations, resamples, seed)
		c.named = append(c.named, eval.NamedComparison{Name: labels[b] + " vs " + labels[a], A: a, B: b, Metric: "mrr@10", Comparison: cmp})
		return cmp
	}
	optional := func(a, b string, seed uint64) *eval.Comparison {
		cmp := compare(a, b, seed)
		return &cmp
	}
	c.bestBaseline = SysFirstStage
	for _, name := range []string{SysBaseline, SysBaselineFusion} {
		if _, ok := c.perQuery[name]; ok && eval.Mean(c.perQuery[name]).MRR10 > eval.Mean(c.perQuery[c.bestBaseline]).MRR10 {
			c.bestBaseline = name
		}
	}
	c.vsBest = compare(c.bestBaseline, SysFinal, 1)
	if c.bestBaseline == SysFirstStage {
		c.vsFirst = c.vsBest
	} else {
		c.vsFirst = compare(SysFirstStage, SysFinal, 2)
	}
	c.pureVsFirst = compare(SysFirstStage, SysFinetuned, 3)
	if _, ok := c.perQuery[SysBaseline]; ok {
		c.vsBaseline = optional(SysBaseline, SysFinal, 4)
	}
	if finalIsRanker {
		c.vsFusion = optional(SysFusion, SysFinal, 5)
	}
	if _, ok := c.perQuery[SysRanker]; ok {
		c.rankerVsFirst = optional(SysFirstStage, SysRanker, 6)
	}
	c.perRule = perRule(test, c.perQuery)
	return c
}

// mrr is a system's per-query MRR@10.
func (c comparisons) mrr(system string) []float64 {
	out := make([]float64, len(c.perQuery[system]))
	for i, m := range c.perQuery[system] {
		out[i] = m.MRR10
	}
	return out
}

// perRule is each query rule's MRR@10 per system (rules with ≥ 3 queries).
func perRule(test []QueryCandidates, perQuery map[string][]eval.Metrics) []eval.RuleRow {
	idx := map[string]int{}
	var rows []eval.RuleRow
	for i, qc := range test {
		j, ok := idx[qc.Rule]
		if !ok {
			j = len(rows)
			idx[qc.Rule] = j
			rows = append(rows, eval.RuleRow{Rule: qc.Rule, MRR: map[string]float64{}})
		}
		rows[j].Queries++
		for name, ms := range perQuery {
			rows[j].MRR[name] += ms[i].MRR10
		}
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Queries < 3 {
			continue
		}
		for name := range r.MRR {
			r.MRR[name] /= float64(r.Queries)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b eval.RuleRow) int { return strings.Compare(a.Rule, b.Rule) })
	return out
}
