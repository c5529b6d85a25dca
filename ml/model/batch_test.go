package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPadBatch(t *testing.T) {
	b := Batch{IDs: []int32{5, 6, 7, 8, 9, 1}, TypeIDs: []int32{0, 0, 1, 0, 0, 0}, Mask: []int32{1, 1, 1, 1, 1, 0}, Rows: 2, Len: 3}
	require.NoError(t, b.Validate())
	p := PadBatch(b, 4, 1)
	require.NoError(t, p.Validate())
	assert.Equal(t, 2, p.Rows)
	assert.Equal(t, 4, p.Len)
	assert.Equal(t, []int32{5, 6, 7, 1, 8, 9, 1, 1}, p.IDs)
	assert.Equal(t, []int32{0, 0, 1, 0, 0, 0, 0, 0}, p.TypeIDs)
	assert.Equal(t, []int32{1, 1, 1, 0, 1, 1, 0, 0}, p.Mask)
	assert.Equal(t, b, PadBatch(b, 1, 0), "nothing to pad returns b itself")
}

func TestBucketRows(t *testing.T) {
	for _, tc := range []struct{ rows, want int }{
		{0, 1}, {1, 1}, {2, 2}, {3, 4}, {5, 8}, {8, 8}, {9, 16}, {50, 56}, {64, 64},
	} {
		assert.Equal(t, tc.want, bucketRows(tc.rows), "rows %d", tc.rows)
	}
}

func TestPaddedShape(t *testing.T) {
	tests := []struct{ rows, length, maxLen, wantRows, wantLen int }{
		{50, 200, 512, 56, 208},
		{18, 250, 256, 24, 256},
		{3, 500, 512, 4, 512},
		{1, 510, 510, 1, 510}, // clipped to the model's positions, not rounded past them
		{5, 54, 512, 8, 56},   // short texts: multiples of 8
	}
	for _, tc := range tests {
		r, l := PaddedShape(tc.rows, tc.length, tc.maxLen)
		assert.Equal(t, [2]int{tc.wantRows, tc.wantLen}, [2]int{r, l}, "%d×%d, max %d", tc.rows, tc.length, tc.maxLen)
	}
}
