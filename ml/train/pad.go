package train

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/precedent/precedent/ml/model"
)

// lenBuckets are the padded sequence lengths below 512: few enough that a
// run compiles its step a handful of times, close enough that padding wastes
// at most a third of the compute.
var lenBuckets = []int{16, 32, 48, 64, 96, 128, 192, 256, 384, 512}

// bucketLen rounds a sequence length up to its bucket (multiples of 256 past 512).
func bucketLen(n int) int {
	for _, b := range lenBuckets {
		if n <= b {
			return b
		}
	}
	return (n + 255) / 256 * 256
}

// stepInputs is one padded batch as the compiled step consumes it.
type stepInputs struct {
	ids, typeIDs, mask *tensors.Tensor // int32 [rows, len]
	labels, weights    *tensors.Tensor // float32 [rows]; weight 0 marks padding rows
	realRows           int
}

// padInputs pads b to exactly rows rows and a bucketed length. Padding
// positions hold id 0 with mask 0; padding rows are fully masked and weigh 0
// in the loss, so neither changes any real row's loss or gradient.
func padInputs(b model.Batch, labels []float32, rows int) (stepInputs, error) {
	if err := b.Validate(); err != nil {
		return stepInputs{}, err
	}
	if len(labels) != b.Rows {
		return stepInputs{}, fmt.Errorf("batch: %d labels for %d rows", len(labels), b.Rows)
	}
	if b.Rows == 0 || b.Rows > rows {
		return stepInputs{}, fmt.Errorf("batch: %d rows, want 1..%d", b.Rows, rows)
	}
	for i, y := range labels {
		if !(y >= 0 && y <= 1) {
			return stepInputs{}, fmt.Errorf("batch: row %d label %v is outside [0, 1]", i, y)
		}
	}
	length := bucketLen(max(b.Len, 1))
	ids := make([]int32, rows*length)
	typeIDs := make([]int32, rows*length)
	mask := make([]int32, rows*length)
	for r := range b.Rows {
		copy(ids[r*length:], b.IDs[r*b.Len:(r+1)*b.Len])
		copy(typeIDs[r*length:], b.TypeIDs[r*b.Len:(r+1)*b.Len])
		copy(mask[r*length:], b.Mask[r*b.Len:(r+1)*b.Len])
	}
	ys := make([]float32, rows)
	ws := make([]float32, rows)
	copy(ys, labels)
	for r := range b.Rows {
		ws[r] = 1
	}
	return stepInputs{
		ids:      tensors.FromFlatDataAndDimensions(ids, rows, length),
		typeIDs:  tensors.FromFlatDataAndDimensions(typeIDs, rows, length),
		mask:     tensors.FromFlatDataAndDimensions(mask, rows, length),
		labels:   tensors.FromFlatDataAndDimensions(ys, rows),
		weights:  tensors.FromFlatDataAndDimensions(ws, rows),
		realRows: b.Rows,
	}, nil
}
