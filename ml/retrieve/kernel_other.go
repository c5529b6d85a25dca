//go:build !amd64 || purego

package retrieve

// kernels lists the tile kernels this CPU runs: the portable one.
func kernels() []tileKernel { return []tileKernel{{"go", tileGo}} }

// halves converts binary16 values to float32.
func halves(dst []float32, src []uint16) { halvesGo(dst, src) }
