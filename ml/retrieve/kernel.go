package retrieve

// dot2x4Go computes out[4i+j] = q_i · d_j for queries q0, q1 and the four
// document rows d[j·stride : j·stride+n]. It sums in the same order as the
// AVX2 kernel (eight lanes, then pairwise); the AVX2 kernel fuses
// multiply-add, so the two may differ in the last bit. Either way equal
// vectors get exactly equal scores. n is a multiple of 8.
func dot2x4Go(q0, q1, d []float32, stride, n int, out *[8]float32) {
	d0, d1, d2, d3 := d[:n], d[stride:stride+n], d[2*stride:2*stride+n], d[3*stride:3*stride+n]
	q0, q1 = q0[:n], q1[:n]
	var acc [8][8]float32
	for k := 0; k < n; k += 8 {
		for l := range 8 {
			a, b := q0[k+l], q1[k+l]
			acc[0][l] += a * d0[k+l]
			acc[1][l] += a * d1[k+l]
			acc[2][l] += a * d2[k+l]
			acc[3][l] += a * d3[k+l]
			acc[4][l] += b * d0[k+l]
			acc[5][l] += b * d1[k+l]
			acc[6][l] += b * d2[k+l]
			acc[7][l] += b * d3[k+l]
		}
	}
	for i := range 8 {
		a := &acc[i]
		// hadd(a, ·) then hadd again within each 128-bit half, then add halves.
		lo := (a[0] + a[1]) + (a[2] + a[3])
		hi := (a[4] + a[5]) + (a[6] + a[7])
		out[i] = lo + hi
	}
}
