package bench

// flops estimates one call's floating-point operations: 2 per multiply-add
// of the encoder's matrices (embedding lookups cost none) per token, plus
// the attention products, plus the head; training counts 3× the forward.
func (b *runner) flops(w workload) float64 {
	h, i, seq := float64(b.sizes.Shape.HiddenSize), float64(b.sizes.Shape.IntermediateSize), float64(b.sizes.SeqLen)
	perLayer := 2*seq*(4*h*h+2*h*i) + 4*seq*seq*h
	perRow := float64(w.layers) * perLayer
	if w.cross {
		perRow += 2 * (h*h + h)
	}
	f := perRow * float64(w.rows)
	if w.train {
		f *= 3
	}
	return f
}

func (b *runner) peakFrac(w workload, perIter float64) float64 {
	if b.machine.PeakGFLOPS <= 0 || perIter <= 0 {
		return 0
	}
	return b.flops(w) / perIter / (b.machine.PeakGFLOPS * 1e9)
}
