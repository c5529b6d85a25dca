package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/ltr"
)

// Every query of these tests has two candidates: the first stage ranks "n"
// first and the relevant "r" second (reciprocal rank 0.5).

// firstLists are n queries in first-stage order.
func firstLists(n int) [][]eval.Scored {
	out := make([][]eval.Scored, n)
	for i := range out {
		out[i] = []eval.Scored{{ID: "n", Score: 2, Rank0: 1}, {ID: "r", Score: 1, Rank0: 2}}
	}
	return out
}

// modelLists are n queries a model scores: helps puts "r" first.
func modelLists(n int, helps bool) [][]eval.Scored {
	out := make([][]eval.Scored, n)
	for i := range out {
		out[i] = []eval.Scored{{ID: "n", Score: 5, Rank0: 1}, {ID: "r", Score: 0, Rank0: 2}}
		if helps {
			out[i][0].Score, out[i][1].Score = 0, 5
		}
	}
	return out
}

func relevantR(n int) []map[string]bool {
	out := make([]map[string]bool, n)
	for i := range out {
		out[i] = map[string]bool{"r": true}
	}
	return out
}

// firstIDs is each query's top candidate.
func firstIDs(lists [][]eval.Scored) []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = eval.Order(l)[0]
	}
	return out
}

func TestChooseSystems(t *testing.T) {
	const val, test = 20, 4
	// scored builds the scoring step's output: a fine-tuned reranker that
	// helps or not, optionally a starting reranker and a learned ranker
	// (whose lists put "r" first).
	scored := func(finetunedHelps, baseline bool, ranker *RankerFit) scoredSystems {
		s := scoredSystems{
			test:          map[string][][]eval.Scored{SysFirstStage: firstLists(test), SysFinetuned: modelLists(test, finetunedHelps)},
			valFirst:      firstLists(val),
			valFinetuned:  modelLists(val, finetunedHelps),
			valRelevant:   relevantR(val),
			rankerSkipped: "no learned ranker (--no-ranker)",
		}
		if baseline {
			s.test[SysBaseline], s.valBaseline = modelLists(test, true), modelLists(val, true)
		}
		if ranker != nil {
			s.ranker, s.rankerSkipped = ranker, ""
			s.test[SysRanker], s.valRanker = modelLists(test, true), modelLists(val, true)
		}
		return s
	}
	folds := func(ranker, first float64) *RankerFit {
		return &RankerFit{Model: &ltr.Model{}, FoldQueries: 200, FoldRanker: ranker, FoldFirstStage: first}
	}
	r, n := []string{"r", "r", "r", "r"}, []string{"n", "n", "n", "n"}
	tests := []struct {
		name                 string
		in                   scoredSystems
		wantFrom, wantWhy    string
		wantFusionShare      bool     // the fine-tuned reranker gets a share in the fusion
		wantFinalTop         []string // each test query's top candidate in the final system
		wantBaselineFusion   bool
		wantRankerFusionZero bool // the final system is the learned ranker alone
	}{
		{"a reranker that helps on validation gets a share", scored(true, false, nil),
			FinalFromFusion, "--no-ranker", true, r, false, false},
		{"one that does not is given no say: the final ranking is the first stage's", scored(false, false, nil),
			FinalFromFusion, "--no-ranker", false, n, false, false},
		{"the starting reranker is fused too", scored(false, true, nil),
			FinalFromFusion, "--no-ranker", false, n, true, false},
		{"a learned ranker that beat the folds is final, alone when the fine-tuned share does not help", scored(false, false, folds(0.6, 0.5)),
			FinalFromRanker, "did not help the learned ranker", false, r, false, true},
		{"one that lost on the folds is not", scored(false, false, folds(0.4, 0.5)),
			FinalFromFusion, "did not beat the first stage", false, n, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			systems := len(tt.in.test)
			c := chooseSystems(tt.in)
			assert.Len(t, tt.in.test, systems, "the scored systems are read, not changed")
			assert.Equal(t, tt.wantFrom, c.from)
			assert.Contains(t, c.why, tt.wantWhy)
			assert.Equal(t, tt.wantFusionShare, c.fusion.Weight > 0, "fusion %s", c.fusion)
			assert.Len(t, c.fusionTrials, len(eval.FusionGrid()))
			assert.Equal(t, tt.wantFinalTop, firstIDs(c.lists[SysFinal]))
			assert.Equal(t, firstIDs(c.lists[SysFusion]), firstIDs(fuseAll(c.fusion, tt.in.test[SysFirstStage], tt.in.test[SysFinetuned])))
			assert.Equal(t, tt.wantBaselineFusion, c.baselineFusion != nil)
			_, fused := c.lists[SysBaselineFusion]
			assert.Equal(t, tt.wantBaselineFusion, fused)
			if tt.wantFrom == FinalFromRanker {
				require.NotNil(t, c.rankerFusion)
				assert.Equal(t, tt.wantRankerFusionZero, c.rankerFusion.Weight == 0)
				assert.Equal(t, 1.0, c.rankerVal, "the ranker alone finds every validation precedent first")
			} else {
				assert.Nil(t, c.rankerFusion)
				assert.Equal(t, c.lists[SysFusion], c.lists[SysFinal], "the final system is the fusion")
			}
			labels := systemLabels("bm25", RunRecord{RunCore: RunCore{ID: "run-1", StartModel: "/models/minilm"}}, c)
			assert.Equal(t, "starting reranker (minilm)", labels[SysBaseline])
			if tt.wantRankerFusionZero {
				assert.Contains(t, labels[SysFinal], "final: learned ranker (")
			} else {
				assert.Equal(t, "final: first stage + fine-tuned ("+c.fusion.String()+")", labels[SysFinal])
			}
			if c.baselineFusion != nil {
				assert.Contains(t, labels[SysBaselineFusion], c.baselineFusion.String())
			}
		})
	}
}

