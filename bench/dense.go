package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/precedent/precedent/ml/retrieve"
)

// denseTiming is an exact dense top-k measurement, extrapolated linearly
// from the queries actually run to the queries asked for.
type denseTiming struct {
	Docs             int     `json:"docs"`
	Dim              int     `json:"dim"`
	K                int     `json:"k"`
	Queries          int     `json:"queries"`          // asked for
	Measured         int     `json:"measured_queries"` // actually run
	BuildSeconds     float64 `json:"build_seconds"`
	MeasuredSeconds  float64 `json:"measured_seconds"`
	EstimatedSeconds float64 `json:"estimated_seconds"` // MeasuredSeconds × Queries / Measured
}

// timeDense indexes docs random unit vectors of dim dimensions and runs
// measured of queries random queries, top-k each, with no time limit (every
// query scans every document: the worst case).
func timeDense(ctx context.Context, docs, queries, measured, dim, k int) (denseTiming, error) {
	measured = min(max(measured, 1), queries)
	res := denseTiming{Docs: docs, Dim: dim, K: k, Queries: queries, Measured: measured}
	rng := rand.New(rand.NewPCG(3, 4))
	m := retrieve.Matrix{Rows: docs, Dim: dim, Data: make([]float32, docs*dim)}
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	ids := make([]string, docs)
	opened := make([]time.Time, docs)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ids {
		ids[i] = fmt.Sprintf("INC%07d", i)
		opened[i] = t0.Add(time.Duration(i) * time.Minute)
	}
	start := time.Now()
	ix, err := retrieve.NewDense(ids, opened, m, retrieve.DenseOptions{})
	if err != nil {
		return res, fmt.Errorf("bench dense: %w", err)
	}
	res.BuildSeconds = time.Since(start).Seconds()
	qs := make([]retrieve.Query, measured)
	for i := range qs {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		qs[i] = retrieve.Query{ID: fmt.Sprintf("Q%d", i), Vector: v}
	}
	start = time.Now()
	if _, err := ix.SearchBatch(ctx, qs, k, nil); err != nil {
		return res, fmt.Errorf("bench dense: %w", err)
	}
	res.MeasuredSeconds = time.Since(start).Seconds()
	res.EstimatedSeconds = res.MeasuredSeconds * float64(queries) / float64(measured)
	return res, nil
}
