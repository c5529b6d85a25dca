package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "no such file"},
		{"not json", write("bad.json", "{not json"), "parse json"},
		{"not a tokenizer", write("cfg.json", `{"hidden_size": 384}`), "no model.type"},
		{"unknown post_processor", write("post.json", `{"model":{"type":"WordPiece"},"post_processor":{"type":"Fancy"}}`), `unsupported type "Fancy"`},
		{"template names unknown token", write("tmpl.json", `{"model":{"type":"WordPiece"},"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[X]","type_id":0}}],"pair":[],"special_tokens":{}}}`), `"[X]" not in special_tokens`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Load(tc.path)
			require.Error(t, err)
			assert.Nil(t, tok)
			assert.Contains(t, err.Error(), tc.path)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadIgnoresFileTruncationAndPadding(t *testing.T) {
	// all-MiniLM-L6-v2's tokenizer.json pads every text to 128 and truncates
	// at 128; batches must instead be padded dynamically.
	tok := openFixture(t, "all-MiniLM-L6-v2/tokenizer.json", nil)
	assert.Equal(t, []int32{101, 7592, 2088, 102}, tok.Encode("Hello world", 0).IDs)
	long := strings.Repeat("alert ", 300)
	assert.Equal(t, DefaultMaxLen, tok.Encode(long, 0).Len())
	assert.Equal(t, 512, tok.EncodePair(long, long, 512).Len())
	assert.Equal(t, int32(0), tok.PadID())
	assert.Equal(t, 30522, tok.VocabSize())
}

func TestPadIDFromTokenizer(t *testing.T) {
	tok := openFixture(t, "testdata/unigram-xlmr.json", nil)
	assert.Equal(t, int32(1), tok.PadID(), "<pad> of the XLM-R layout")
}

func TestEncodeEdgeCases(t *testing.T) {
	tok := openFixture(t, "bge-small-en-v1.5/tokenizer.json", nil)
	tests := []struct {
		name       string
		query, doc string
		maxLen     int
		want       []int32
	}{
		{"empty pair is the template alone", "", "", 10, []int32{101, 102, 102}},
		{"max below specials keeps specials", "hello", "world", 2, []int32{101, 102, 102}},
		{"NUL does not cut the text", "hello\x00", "world", 10, []int32{101, 7592, 102, 2088, 102}},
		{"invalid utf8 is dropped, not fatal", "hello \xff", "world", 10, []int32{101, 7592, 102, 2088, 102}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tok.EncodePair(tc.query, tc.doc, tc.maxLen).IDs)
		})
	}
}

func TestLongestFirst(t *testing.T) {
	tests := []struct {
		name                  string
		n1, n2, limit, w1, w2 int
	}{
		{"fits", 3, 4, 7, 3, 4},
		{"only the longer is cut", 3, 10, 8, 3, 5},
		{"only the longer is cut, first longer", 10, 3, 8, 5, 3},
		{"both cut, even", 10, 10, 8, 4, 4},
		{"both cut, tie, odd goes second", 10, 10, 7, 3, 4},
		{"both cut, odd goes to the longer first", 12, 10, 7, 4, 3},
		{"shorter exceeds limit", 9, 12, 6, 3, 3},
		{"zero budget", 3, 4, 0, 0, 0},
		{"one side empty", 0, 20, 5, 0, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g1, g2 := longestFirst(tc.n1, tc.n2, tc.limit)
			assert.Equal(t, []int{tc.w1, tc.w2}, []int{g1, g2})
		})
	}
}

func TestEncodePairsPadsToLongestInBatch(t *testing.T) {
	tok := openFixture(t, "testdata/unigram-xlmr.json", nil)
	pairs := [][2]string{
		{"Impossible travel for j.smith", "VPN egress in Frankfurt"},
		{"alert", "closed"},
		{strings.Repeat("beacon to evil-c2.example.com ", 20), "quarantined"},
	}
	b := tok.EncodePairs(pairs, 64)
	require.Equal(t, 3, b.Rows)
	require.Equal(t, 64, b.Len, "longest row is cut to maxLen")
	require.Len(t, b.IDs, b.Rows*b.Len)
	require.Len(t, b.TypeIDs, b.Rows*b.Len)
	require.Len(t, b.Mask, b.Rows*b.Len)
	for i, p := range pairs {
		e := tok.EncodePair(p[0], p[1], 64)
		row := b.IDs[i*b.Len : (i+1)*b.Len]
		assert.Equal(t, e.Len(), b.Lengths[i])
		assert.Equal(t, e.IDs, row[:e.Len()], "row %d", i)
		for j := e.Len(); j < b.Len; j++ {
			assert.Equal(t, int32(1), row[j], "row %d pad %d", i, j)
			assert.Equal(t, int32(0), b.Mask[i*b.Len+j])
		}
		for j := range e.Len() {
			assert.Equal(t, int32(1), b.Mask[i*b.Len+j])
		}
	}

	short := tok.EncodePairs(pairs[:2], 64)
	assert.Less(t, short.Len, 64, "padding follows the batch, not maxLen")
}

