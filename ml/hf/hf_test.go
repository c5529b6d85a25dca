package hf

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/safetensors"
)

// copyFixture copies testdata/name into a temp dir the test may mutate.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

// editConfig rewrites one key of dir/config.json (nil deletes it).
func editConfig(t *testing.T, dir, key string, value any) {
	t.Helper()
	path := filepath.Join(dir, ConfigFile)
	buf, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf, &m))
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	buf, err = json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, buf, 0o644))
}

func TestLoadFixtures(t *testing.T) {
	tests := []struct {
		dir       string
		arch      string
		xlmr      bool
		head      []string
		pooler    bool
		pooling   string
		normalize bool
	}{
		{"bert-tiny", "BertModel", false, nil, true, PoolingMean, true},
		{"bert-tiny-cross", "BertForSequenceClassification", false, []string{"classifier.bias", "classifier.weight"}, true, "", false},
		{"xlmr-tiny-cross", "XLMRobertaForSequenceClassification", true,
			[]string{"classifier.dense.bias", "classifier.dense.weight", "classifier.out_proj.bias", "classifier.out_proj.weight"}, false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			ck, err := Load(filepath.Join("testdata", tc.dir))
			require.NoError(t, err)
			assert.Equal(t, []string{tc.arch}, ck.Config.Architectures)
			assert.Equal(t, tc.xlmr, ck.Config.IsXLMR())
			assert.Equal(t, 8, ck.Config.HeadDim())
			assert.Equal(t, tc.pooling, ck.Pooling)
			assert.Equal(t, tc.normalize, ck.Normalize)
			assert.Equal(t, filepath.Join("testdata", tc.dir, TokenizerFile), ck.TokenizerPath)
			assert.Equal(t, tc.head != nil, ck.HasHead())
			assert.ElementsMatch(t, tc.head, sortedKeys(ck.Head()))
			for name := range ck.Weights {
				assert.False(t, strings.HasPrefix(name, "bert.") || strings.HasPrefix(name, "roberta."), name)
				assert.NotContains(t, name, "position_ids")
			}
			enc := ck.Encoder()
			assert.Len(t, enc, 5+16*2+map[bool]int{true: 2}[tc.pooler])
			assert.Equal(t, []int{1000, 32}, enc["embeddings.word_embeddings.weight"].Shape)
			assert.Equal(t, "F32", enc["encoder.layer.1.output.dense.weight"].DType)
			assert.Equal(t, []int{32, 64}, enc["encoder.layer.1.output.dense.weight"].Shape, "Linear is [out, in]")
			assert.NoError(t, ck.Validate())
		})
	}
}

// expectedFile is the subset of expected.json the Go tests check.
type expectedFile struct {
	InputIDs        [][]int       `json:"input_ids"`
	AttentionMask   [][]int       `json:"attention_mask"`
	PositionIDs     [][]int       `json:"position_ids"`
	LastHiddenState [][][]float64 `json:"last_hidden_state"`
	MeanPooled      [][]float64   `json:"mean_pooled_normalized"`
	Logits          [][]float64   `json:"logits"`
}

