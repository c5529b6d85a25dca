//go:build !cgo

package tokenizer

// newNative fails: without cgo there is no tokenizer library to call. The
// rest of the package (batching, buckets) still builds, so packages that
// import it compile with CGO_ENABLED=0.
func newNative([]byte) (native, error) { return nil, ErrNoNative }
