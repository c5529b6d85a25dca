//go:build !amd64 && !arm64

package bench

const haveAddChain = false

func addChain(n int64) int64 { return n * chainAdds }
