package safetensors

import (
	"encoding/binary"
	"math"

	"github.com/precedent/precedent/ml/half"
)

// dtypeSize gives the byte width of each dtype in the format; decodable
// reports whether Read converts it to float32 (others are skipped).
var dtypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// decodable reports whether dtype is a float type Read converts to float32.
func decodable(dtype string) bool {
	switch dtype {
	case "F32", "F16", "BF16", "F64":
		return true
	}
	return false
}

// skippable reports whether dtype is an integer/bool buffer Read drops
// without error (e.g. embeddings.position_ids).
func skippable(dtype string) bool {
	switch dtype {
	case "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64":
		return true
	}
	return false
}

// decode converts little-endian raw bytes of dtype into float32s; len(raw)
// has already been checked against the element count.
func decode(dtype string, raw []byte, n int) []float32 {
	out := make([]float32, n)
	switch dtype {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	case "F16":
		for i := range out {
			out[i] = half.ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	}
	return out
}
