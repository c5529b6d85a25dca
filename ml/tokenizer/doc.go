// Package tokenizer turns query/document text into the padded int32 batches a
// cross-encoder or bi-encoder consumes, using a Hugging Face tokenizer.json.
//
// It wraps github.com/daulet/tokenizers (cgo over the Rust tokenizers crate)
// for the model's normalization and sub-word splitting, and does the pair
// assembly itself: each side is encoded without special tokens, truncated
// longest-first exactly as the Rust crate does, then wrapped with the special
// tokens of the file's post_processor (TemplateProcessing, BertProcessing or
// RobertaProcessing), so BERT "[CLS] q [SEP] d [SEP]" and XLM-R
// "<s> q </s></s> d </s>" both come out as Python's tokenizers would.
//
// Building needs cgo and the static library libtokenizers.a:
//
//	scripts/build-tokenizers.sh                       # once; installs third_party/lib/libtokenizers.a
//	export CGO_LDFLAGS="-L$(pwd)/third_party/lib"
//	go test ./ml/tokenizer/...
//
// Built with CGO_ENABLED=0 the package still compiles (so its importers do)
// but Load returns ErrNoNative and the tests that need a tokenizer skip.
package tokenizer
