package retrieve

import "github.com/precedent/precedent/ml/half"

// halfToFloat maps every IEEE 754 binary16 bit pattern to its float32 value;
// converting a block of stored half floats is then one load per element.
var halfToFloat = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = half.ToFloat32(uint16(i))
	}
	return &t
}()
