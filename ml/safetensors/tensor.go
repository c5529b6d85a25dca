package safetensors

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by Read, ReadIndex and Write; test with errors.Is.
var (
	// ErrTruncated means the file ends before its header or a tensor's bytes.
	ErrTruncated = errors.New("truncated safetensors file")
	// ErrHeader means the JSON header is malformed or inconsistent.
	ErrHeader = errors.New("invalid safetensors header")
	// ErrDType means a tensor has a dtype this package does not decode.
	ErrDType = errors.New("unsupported dtype")
	// ErrShape means a tensor's shape disagrees with its byte range or data.
	ErrShape = errors.New("shape mismatch")
)

// Tensor is a dense row-major tensor decoded to float32; DType records the
// dtype it had in the file ("F32", "F16", "BF16", "F64").
type Tensor struct {
	DType string
	Shape []int
	Data  []float32
}

// NumElements returns the product of Shape (1 for a scalar).
func (t Tensor) NumElements() int {
	return numElements(t.Shape)
}

// Clone returns a deep copy, so callers can mutate Data safely.
func (t Tensor) Clone() Tensor {
	return Tensor{
		DType: t.DType,
		Shape: append([]int(nil), t.Shape...),
		Data:  append([]float32(nil), t.Data...),
	}
}

// New returns an F32 tensor of the given shape filled with zeros.
func New(shape ...int) Tensor {
	return Tensor{DType: "F32", Shape: append([]int(nil), shape...), Data: make([]float32, numElements(shape))}
}

// numElements multiplies dims; callers validate dims are non-negative.
func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// checkShape verifies dims are non-negative and their product fits limit
// without overflowing; it returns the element count.
func checkShape(shape []int, limit int64) (int64, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("%w: dimension %d is %d", ErrShape, i, d)
		}
		if d != 0 && n > limit/int64(d) {
			return 0, fmt.Errorf("%w: shape %v exceeds %d elements", ErrShape, shape, limit)
		}
		n *= int64(d)
	}
	return n, nil
}
