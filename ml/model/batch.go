package model

import (
	"fmt"

	"github.com/precedent/precedent/ml/tokenizer"
)

// Batch is a tokenized batch: IDs, TypeIDs and Mask are row-major [Rows, Len],
// each row padded to Len with Mask 0.
type Batch struct {
	IDs, TypeIDs, Mask []int32
	Rows, Len          int
}

// Validate reports whether the slices agree with Rows and Len.
func (b Batch) Validate() error {
	n := b.Rows * b.Len
	if b.Rows < 0 || b.Len < 0 {
		return fmt.Errorf("batch: negative shape [%d, %d]", b.Rows, b.Len)
	}
	for _, f := range []struct {
		name string
		v    []int32
	}{{"IDs", b.IDs}, {"TypeIDs", b.TypeIDs}, {"Mask", b.Mask}} {
		if len(f.v) != n {
			return fmt.Errorf("batch: %s has %d values, want Rows*Len = %d*%d = %d", f.name, len(f.v), b.Rows, b.Len, n)
		}
	}
	return nil
}

// TokenBatch is the model input of a tokenizer batch (the same layout).
func TokenBatch(tb tokenizer.Batch) Batch {
	return Batch{IDs: tb.IDs, TypeIDs: tb.TypeIDs, Mask: tb.Mask, Rows: tb.Rows, Len: tb.Len}
}

// PadBatch returns b with Len rounded up to a multiple of lenMultiple and Rows
// rounded up by bucketRows; new positions hold padID with Mask 0, so padded
// rows and columns do not change the results of the original rows.
func PadBatch(b Batch, lenMultiple int, padID int32) Batch {
	return padTo(b, bucketRows(b.Rows), roundUp(b.Len, lenMultiple), padID)
}

// PaddedShape is the [rows, length] a Scorer or Embedder runs a batch of
// rows × length tokens at, for a model of maxLen positions: each distinct
// result is one compiled executable, and rows × length over the real
// tokens is the compute spent on padding.
func PaddedShape(rows, length, maxLen int) (int, int) {
	return tokenizer.PaddedRows(rows), min(tokenizer.PaddedLen(length), maxLen)
}

// padTo copies b into a [rows, length] batch.
func padTo(b Batch, rows, length int, padID int32) Batch {
	if rows == b.Rows && length == b.Len {
		return b
	}
	out := Batch{
		IDs:     make([]int32, rows*length),
		TypeIDs: make([]int32, rows*length),
		Mask:    make([]int32, rows*length),
		Rows:    rows,
		Len:     length,
	}
	for i := range out.IDs {
		out.IDs[i] = padID
	}
	for r := 0; r < b.Rows; r++ {
		copy(out.IDs[r*length:], b.IDs[r*b.Len:(r+1)*b.Len])
		copy(out.TypeIDs[r*length:], b.TypeIDs[r*b.Len:(r+1)*b.Len])
		copy(out.Mask[r*length:], b.Mask[r*b.Len:(r+1)*b.Len])
	}
	return out
}

// bucketRows keeps the number of distinct compiled shapes small: the
// tokenizer's PaddedRows, which its Buckets plans batches with.
func bucketRows(rows int) int { return tokenizer.PaddedRows(rows) }

// roundUp rounds n up to a multiple of m (m <= 1 leaves n unchanged).
func roundUp(n, m int) int {
	if m <= 1 {
		return n
	}
	return (n + m - 1) / m * m
}
