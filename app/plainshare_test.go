package app

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/rerank"
)

func TestPlainDraw(t *testing.T) {
	count := func(b []bool) int {
		n := 0
		for _, x := range b {
			if x {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		n     int
		share float64
		want  int // plain examples
	}{
		{"none", 1000, 0, 0},
		{"half", 1000, 0.5, 500},
		{"a quarter, rounded", 10, 0.25, 3},
		{"a tenth", 307911, 0.1, 30791},
		{"all", 100, 1, 100},
		{"tiny share of a small set rounds to none", 3, 0.1, 0},
		{"empty set", 0, 0.5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plainDraw(tc.n, tc.share, 42)
			if tc.share == 0 || tc.n == 0 {
				assert.Nil(t, got)
				return
			}
			assert.Len(t, got, tc.n)
			assert.Equal(t, tc.want, count(got), "exactly round(share·n), not a Bernoulli count")
			assert.Equal(t, got, plainDraw(tc.n, tc.share, 42), "the same seed draws the same examples (a resumed run)")
		})
	}
	a, b := plainDraw(1000, 0.5, 42), plainDraw(1000, 0.5, 43)
	assert.NotEqual(t, a, b, "another seed draws other examples")
	// Spread over the whole set, not a block: both halves get about half.
	first := count(a[:500])
	assert.InDelta(t, 250, first, 50)
	// The draw does not follow the order of the examples (positives and
	// negatives are grouped by query): runs of plain examples stay short.
	longest, run := 0, 0
	for _, x := range a {
		if x {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	assert.Less(t, longest, 20)
}

func TestPlainShareFingerprint(t *testing.T) {
	exs := []example{{Query: "q1", Doc: "d1", Label: 1}, {Query: "q1", Doc: "d2"}}
	// A run without a plain share keeps the fingerprint it had before the
	// option existed, so runs stopped then still resume.
	assert.Equal(t, fingerprint(exs, "start", "structured", "128 2 false 2 128"),
		fingerprint(exs, "start", "structured", trainShape(TrainOptions{RunOptions: RunOptions{MaxLen: 128, KeepLayers: 2}, ScratchLayers: 2, ScratchHidden: 128})))
	assert.NotEqual(t, trainShape(TrainOptions{RunOptions: RunOptions{MaxLen: 128}}), trainShape(TrainOptions{RunOptions: RunOptions{MaxLen: 128}, PlainShare: 0.5}))
}

// The training set encodes its plain share with rerank.RenderPlainPair and
// the rest in the pair format, and a batch's rows are exactly those
// encodings.
func TestPairSetPlainShare(t *testing.T) {
	tok, err := tokenizer.Load(filepath.Join("..", "models", DefaultModel, "tokenizer.json"))
	if err != nil {
		testenv.SkipOrFail(t, "no tokenizer: %v", err)
	}
	defer tok.Close()
	f, err := pairtext.ByName("structured")
	require.NoError(t, err)
	rr := rerank.NewPairEncoder(tok, f, 64)
	day := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var pairs [][2]data.Ticket
	for i := range 8 {
		q := data.Ticket{ID: fmt.Sprint("q", i), Title: "Phishing mail", Description: "user jdoe clicked", Rule: "Phish", User: "jdoe", Opened: day.AddDate(0, 0, 10+i)}
		d := data.Ticket{ID: fmt.Sprint("d", i), Title: "Phish", Description: "jdoe clicked a link", Rule: "Phish", User: "jdoe", Opened: day, Closed: day.Add(time.Hour), CloseNotes: "purged"}
		pairs = append(pairs, [2]data.Ticket{q, d})
	}
	s := newPairSet(rr, pairs, make([]float32, len(pairs)))
	s.plain = plainDraw(len(pairs), 0.5, 42)
	b, _, err := s.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7})
	require.NoError(t, err)
	plain := 0
	for i, pr := range pairs {
		render := rerank.RenderPair
		if s.plain[i] {
			render = rerank.RenderPlainPair
			plain++
		}
		qs, ds := render(pr[0], pr[1], f)
		want := tok.EncodePair(qs, ds, 64)
		assert.Equal(t, want.IDs, b.IDs[i*b.Len:i*b.Len+len(want.IDs)], "row %d (plain %v)", i, s.plain[i])
	}
	assert.Equal(t, 4, plain)
	sq, _ := rerank.RenderPair(pairs[0][0], pairs[0][1], f)
	pq, _ := rerank.RenderPlainPair(pairs[0][0], pairs[0][1], f)
	assert.NotEqual(t, sq, pq, "the two renderings differ, so the test tells them apart")
}
