package eval

import "math"

// Metrics are one query's scores (or their mean over queries).
type Metrics struct {
	MRR10  float64 `json:"mrr@10"`
	NDCG10 float64 `json:"ndcg@10"`
	R1     float64 `json:"recall@1"`
	R5     float64 `json:"recall@5"`
	R10    float64 `json:"recall@10"`
	R50    float64 `json:"recall@50"`
	MAP    float64 `json:"map"`
}

// Score computes one query's metrics for a ranked list of IDs against its
// relevant set. ok is false when the relevant set is empty.
func Score(ranked []string, relevant map[string]bool) (m Metrics, ok bool) {
	nrel := 0
	for _, r := range relevant {
		if r {
			nrel++
		}
	}
	if nrel == 0 {
		return Metrics{}, false
	}
	var dcg, apSum float64
	hits := 0
	cum := make([]int, len(ranked)+1)
	for i, id := range ranked {
		cum[i+1] = cum[i]
		if !relevant[id] {
			continue
		}
		cum[i+1]++
		hits++
		rank := i + 1
		if m.MRR10 == 0 && rank <= 10 {
			m.MRR10 = 1 / float64(rank)
		}
		if rank <= 10 {
			dcg += 1 / math.Log2(float64(rank)+1)
		}
		apSum += float64(hits) / float64(rank)
	}
	hitsAt := func(k int) float64 {
		if k > len(ranked) {
			k = len(ranked)
		}
		return float64(cum[k])
	}
	var idcg float64
	for i := 1; i <= min(nrel, 10); i++ {
		idcg += 1 / math.Log2(float64(i)+1)
	}
	m.NDCG10 = dcg / idcg
	n := float64(nrel)
	m.R1, m.R5, m.R10, m.R50 = hitsAt(1)/n, hitsAt(5)/n, hitsAt(10)/n, hitsAt(50)/n
	m.MAP = apSum / n
	return m, true
}

// Mean averages metrics over queries.
func Mean(ms []Metrics) Metrics {
	var s Metrics
	if len(ms) == 0 {
		return s
	}
	for _, m := range ms {
		s.MRR10 += m.MRR10
		s.NDCG10 += m.NDCG10
		s.R1 += m.R1
		s.R5 += m.R5
		s.R10 += m.R10
		s.R50 += m.R50
		s.MAP += m.MAP
	}
	n := float64(len(ms))
	return Metrics{s.MRR10 / n, s.NDCG10 / n, s.R1 / n, s.R5 / n, s.R10 / n, s.R50 / n, s.MAP / n}
}
