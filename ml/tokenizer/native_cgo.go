//go:build cgo

package tokenizer

import (
	"fmt"

	hf "github.com/daulet/tokenizers"
)

// hfNative is the Rust tokenizer behind cgo.
type hfNative struct{ t *hf.Tokenizer }

func newNative(config []byte) (native, error) {
	t, err := hf.FromBytes(config)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return hfNative{t}, nil
}

func (n hfNative) ids(text string) []uint32 { return n.t.EncodeWithOptions(text, false).IDs }
func (n hfNative) vocabSize() int           { return int(n.t.VocabSize()) }
func (n hfNative) close() error             { return n.t.Close() }
