package tokenizer

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
)

// modelsDir holds the real tokenizer.json files of the three public
// checkpoints (all-MiniLM-L6-v2, bge-small-en-v1.5, ms-marco-MiniLM-L-6-v2),
// shipped gzipped in testdata/models and unpacked once per run;
// PRECEDENT_MODELS points at another folder of the same layout.
func modelsDir() string {
	if d := os.Getenv("PRECEDENT_MODELS"); d != "" {
		return d
	}
	unpackOnce.Do(func() { unpacked, unpackErr = unpackModels() })
	if unpackErr != nil {
		panic(unpackErr) // test fixtures are part of the repository
	}
	return unpacked
}

var (
	unpackOnce sync.Once
	unpacked   string
	unpackErr  error
)

func unpackModels() (string, error) {
	dir, err := os.MkdirTemp("", "precedent-tokenizers-")
	if err != nil {
		return "", err
	}
	gzs, err := filepath.Glob("testdata/models/*/tokenizer.json.gz")
	if err != nil || len(gzs) == 0 {
		return "", fmt.Errorf("no tokenizer fixtures in testdata/models: %v", err)
	}
	for _, gz := range gzs {
		name := filepath.Base(filepath.Dir(gz))
		f, err := os.Open(gz)
		if err != nil {
			return "", err
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return "", fmt.Errorf("%s: %w", gz, err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("%s: %w", gz, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name, "tokenizer.json"), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
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
// when the fixture tests another layout of the same model.
func openFixture(t *testing.T, path string, post json.RawMessage) *Tokenizer {
	t.Helper()
	full := path
	if filepath.Dir(path) != "testdata" {
		full = filepath.Join(modelsDir(), path)
	}
	data, err := os.ReadFile(full)
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
		testenv.SkipOrFail(t, "%v", err)
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
