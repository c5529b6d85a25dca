// Package safetensors reads and writes the safetensors tensor file format
// (https://huggingface.co/docs/safetensors) in pure Go.
//
// The API, stable for other packages:
//
//	type Tensor struct{ DType string; Shape []int; Data []float32 }
//	func Read(path string) (map[string]Tensor, map[string]string, error)
//	func Write(path string, tensors map[string]Tensor, meta map[string]string) error
//	func ReadIndex(dir string) (Index, error)
//	func ReadSharded(dir string) (map[string]Tensor, map[string]string, error)
//
// Read decodes F32, F16, BF16 and F64 tensors to float32 and silently skips
// integer and bool tensors (HF checkpoints carry an I64
// embeddings.position_ids buffer). Write emits F32 only, with keys sorted and
// the header padded to 8 bytes, through a temp file and a rename so that a
// crash never leaves a half-written file at path.
//
// Every error names the file and, where one is involved, the tensor, and
// wraps one of ErrTruncated, ErrHeader, ErrDType or ErrShape for errors.Is.
package safetensors
