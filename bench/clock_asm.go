//go:build amd64 || arm64

package bench

const haveAddChain = true

// addChain runs n loops of chainAdds dependent integer adds and returns their sum.
//
//go:noescape
func addChain(n int64) int64