func TestExpectedFixturesAreConsistent(t *testing.T) {
	for _, dir := range []string{"bert-tiny", "bert-tiny-cross", "xlmr-tiny-cross"} {
		t.Run(dir, func(t *testing.T) {
			buf, err := os.ReadFile(filepath.Join("testdata", dir, "expected.json"))
			require.NoError(t, err)
			var e expectedFile
			require.NoError(t, json.Unmarshal(buf, &e))
			require.Len(t, e.InputIDs, 3)
			assert.Len(t, e.LastHiddenState, 3)
			assert.Len(t, e.LastHiddenState[0][0], 32)
			assert.Len(t, e.MeanPooled[1], 32)
			assert.Equal(t, strings.HasSuffix(dir, "cross"), e.Logits != nil)
			for _, row := range e.MeanPooled {
				var norm float64
				for _, v := range row {
					norm += v * v
				}
				assert.InDelta(t, 1, norm, 1e-6, "L2-normalised")
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	tests := []struct {
		dir      string
		addHead  bool
		wantArch string
		prefix   string
	}{
		{"bert-tiny", false, "BertModel", ""},
		{"bert-tiny", true, "BertForSequenceClassification", "bert."},
		{"bert-tiny-cross", false, "BertForSequenceClassification", "bert."},
		{"xlmr-tiny-cross", false, "XLMRobertaForSequenceClassification", "roberta."},
	}
	for _, tc := range tests {
		t.Run(tc.wantArch, func(t *testing.T) {
			src, err := Load(filepath.Join("testdata", tc.dir))
			require.NoError(t, err)
			weights := src.Weights
			if tc.addHead {
				weights = WithHead(src.Config, weights, rng)
				assert.Equal(t, src.Weights["pooler.dense.weight"].Data, weights["pooler.dense.weight"].Data, "trained pooler kept")
			}
			out := filepath.Join(t.TempDir(), "export")
			require.NoError(t, Save(out, src.Config, weights, src.TokenizerPath))

			got, err := Load(out)
			require.NoError(t, err)
			assert.Equal(t, []string{tc.wantArch}, got.Config.Architectures)
			require.Equal(t, sortedKeys(weights), sortedKeys(got.Weights))
			for name, w := range weights {
				assert.Equal(t, w.Shape, got.Weights[name].Shape, name)
				assert.Equal(t, w.Data, got.Weights[name].Data, name)
			}
			if got.HasHead() {
				assert.Equal(t, 1, got.Config.NumLabels())
				assert.Equal(t, map[string]string{"0": "LABEL_0"}, got.Config.ID2Label)
			}
			assert.Equal(t, src.Config.Extra["initializer_range"], got.Config.Extra["initializer_range"], "unknown fields kept")

			raw, meta, err := safetensors.Read(filepath.Join(out, WeightsFile))
			require.NoError(t, err)
			assert.Equal(t, "pt", meta["format"])
			assert.Contains(t, raw, tc.prefix+"embeddings.word_embeddings.weight")
			tok, err := os.ReadFile(filepath.Join(out, TokenizerFile))
			require.NoError(t, err)
			orig, _ := os.ReadFile(src.TokenizerPath)
			assert.Equal(t, orig, tok)
			entries, _ := os.ReadDir(filepath.Dir(out))
			assert.Len(t, entries, 1, "temp dirs cleaned up")
		})
	}
}

func TestSaveReplacesOnlyModelFolders(t *testing.T) {
	src, err := Load(filepath.Join("testdata", "bert-tiny-cross"))
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "export")
	require.NoError(t, Save(out, src.Config, src.Weights, src.TokenizerPath))
	require.NoError(t, Save(out, src.Config, src.Weights, src.TokenizerPath), "replaces a previous export")

	precious := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(precious, "notes.txt"), []byte("keep"), 0o644))
	err = Save(precious, src.Config, src.Weights, src.TokenizerPath)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing")
	_, err = os.Stat(filepath.Join(precious, "notes.txt"))
	assert.NoError(t, err)

	bad := copyMap(src.Weights)
	delete(bad, "encoder.layer.0.output.dense.bias")
	err = Save(filepath.Join(t.TempDir(), "x"), src.Config, bad, src.TokenizerPath)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissing)
	assert.Contains(t, err.Error(), "encoder.layer.0.output.dense.bias")
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		fixture  string
		mutate   func(t *testing.T, dir string)
		sentinel error
		contains string
	}{
		{"truncated weights", "bert-tiny-cross", func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			buf, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, buf[:len(buf)/2], 0o644))
		}, safetensors.ErrTruncated, WeightsFile},
		{"wrong shape", "bert-tiny-cross", func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			w, _, err := safetensors.Read(p)
			require.NoError(t, err)
			q := w["bert.encoder.layer.1.attention.self.query.weight"]
			q.Shape = []int{32, 16}
			q.Data = q.Data[:512]
			w["bert.encoder.layer.1.attention.self.query.weight"] = q
			require.NoError(t, safetensors.Write(p, w, nil))
		}, ErrShape, "model.safetensors: encoder.layer.1.attention.self.query.weight: shape [32 16], want [32 32]"},
		{"missing tensor", "xlmr-tiny-cross", func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			w, _, err := safetensors.Read(p)
			require.NoError(t, err)
			delete(w, "classifier.out_proj.weight")
			require.NoError(t, safetensors.Write(p, w, nil))
		}, ErrMissing, "missing tensor classifier.out_proj.weight"},
		{"missing tokenizer", "bert-tiny", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, TokenizerFile)))
		}, ErrMissing, "no tokenizer.json"},
		{"pytorch bin only", "bert-tiny", func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(filepath.Join(dir, WeightsFile), filepath.Join(dir, "pytorch_model.bin")))
		}, ErrMissing, "pytorch_model.bin is not supported"},
		{"unsupported architecture", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "architectures", []string{"BertForMaskedLM"})
		}, ErrUnsupported, "unsupported architecture BertForMaskedLM (supported: BertModel, BertForSequenceClassification, XLMRobertaModel, XLMRobertaForSequenceClassification)"},
		{"unsupported model_type", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "architectures", nil)
			editConfig(t, dir, "model_type", "distilbert")
		}, ErrUnsupported, `model_type "distilbert"`},
		{"tanh gelu", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "hidden_act", "gelu_new")
		}, ErrUnsupported, `hidden_act "gelu_new"`},
		{"relative positions", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "position_embedding_type", "relative_key")
		}, ErrUnsupported, "position_embedding_type"},
		{"heads do not divide hidden", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "num_attention_heads", 5)
		}, ErrInvalidConfig, "not a multiple"},
		{"config not json", "bert-tiny", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{"), 0o644))
		}, ErrInvalidConfig, ConfigFile},
		{"more layers than weights", "bert-tiny", func(t *testing.T, dir string) {
			editConfig(t, dir, "num_hidden_layers", 3)
		}, ErrMissing, "encoder.layer.2."},
		{"head on a BertModel", "bert-tiny-cross", func(t *testing.T, dir string) {
			editConfig(t, dir, "architectures", []string{"BertModel"})
		}, ErrUnsupported, "unexpected head tensor classifier.bias"},
		{"max pooling", "bert-tiny", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "1_Pooling", "config.json"),
				[]byte(`{"pooling_mode_max_tokens": true}`), 0o644))
		}, ErrUnsupported, "pooling mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyFixture(t, tc.fixture)
			tc.mutate(t, dir)
			_, err := Load(dir)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), tc.contains)
			assert.Contains(t, err.Error(), dir, "error names the folder")
		})
	}
}