func TestCompareSystems(t *testing.T) {
	// Three queries of rule "a", one of "b"; the first stage finds each
	// precedent second (RR 0.5), a helpful system first (RR 1).
	test := []QueryCandidates{
		{Query: "Q1", Rule: "a", Relevant: []string{"r"}},
		{Query: "Q2", Rule: "a", Relevant: []string{"r"}},
		{Query: "Q3", Rule: "a", Relevant: []string{"r"}},
		{Query: "Q4", Rule: "b", Relevant: []string{"r"}},
	}
	const q = 4
	labels := map[string]string{}
	for _, n := range systemOrder {
		labels[n] = "label of " + n
	}
	lists := func(names ...string) map[string][][]eval.Scored {
		out := map[string][][]eval.Scored{}
		for _, n := range names {
			switch n {
			case SysFirstStage, SysFusion:
				out[n] = firstLists(q)
			default:
				out[n] = modelLists(q, true)
			}
		}
		return out
	}
	type pair struct{ a, b string }
	tests := []struct {
		name          string
		lists         map[string][][]eval.Scored
		finalIsRanker bool
		wantSystems   []string
		wantBest      string
		wantTests     []pair // the paired tests run, in order (A, B)
	}{
		{"first stage, fine-tuned, final: the first stage is the best baseline",
			lists(SysFinal, SysFirstStage, SysFinetuned), false,
			[]string{SysFirstStage, SysFinetuned, SysFinal}, SysFirstStage,
			[]pair{{SysFirstStage, SysFinal}, {SysFirstStage, SysFinetuned}}},
		{"a starting reranker better than the first stage is the best baseline",
			lists(SysFirstStage, SysBaseline, SysFinetuned, SysFinal, SysLeakProbe), false,
			[]string{SysFirstStage, SysBaseline, SysFinetuned, SysFinal, SysLeakProbe}, SysBaseline,
			[]pair{{SysBaseline, SysFinal}, {SysFirstStage, SysFinal}, {SysFirstStage, SysFinetuned}, {SysBaseline, SysFinal}}},
		{"a final learned ranker is tested against the fusion, the ranker alone against the first stage",
			lists(SysFirstStage, SysFinetuned, SysRanker, SysFusion, SysFinal), true,
			[]string{SysFirstStage, SysFinetuned, SysRanker, SysFusion, SysFinal}, SysFirstStage,
			[]pair{{SysFirstStage, SysFinal}, {SysFirstStage, SysFinetuned}, {SysFusion, SysFinal}, {SysFirstStage, SysRanker}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compareSystems(test, tt.lists, labels, tt.finalIsRanker, 200, 100)
			var names []string
			for _, s := range c.systems {
				names = append(names, s.Name)
				want := 1.0
				if s.Name == SysFirstStage || s.Name == SysFusion {
					want = 0.5
				}
				assert.InDelta(t, want, s.Mean.MRR10, 1e-12, s.Name)
				assert.Equal(t, labels[s.Name], s.Label)
				assert.Len(t, s.PerQuery, q)
				assert.Len(t, c.ranked[s.Name], q)
			}
			assert.Equal(t, tt.wantSystems, names, "the systems present, in report order")
			assert.Equal(t, []string{"n", "r"}, c.ranked[SysFirstStage][0])
			assert.Equal(t, tt.wantBest, c.bestBaseline)
			var ran []pair
			for _, nc := range c.named {
				ran = append(ran, pair{nc.A, nc.B})
				assert.Equal(t, labels[nc.B]+" vs "+labels[nc.A], nc.Name)
				assert.Equal(t, "mrr@10", nc.Metric)
			}
			assert.Equal(t, tt.wantTests, ran)
			assert.Equal(t, c.named[0].Comparison, c.vsBest, "the headline is the first test")
			assert.InDelta(t, 0.5, c.vsFirst.Delta, 1e-12, "final vs first stage")
			assert.InDelta(t, 0.5, c.pureVsFirst.Delta, 1e-12, "fine-tuned vs first stage")
			assert.Equal(t, 200, c.vsBest.Permutations)
			assert.Equal(t, 100, c.vsBest.Resamples)
			_, baseline := tt.lists[SysBaseline]
			assert.Equal(t, baseline, c.vsBaseline != nil)
			assert.Equal(t, tt.finalIsRanker, c.vsFusion != nil)
			_, ranker := tt.lists[SysRanker]
			assert.Equal(t, ranker, c.rankerVsFirst != nil)
			require.Len(t, c.perRule, 1, "only rules with 3 queries or more")
			assert.Equal(t, "a", c.perRule[0].Rule)
			assert.Equal(t, 3, c.perRule[0].Queries)
			assert.InDelta(t, 0.5, c.perRule[0].MRR[SysFirstStage], 1e-12)
			assert.InDelta(t, 1.0, c.perRule[0].MRR[SysFinal], 1e-12)
		})
	}
}
