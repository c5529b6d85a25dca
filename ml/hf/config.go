package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Sentinel errors wrapped by this package; test with errors.Is.
var (
	// ErrUnsupported means the folder holds a model this package cannot run.
	ErrUnsupported = errors.New("unsupported model")
	// ErrInvalidConfig means config.json is malformed or inconsistent.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrMissing means a required file or tensor is absent.
	ErrMissing = errors.New("missing")
	// ErrShape means a tensor's shape disagrees with the config.
	ErrShape = errors.New("wrong shape")
)

// Model families and their HF model_type values.
const (
	ModelTypeBERT = "bert"
	ModelTypeXLMR = "xlm-roberta"
)

// supportedArchitectures maps each runnable architecture to its model_type.
var supportedArchitectures = map[string]string{
	"BertModel":                           ModelTypeBERT,
	"BertForSequenceClassification":       ModelTypeBERT,
	"XLMRobertaModel":                     ModelTypeXLMR,
	"XLMRobertaForSequenceClassification": ModelTypeXLMR,
}

// supportedList is the sorted architecture list shown in error messages.
const supportedList = "BertModel, BertForSequenceClassification, XLMRobertaModel, XLMRobertaForSequenceClassification"

// Config is a BERT / XLM-RoBERTa config.json. Fields this package does not
// interpret are kept verbatim in Extra and written back by MarshalJSON.
type Config struct {
	Architectures         []string          `json:"architectures,omitempty"`
	ModelType             string            `json:"model_type"`
	VocabSize             int               `json:"vocab_size"`
	HiddenSize            int               `json:"hidden_size"`
	NumHiddenLayers       int               `json:"num_hidden_layers"`
	NumAttentionHeads     int               `json:"num_attention_heads"`
	IntermediateSize      int               `json:"intermediate_size"`
	HiddenAct             string            `json:"hidden_act"`
	MaxPositionEmbeddings int               `json:"max_position_embeddings"`
	TypeVocabSize         int               `json:"type_vocab_size"`
	LayerNormEps          float64           `json:"layer_norm_eps"`
	PadTokenID            int               `json:"pad_token_id"`
	ID2Label              map[string]string `json:"id2label,omitempty"`
	Label2ID              map[string]int    `json:"label2id,omitempty"`

	// Extra holds every other top-level field of config.json, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// configFields is an alias without methods, so (un)marshalling the known
// fields does not recurse into Config's own methods.
type configFields Config

// knownKeys lists the JSON keys Config interprets itself.
var knownKeys = map[string]bool{
	"architectures": true, "model_type": true, "vocab_size": true, "hidden_size": true,
	"num_hidden_layers": true, "num_attention_heads": true, "intermediate_size": true,
	"hidden_act": true, "max_position_embeddings": true, "type_vocab_size": true,
	"layer_norm_eps": true, "pad_token_id": true, "id2label": true, "label2id": true,
}

// UnmarshalJSON parses config.json, applying HF's defaults for absent
// hidden_act, layer_norm_eps, type_vocab_size and pad_token_id.
func (c *Config) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var f configFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	if _, ok := raw["hidden_act"]; !ok {
		f.HiddenAct = "gelu"
	}
	if _, ok := raw["layer_norm_eps"]; !ok {
		f.LayerNormEps = 1e-12
	}
	if _, ok := raw["type_vocab_size"]; !ok {
		f.TypeVocabSize = 2
	}
	if _, ok := raw["pad_token_id"]; !ok && f.ModelType == ModelTypeXLMR {
		f.PadTokenID = 1
	}
	f.Extra = map[string]json.RawMessage{}
	for k, v := range raw {
		if !knownKeys[k] {
			f.Extra[k] = v
		}
	}
	*c = Config(f)
	return nil
}

// MarshalJSON writes the known fields merged with Extra, keys sorted.
func (c Config) MarshalJSON() ([]byte, error) {
	known, err := json.Marshal(configFields(c))
	if err != nil {
		return nil, err
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(known, &merged); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		if !knownKeys[k] {
			merged[k] = v
		}
	}
	return json.Marshal(merged)
}