func TestConfigRoundTripKeepsUnknownFields(t *testing.T) {
	in := `{"architectures":["XLMRobertaModel"],"model_type":"xlm-roberta","vocab_size":10,"hidden_size":8,` +
		`"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":16,"max_position_embeddings":20,` +
		`"type_vocab_size":1,"custom":{"a":[1,2]},"torch_dtype":"float32"}`
	var cfg Config
	require.NoError(t, json.Unmarshal([]byte(in), &cfg))
	require.NoError(t, cfg.Validate())
	assert.Equal(t, 1, cfg.PadTokenID, "XLM-R default pad")
	assert.Equal(t, "gelu", cfg.HiddenAct)
	assert.Equal(t, 1e-12, cfg.LayerNormEps)
	assert.Equal(t, 2, cfg.NumLabels(), "HF default")
	out, err := json.Marshal(cfg)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	assert.Equal(t, map[string]any{"a": []any{1.0, 2.0}}, m["custom"])
	assert.Equal(t, "float32", m["torch_dtype"])
	assert.Equal(t, 1.0, m["pad_token_id"])
}

func TestTruncateLayers(t *testing.T) {
	ck, err := Load(filepath.Join("testdata", "bert-tiny-cross"))
	require.NoError(t, err)
	cfg, w, err := TruncateLayers(ck.Config, ck.Weights, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, cfg.NumHiddenLayers)
	assert.Equal(t, 2, ck.Config.NumHiddenLayers, "input config untouched")
	assert.Contains(t, w, "encoder.layer.0.output.dense.weight")
	assert.NotContains(t, w, "encoder.layer.1.output.dense.weight")
	assert.Contains(t, w, "classifier.weight")
	assert.NoError(t, validateWeights(cfg, w, true, WeightsFile))
	assert.Len(t, w, len(ck.Weights)-16)

	for _, n := range []int{0, 3, -1} {
		_, _, err := TruncateLayers(ck.Config, ck.Weights, n)
		assert.ErrorIs(t, err, ErrInvalidConfig, "n=%d", n)
	}
}

func TestNewHeadWeights(t *testing.T) {
	for _, dir := range []string{"bert-tiny", "xlmr-tiny-cross"} {
		t.Run(dir, func(t *testing.T) {
			ck, err := Load(filepath.Join("testdata", dir))
			require.NoError(t, err)
			a := NewHeadWeights(ck.Config, rand.New(rand.NewPCG(1, 2)))
			b := NewHeadWeights(ck.Config, rand.New(rand.NewPCG(1, 2)))
			assert.Equal(t, a, b, "same seed, same head")
			assert.Equal(t, headShapes(ck.Config, 1), shapesOf(a))
			for name, tns := range a {
				if strings.HasSuffix(name, ".bias") {
					assert.Equal(t, make([]float32, len(tns.Data)), tns.Data, name)
					continue
				}
				var sum2 float64
				for _, v := range tns.Data {
					sum2 += float64(v) * float64(v)
				}
				assert.InDelta(t, 0.02, math.Sqrt(sum2/float64(len(tns.Data))), 0.01, name)
			}
		})
	}
}

// shapesOf maps each tensor to its shape.
func shapesOf(w map[string]Tensor) map[string][]int {
	out := map[string][]int{}
	for k, v := range w {
		out[k] = v.Shape
	}
	return out
}

func TestLoadRealMiniLM(t *testing.T) {
	dir := filepath.Join("..", "..", "models", "all-MiniLM-L6-v2")
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err != nil {
		testenv.SkipOrFail(t, "%s absent: run scripts/fetch-weights.sh", dir)
	}
	ck, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, 6, ck.Config.NumHiddenLayers)
	assert.Equal(t, 384, ck.Config.HiddenSize)
	assert.Equal(t, 32, ck.Config.HeadDim())
	assert.Equal(t, PoolingMean, ck.Pooling)
	assert.True(t, ck.Normalize)
	assert.False(t, ck.HasHead())
	assert.Equal(t, []int{30522, 384}, ck.Encoder()["embeddings.word_embeddings.weight"].Shape)
	assert.Contains(t, ck.Weights, "pooler.dense.weight")
}

func BenchmarkLoadMiniLM(b *testing.B) {
	dir := filepath.Join("..", "..", "models", "all-MiniLM-L6-v2")
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err != nil {
		testenv.SkipOrFail(b, "%s absent: run scripts/fetch-weights.sh", dir)
	}
	for i := 0; i < b.N; i++ {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
