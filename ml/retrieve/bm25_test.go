package retrieve

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Failed LOGIN for Alice", []string{"failed", "login", "for", "alice"}},
		{"src 10.0.0.1:443 blocked.", []string{"src", "10.0.0.1", "10", "0", "0", "1", "443", "blocked"}},
		{"host ws-12.corp.local", []string{"host", "ws-12.corp.local", "ws", "12", "corp", "local"}},
		{"mail bob@example.com", []string{"mail", "bob@example.com", "bob", "example", "com"}},
		{"sha256 9F86D081884C7D65", []string{"sha256", "9f86d081884c7d65"}},
		{"a -- b ... c_", []string{"a", "b", "c"}},
		{`C:\Windows\evil.exe`, []string{"c", "windows", "evil.exe", "evil", "exe"}},
		{"Größe über", []string{"größe", "über"}},
		{"", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Tokenize(tt.in), tt.in)
	}
}

func TestBM25HandComputed(t *testing.T) {
	docs := []Doc{
		{ID: "d1", Text: "apple banana", Opened: at(1)},
		{ID: "d2", Text: "apple apple cherry", Opened: at(2)},
		{ID: "d3", Text: "banana cherry cherry date", Opened: at(3)},
	}
	ix, err := NewBM25(docs, BM25Params{})
	require.NoError(t, err)
	// N=3, avgdl=3. idf(apple)=ln(1+(3-2+0.5)/(2+0.5))=ln 1.6.
	// d1: tf=1, |d|=2: 1·2.2/(1+1.2·(0.25+0.75·2/3)) = 2.2/1.9
	// d2: tf=2, |d|=3: 2·2.2/(2+1.2·(0.25+0.75))    = 4.4/3.2
	idfApple := math.Log(1.6)
	idfDate := math.Log(1 + 2.5/1.5)
	idfCherry := math.Log(1 + 1.5/2.5)
	tests := []struct {
		name   string
		q      Query
		want   []string
		scores []float64
	}{
		{"length normalisation and tf", Query{Text: "apple"}, []string{"d2", "d1"},
			[]float64{idfApple * 4.4 / 3.2, idfApple * 2.2 / 1.9}},
		{"rare term outweighs", Query{Text: "date apple"}, []string{"d3", "d2", "d1"},
			[]float64{idfDate * 2.2 / (1 + 1.2*(0.25+0.75*4.0/3)), idfApple * 4.4 / 3.2, idfApple * 2.2 / 1.9}},
		{"repeated query terms count once", Query{Text: "cherry cherry"}, []string{"d3", "d2"},
			[]float64{idfCherry * 4.4 / (2 + 1.2*(0.25+0.75*4.0/3)), idfCherry * 2.2 / (1 + 1.2)}},
		{"time filter is strict", Query{Text: "apple", Before: at(2)}, []string{"d1"},
			[]float64{idfApple * 2.2 / 1.9}},
		{"never the query itself", Query{ID: "d2", Text: "apple"}, []string{"d1"},
			[]float64{idfApple * 2.2 / 1.9}},
		{"no matching term", Query{Text: "zebra"}, []string{}, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Search(context.Background(), tt.q, 10)
			require.NoError(t, err)
			ids, scores := []string{}, []float64{}
			for i, c := range got {
				ids = append(ids, c.ID)
				scores = append(scores, float64(c.Score))
				assert.Equal(t, i+1, c.Rank)
			}
			assert.Equal(t, tt.want, ids)
			assert.InDeltaSlice(t, tt.scores, scores, 1e-5)
		})
	}
}

func TestBM25Errors(t *testing.T) {
	_, err := NewBM25([]Doc{{ID: "a"}, {ID: "a"}}, BM25Params{})
	assert.ErrorContains(t, err, `duplicate ID "a"`)
	_, err = NewBM25([]Doc{{ID: ""}}, BM25Params{})
	assert.ErrorContains(t, err, "empty ID")
}

// randomCorpus makes n docs over a small vocabulary with random open times.
func randomCorpus(rng *rand.Rand, n, vocab, length int) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		text := ""
		for range 1 + rng.IntN(length) {
			text += fmt.Sprintf("w%d ", int(math.Abs(rng.NormFloat64()*float64(vocab)/3))%vocab)
		}
		docs[i] = Doc{ID: fmt.Sprintf("T%05d", i), Text: text, Opened: at(rng.IntN(n / 2))} // many equal times
	}
	return docs
}

func TestBM25TimeAwareMatchesFilteredFullSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := randomCorpus(rng, 400, 60, 12)
	ix, err := NewBM25(docs, BM25Params{Workers: 2})
	require.NoError(t, err)
	for _, ratio := range []int64{0, 8, 1 << 40} { // always scan, default, always touched list
		ix.sparseRatio = ratio
		checkTimeAware(t, rng, ix, docs)
	}
}

func checkTimeAware(t *testing.T, rng *rand.Rand, ix *BM25, docs []Doc) {
	opened := map[string]time.Time{}
	for _, d := range docs {
		opened[d.ID] = d.Opened
	}
	var qs []Query
	for i := range 60 {
		d := docs[rng.IntN(len(docs))]
		q := Query{ID: d.ID, Text: d.Text, Before: d.Opened}
		if i%5 == 0 {
			q.Before = time.Time{} // no time limit, still never itself
		}
		qs = append(qs, q)
	}
	got, err := ix.SearchBatch(context.Background(), qs, 10, nil)
	require.NoError(t, err)
	for i, q := range qs {
		all, err := ix.Search(context.Background(), Query{Text: q.Text}, len(docs))
		require.NoError(t, err)
		var want []string
		for _, c := range all {
			if c.ID != q.ID && (q.Before.IsZero() || data.EarlierAt(opened[c.ID], c.ID, q.Before, q.ID)) && len(want) < 10 {
				want = append(want, c.ID)
			}
		}
		var ids []string
		for _, c := range got[i] {
			ids = append(ids, c.ID)
			assert.NotEqual(t, q.ID, c.ID)
			if !q.Before.IsZero() {
				assert.True(t, data.EarlierAt(opened[c.ID], c.ID, q.Before, q.ID), "query %s got later doc %s", q.ID, c.ID)
			}
		}
		assert.Equal(t, want, ids, "query %d", i)
	}
}

func TestBM25BatchCancel(t *testing.T) {
	ix, err := NewBM25([]Doc{{ID: "a", Text: "x"}}, BM25Params{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ix.SearchBatch(ctx, []Query{{Text: "x"}}, 5, nil)
	assert.ErrorIs(t, err, context.Canceled)
}