// ReadConfig parses and validates the config.json at path.
func ReadConfig(path string) (Config, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(buf, &cfg); err != nil {
		return Config{}, fmt.Errorf("%s: %w: %v", path, ErrInvalidConfig, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks the config describes a BERT or XLM-R encoder this
// project can run: a supported architecture, exact-erf GELU, absolute
// positions, positive sizes and hidden_size divisible by the head count.
func (c Config) Validate() error {
	if len(c.Architectures) > 1 {
		return fmt.Errorf("%w: architectures %v: want exactly one", ErrUnsupported, c.Architectures)
	}
	for _, a := range c.Architectures {
		mt, ok := supportedArchitectures[a]
		if !ok {
			return fmt.Errorf("%w: unsupported architecture %s (supported: %s)", ErrUnsupported, a, supportedList)
		}
		if c.ModelType != "" && c.ModelType != mt {
			return fmt.Errorf("%w: architecture %s with model_type %q, want %q", ErrInvalidConfig, a, c.ModelType, mt)
		}
	}
	if c.ModelType != ModelTypeBERT && c.ModelType != ModelTypeXLMR {
		return fmt.Errorf("%w: unsupported model_type %q (supported: %s, %s)", ErrUnsupported, c.ModelType, ModelTypeBERT, ModelTypeXLMR)
	}
	if c.HiddenAct != "gelu" {
		return fmt.Errorf("%w: hidden_act %q (supported: gelu, the exact erf form)", ErrUnsupported, c.HiddenAct)
	}
	if raw, ok := c.Extra["position_embedding_type"]; ok {
		var pe string
		if err := json.Unmarshal(raw, &pe); err != nil || pe != "absolute" {
			return fmt.Errorf("%w: position_embedding_type %s (supported: \"absolute\")", ErrUnsupported, raw)
		}
	}
	for _, b := range []string{"is_decoder", "add_cross_attention"} {
		if string(c.Extra[b]) == "true" {
			return fmt.Errorf("%w: %s is true (only encoders are supported)", ErrUnsupported, b)
		}
	}
	positive := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return fmt.Errorf("%w: %s is %d, want > 0", ErrInvalidConfig, p.name, p.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("%w: hidden_size %d is not a multiple of num_attention_heads %d", ErrInvalidConfig, c.HiddenSize, c.NumAttentionHeads)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("%w: layer_norm_eps is %g, want > 0", ErrInvalidConfig, c.LayerNormEps)
	}
	if c.PadTokenID < 0 || c.PadTokenID >= c.VocabSize {
		return fmt.Errorf("%w: pad_token_id %d outside vocab_size %d", ErrInvalidConfig, c.PadTokenID, c.VocabSize)
	}
	if c.IsXLMR() && c.MaxPositionEmbeddings <= c.PadTokenID+1 {
		return fmt.Errorf("%w: max_position_embeddings %d leaves no positions after padding_idx %d", ErrInvalidConfig, c.MaxPositionEmbeddings, c.PadTokenID)
	}
	if len(c.Label2ID) > 0 && len(c.ID2Label) > 0 && len(c.Label2ID) != len(c.ID2Label) {
		return fmt.Errorf("%w: id2label has %d labels, label2id %d", ErrInvalidConfig, len(c.ID2Label), len(c.Label2ID))
	}
	return nil
}

// IsXLMR reports whether the config is XLM-RoBERTa (positions offset by
// pad_token_id+1, no token types in practice, no pooler in the head).
func (c Config) IsXLMR() bool { return c.ModelType == ModelTypeXLMR }

// HeadDim returns hidden_size / num_attention_heads.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// NumLabels returns the number of classifier outputs: len(id2label), else
// num_labels, else HF's default of 2.
func (c Config) NumLabels() int {
	if len(c.ID2Label) > 0 {
		return len(c.ID2Label)
	}
	var n int
	if raw, ok := c.Extra["num_labels"]; ok && json.Unmarshal(raw, &n) == nil && n > 0 {
		return n
	}
	return 2
}

// IsCrossEncoder reports whether the architecture is a
// ...ForSequenceClassification model.
func (c Config) IsCrossEncoder() bool {
	for _, a := range c.Architectures {
		if strings.HasSuffix(a, "ForSequenceClassification") {
			return true
		}
	}
	return false
}

// withLabels returns the config with id2label/label2id set to n labels,
// keeping existing names when their count already matches.
func (c Config) withLabels(n int) Config {
	if len(c.ID2Label) == n && len(c.Label2ID) == n {
		return c
	}
	c.ID2Label = make(map[string]string, n)
	c.Label2ID = make(map[string]int, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("LABEL_%d", i)
		c.ID2Label[fmt.Sprint(i)] = name
		c.Label2ID[name] = i
	}
	return c
}

// clone returns a deep copy so callers' maps and slices stay untouched.
func (c Config) clone() Config {
	out := c
	out.Architectures = append([]string(nil), c.Architectures...)
	out.ID2Label = copyMap(c.ID2Label)
	out.Label2ID = copyMap(c.Label2ID)
	out.Extra = copyMap(c.Extra)
	return out
}

// copyMap returns a shallow copy of m (nil stays nil).
func copyMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
