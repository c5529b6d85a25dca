package ltr

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// RR10 is the reciprocal rank (cut at 10) of the first relevant row when
// rows are sorted by score, best first; equal scores keep the rows' given
// (first-stage) order. 0 when no relevant row is in the top 10.
func RR10(scores []float64, relevant []bool) float64 {
	best := -1
	for i, r := range relevant {
		if r && (best < 0 || scores[i] > scores[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	rank := 1
	for i, s := range scores {
		if s > scores[best] || (s == scores[best] && i < best) {
			rank++
		}
	}
	if rank > 10 {
		return 0
	}
	return 1 / float64(rank)
}

// MeanRR10 is the mean RR10 of m over qs (queries with no relevant row
// count 0, as in evaluation).
func MeanRR10(m *Model, qs []Query) float64 {
	if len(qs) == 0 {
		return 0
	}
	sum := 0.0
	for _, q := range qs {
		s := make([]float64, len(q.Rows))
		for i, r := range q.Rows {
			s[i] = m.Score(r)
		}
		sum += RR10(s, q.Relevant)
	}
	return sum / float64(len(qs))
}

// Fold is one rolling-origin fold: train on everything before a period,
// validate on that period.
type Fold struct {
	Name  string // e.g. the period it validates on
	Train []Query
	Valid []Query
}

// Trial is one setting's result over the folds.
type Trial struct {
	Options Options   `json:"options"`
	MRR10   float64   `json:"mrr@10"`   // mean over all validation queries of all folds
	PerFold []float64 `json:"per_fold"` // each fold's mean
	Queries int       `json:"queries"`  // validation queries in all
}

// Select trains each setting of grid on every fold and returns the trials
// with the index of the best one: the highest MRR@10 pooled over the folds'
// validation queries; among settings within 0.001 of it the most
// regularised (largest L2) wins, so a tie goes to the simpler model.
// Settings train concurrently; fitted, when not nil, is called after each
// fold's training with the number of queries it trained on (from several
// goroutines: it must be safe for that).
func Select(features []string, folds []Fold, grid []Options, fitted func(trainQueries int)) ([]Trial, int, error) {
	if len(folds) == 0 || len(grid) == 0 {
		return nil, -1, fmt.Errorf("ltr: nothing to select: %d folds, %d settings", len(folds), len(grid))
	}
	trials := make([]Trial, len(grid))
	errs := make([]error, len(grid))
	// Settings train independently: one goroutine per core.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for g, o := range grid {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t := Trial{Options: o.withDefaults()}
			sum := 0.0
			for _, f := range folds {
				m, err := Train(features, f.Train, o)
				if err != nil {
					errs[g] = fmt.Errorf("ltr: fold %s: %w", f.Name, err)
					return
				}
				if fitted != nil {
					fitted(len(f.Train))
				}
				r := MeanRR10(m, f.Valid)
				t.PerFold = append(t.PerFold, r)
				sum += r * float64(len(f.Valid))
				t.Queries += len(f.Valid)
			}
			if t.Queries > 0 {
				t.MRR10 = sum / float64(t.Queries)
			}
			trials[g] = t
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, -1, err
	}
	top := math.Inf(-1)
	for _, t := range trials {
		top = max(top, t.MRR10)
	}
	best := -1
	for g, t := range trials {
		if t.MRR10 >= top-0.001 && (best < 0 || t.Options.L2 > trials[best].Options.L2) {
			best = g
		}
	}
	return trials, best, nil
}

// Grid is the settings Select tries by default: both losses, L2 from 0.001
// to 1.
func Grid() []Options {
	var g []Options
	for _, loss := range []string{Pairwise, Listwise} {
		for _, l2 := range []float64{0.001, 0.03, 1} {
			g = append(g, Options{Loss: loss, L2: l2})
		}
	}
	return g
}
