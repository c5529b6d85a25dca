package half

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromFloat32(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000}, {float32(math.Copysign(0, -1)), 0x8000}, {1, 0x3c00}, {-2, 0xc000},
		{65504, 0x7bff}, {1e6, 0x7c00}, {5.960464e-08, 0x0001}, {1e-9, 0x0000}, {0.333333, 0x3555},
		{float32(math.Inf(-1)), 0xfc00}, {float32(math.NaN()), 0x7e00},
		{1 + 1.0/2048, 0x3c00}, {1 + 3.0/2048, 0x3c02}, // ties to even
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FromFloat32(tt.in), "%v", tt.in)
	}
}

func TestToFloat32(t *testing.T) {
	assert.Equal(t, float32(1), ToFloat32(0x3c00))
	assert.Equal(t, float32(65504), ToFloat32(0x7bff))
	assert.True(t, math.IsInf(float64(ToFloat32(0x7c00)), 1))
	assert.True(t, math.IsInf(float64(ToFloat32(0xfc00)), -1))
	assert.True(t, math.IsNaN(float64(ToFloat32(0x7e00))))
	assert.Equal(t, math.Float32bits(float32(math.Copysign(0, -1))), math.Float32bits(ToFloat32(0x8000)))
	assert.Equal(t, float32(math.Ldexp(1, -24)), ToFloat32(0x0001), "smallest subnormal")
	assert.Equal(t, float32(math.Ldexp(1023, -24)), ToFloat32(0x03ff), "largest subnormal")
}

// Every half that is a number survives ToFloat32 then FromFloat32.
func TestRoundTripEveryHalf(t *testing.T) {
	for h := range 1 << 16 {
		f := ToFloat32(uint16(h))
		if math.IsNaN(float64(f)) {
			continue
		}
		if got := FromFloat32(f); got != uint16(h) {
			t.Fatalf("half %#04x → %v → %#04x", h, f, got)
		}
	}
}