func TestEncodeTextsParallelMatchesSequential(t *testing.T) {
	tok := openFixture(t, "ms-marco-MiniLM-L-6-v2/tokenizer.json", nil)
	texts := make([]string, 200)
	for i := range texts {
		texts[i] = strings.Repeat("host WS-FIN-0231 user j.smith ", i%7+1)
	}
	b := tok.EncodeTexts(texts, 32)
	require.Equal(t, len(texts), b.Rows)
	for i, s := range texts {
		e := tok.Encode(s, 32)
		assert.Equal(t, e.IDs, b.IDs[i*b.Len:i*b.Len+e.Len()], "row %d", i)
		assert.Equal(t, e.TypeIDs, b.TypeIDs[i*b.Len:i*b.Len+e.Len()], "row %d", i)
	}
}

// PadPicked pads the picked encodings, in the order picked.
func TestPadPicked(t *testing.T) {
	tok := &Tokenizer{padID: 7}
	encs := []Encoding{{IDs: []int32{1}, TypeIDs: []int32{0}}, {IDs: []int32{2, 3, 4}, TypeIDs: []int32{0, 1, 1}}, {IDs: []int32{5, 6}, TypeIDs: []int32{0, 0}}}
	b := tok.PadPicked(encs, []int{2, 0})
	assert.Equal(t, 2, b.Rows)
	assert.Equal(t, 2, b.Len, "the longest picked, not the longest of all")
	assert.Equal(t, []int32{5, 6, 1, 7}, b.IDs)
	assert.Equal(t, []int32{1, 1, 1, 0}, b.Mask)
	assert.Equal(t, tok.Pad([]Encoding{encs[2], encs[0]}), b)
}

func TestPadEmpty(t *testing.T) {
	b := pad(nil, 0)
	assert.Equal(t, 0, b.Rows)
	assert.Equal(t, 0, b.Len)
	assert.Empty(t, b.IDs)
}

func TestBuckets(t *testing.T) {
	tests := []struct {
		name      string
		lengths   []int
		batchSize int
		want      [][]int
	}{
		{"empty", nil, 4, nil},
		{"sorted by length, ties by index", []int{5, 1, 5, 3, 1}, 2, [][]int{{1, 4}, {3, 0}, {2}}},
		{"batch size zero is one batch", []int{3, 1, 2}, 0, [][]int{{1, 2, 0}}},
		{"batch larger than input", []int{9, 8}, 10, [][]int{{1, 0}}},
		// 30 short and 10 long: a plain cut pads 32 rows to the long length
		// (32×256 + 8×256 tokens + 2 calls), the planned split runs
		// 32×48 + 8×256 + 2×256 tokens in 3 calls (10 rows would pad to 16).
		{"planned split keeps the long ones apart", append(repeat(40, 30), repeat(250, 10)...), 32,
			[][]int{seq(0, 30), seq(30, 38), seq(38, 40)}},
		// Past plannedBatches batches: full batches in length order.
		{"long input is cut into full batches", append(repeat(40, 30), repeat(250, 10)...), 8,
			[][]int{seq(0, 8), seq(8, 16), seq(16, 24), seq(24, 32), seq(32, 40)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Buckets(tc.lengths, tc.batchSize)
			assert.Equal(t, tc.want, got)
		})
	}
}

func repeat(n, count int) []int {
	out := make([]int, count)
	for i := range out {
		out[i] = n
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestPaddedShape(t *testing.T) {
	tests := []struct{ n, rows, length int }{
		{0, 1, 0}, {1, 1, 8}, {3, 4, 8}, {7, 8, 8}, {8, 8, 8}, {17, 24, 24}, {50, 56, 56},
		{127, 128, 128}, {128, 128, 128}, {129, 136, 144}, {250, 256, 256},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.rows, PaddedRows(tc.n), "rows of %d", tc.n)
		assert.Equal(t, tc.length, PaddedLen(tc.n), "length of %d", tc.n)
	}
}

func TestBucketsDoNotAlias(t *testing.T) {
	got := Buckets([]int{1, 2, 3, 4}, 2)
	got[0] = append(got[0], 99)
	assert.Equal(t, []int{2, 3}, got[1])
}

func TestCloseTwice(t *testing.T) {
	tok := openFixture(t, "testdata/unigram-xlmr.json", nil)
	require.NoError(t, tok.Close())
	assert.NoError(t, tok.Close())
}

func TestEncodePairLimited(t *testing.T) {
	tok := openFixture(t, "all-MiniLM-L6-v2/tokenizer.json", nil)
	e, cut := tok.EncodePairLimited("hello", "world wide web", 64, 0)
	assert.False(t, cut)
	assert.Equal(t, tok.EncodePair("hello", "world wide web", 64), e)
	e, cut = tok.EncodePairLimited("hello", "world wide web", 64, 1)
	assert.False(t, cut, "a cut the caller asked for is not truncation")
	assert.Equal(t, tok.EncodePair("hello", "world", 64), e)
	long := strings.Repeat("alert ", 100)
	e, cut = tok.EncodePairLimited("hello", long, 32, 0)
	assert.True(t, cut)
	assert.Equal(t, 32, e.Len())
	_, cut = tok.EncodePairLimited("hello", long, 32, 20)
	assert.False(t, cut, "20 document tokens fit in 32")
}
