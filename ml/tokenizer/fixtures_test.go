package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modelsDir holds the real tokenizer.json files; PRECEDENT_MODELS overrides.
func modelsDir() string {
	if d := os.Getenv("PRECEDENT_MODELS"); d != "" {
		return d
	}
	return "/work/shared/models"
}

// expected is testdata/expected.json, written by scripts/tokenizer_fixtures.py
// with the Python tokenizers package.
type expected struct {
	Generator  string   `json:"generator"`
	Texts      []string `json:"texts"`
	Tokenizers map[string]struct {
		Path          string          `json:"path"`
		PostProcessor json.RawMessage `json:"post_processor"`
		Single        []struct {
			Text    int     `json:"text"`
			MaxLen  int     `json:"max_len"`
			IDs     []int32 `json:"ids"`
			TypeIDs []int32 `json:"type_ids"`
		} `json:"single"`
		Pair []struct {
			Query   int     `json:"query"`
			Doc     int     `json:"doc"`
			MaxLen  int     `json:"max_len"`
			IDs     []int32 `json:"ids"`
			TypeIDs []int32 `json:"type_ids"`
		} `json:"pair"`
	} `json:"tokenizers"`
}

func loadExpected(t *testing.T) expected {
	t.Helper()
	data, err := os.ReadFile("testdata/expected.json")
	require.NoError(t, err)
	var e expected
	require.NoError(t, json.Unmarshal(data, &e))
	require.NotEmpty(t, e.Tokenizers)
	return e
}

// openFixture loads a fixture's tokenizer, swapping in its post_processor
// when the fixture tests another layout of the same model. It skips when a
// shared model file is absent (a checkout without /work/shared).
func openFixture(t *testing.T, path string, post json.RawMessage) *Tokenizer {
	t.Helper()
	full := path
	if filepath.Dir(path) != "testdata" {
		full = filepath.Join(modelsDir(), path)
	}
	data, err := os.ReadFile(full)
	if os.IsNotExist(err) {
		t.Skipf("model file %s not present", full)
	}
	require.NoError(t, err)
	if post != nil {
		var raw map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &raw))
		raw["post_processor"] = post
		data, err = json.Marshal(raw)
		require.NoError(t, err)
	}
	tok, err := fromBytes(data)
	if errors.Is(err, ErrNoNative) {
		t.Skip(err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = tok.Close() })
	return tok
}

func TestMatchesPython(t *testing.T) {
	exp := loadExpected(t)
	for name, fx := range exp.Tokenizers {
		t.Run(name, func(t *testing.T) {
			tok := openFixture(t, fx.Path, fx.PostProcessor)
			for i, c := range fx.Single {
				got := tok.Encode(exp.Texts[c.Text], c.MaxLen)
				assert.Equal(t, c.IDs, orEmpty(got.IDs), "single[%d] max_len %d %q", i, c.MaxLen, exp.Texts[c.Text])
				assert.Equal(t, c.TypeIDs, orEmpty(got.TypeIDs), "single[%d] type ids", i)
			}
			for i, c := range fx.Pair {
				q, d := exp.Texts[c.Query], exp.Texts[c.Doc]
				got := tok.EncodePair(q, d, c.MaxLen)
				assert.Equal(t, c.IDs, orEmpty(got.IDs), "pair[%d] max_len %d %.40q / %.40q", i, c.MaxLen, q, d)
				assert.Equal(t, c.TypeIDs, orEmpty(got.TypeIDs), "pair[%d] type ids", i)
				assert.LessOrEqual(t, got.Len(), c.MaxLen, "pair[%d]", i)
			}
		})
	}
}

func orEmpty(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}
