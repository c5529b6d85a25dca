package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// DefaultMaxLen is the token budget used when a caller passes maxLen <= 0.
const DefaultMaxLen = 256

// ErrNoNative is returned by Load in builds without cgo, which cannot link
// the Rust tokenizers library.
var ErrNoNative = errors.New("tokenizer needs cgo and libtokenizers.a (run scripts/build-tokenizers.sh, set CGO_LDFLAGS)")

// Tokenizer encodes single texts and query/document pairs. It is safe for
// concurrent use until Close.
type Tokenizer struct {
	native native
	tmpl   template
	padID  int32
}

// native splits text into sub-word IDs, without special tokens, truncation
// or padding; the cgo build wraps github.com/daulet/tokenizers.
type native interface {
	ids(text string) []uint32
	vocabSize() int
	close() error
}

// Load reads a Hugging Face tokenizer.json.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	t, err := fromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	return t, nil
}

// fileConfig is the part of tokenizer.json this package reads itself.
type fileConfig struct {
	PostProcessor json.RawMessage `json:"post_processor"`
	Padding       *struct {
		PadID int32 `json:"pad_id"`
	} `json:"padding"`
	AddedTokens []struct {
		ID      int32  `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	Model struct {
		Type string `json:"type"`
	} `json:"model"`
}

func fromBytes(data []byte) (*Tokenizer, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	var cfg fileConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	if cfg.Model.Type == "" {
		return nil, fmt.Errorf("no model.type: not a tokenizer.json")
	}
	tmpl, err := parseTemplate(cfg.PostProcessor)
	if err != nil {
		return nil, fmt.Errorf("post_processor: %w", err)
	}
	// Truncation and padding are ours to apply per batch: a file that fixes
	// them (all-MiniLM-L6-v2 pads every text to 128) must not do it again.
	raw["truncation"] = json.RawMessage("null")
	raw["padding"] = json.RawMessage("null")
	clean, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("rewrite json: %w", err)
	}
	n, err := newNative(clean)
	if err != nil {
		return nil, err
	}
	return &Tokenizer{native: n, tmpl: tmpl, padID: padID(cfg)}, nil
}

// padID prefers the file's padding config, then a conventional pad token.
func padID(cfg fileConfig) int32 {
	if cfg.Padding != nil {
		return cfg.Padding.PadID
	}
	for _, name := range []string{"[PAD]", "<pad>", "<|pad|>"} {
		for _, tok := range cfg.AddedTokens {
			if tok.Content == name {
				return tok.ID
			}
		}
	}
	return 0
}

// Close frees the native tokenizer; the Tokenizer must not be used after.
func (t *Tokenizer) Close() error {
	if t == nil || t.native == nil {
		return nil
	}
	err := t.native.close()
	t.native = nil
	return err
}

// PadID is the token ID that fills padded positions.
func (t *Tokenizer) PadID() int32 { return t.padID }

// VocabSize is the number of token IDs the model must embed.
func (t *Tokenizer) VocabSize() int { return t.native.vocabSize() }

// tokens splits text into IDs without special tokens or truncation.
func (t *Tokenizer) tokens(text string) []int32 {
	// C strings end at NUL; drop NULs instead of losing the rest of the text.
	text = strings.ReplaceAll(text, "\x00", "")
	if text == "" {
		return nil
	}
	raw := t.native.ids(text)
	ids := make([]int32, len(raw))
	for i, id := range raw {
		ids[i] = int32(id)
	}
	return ids
}
