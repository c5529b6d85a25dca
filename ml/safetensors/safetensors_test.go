package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawFile assembles a safetensors file from a header value and data bytes.
func rawFile(t testing.TB, header any, data []byte) []byte {
	t.Helper()
	hdr, err := json.Marshal(header)
	require.NoError(t, err)
	buf := make([]byte, 8, 8+len(hdr)+len(data))
	binary.LittleEndian.PutUint64(buf, uint64(len(hdr)))
	buf = append(buf, hdr...)
	return append(buf, data...)
}

// writeRaw stores bytes under a temp dir and returns the path.
func writeRaw(t testing.TB, name string, buf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, buf, 0o644))
	return path
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := map[string]Tensor{
		"b.weight": {DType: "F32", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, 0, float32(math.Inf(1)), -1e-30}},
		"a.bias":   {DType: "F32", Shape: []int{3}, Data: []float32{0.25, 0.5, 0.75}},
		"scalar":   {DType: "F32", Shape: []int{}, Data: []float32{42}},
		"empty":    {DType: "F32", Shape: []int{0, 4}, Data: []float32{}},
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, Write(path, in, map[string]string{"format": "pt"}))

	out, meta, err := Read(path)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"format": "pt"}, meta)
	require.Len(t, out, len(in))
	for name, want := range in {
		got := out[name]
		assert.Equal(t, "F32", got.DType, name)
		assert.Equal(t, want.Shape, got.Shape, name)
		assert.Equal(t, want.Data, got.Data, name)
	}

	buf, err := os.ReadFile(path)
	require.NoError(t, err)
	n := binary.LittleEndian.Uint64(buf)
	assert.Zero(t, n%8, "header length is 8-byte aligned")
	hdr := string(buf[8 : 8+n])
	assert.Less(t, strings.Index(hdr, `"a.bias"`), strings.Index(hdr, `"b.weight"`), "keys sorted")
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temp files left behind")
}

func TestWriteRejectsBadTensor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.safetensors")
	err := Write(path, map[string]Tensor{"w": {Shape: []int{2, 2}, Data: []float32{1, 2, 3}}}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrShape)
	assert.Contains(t, err.Error(), `"w"`)
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries, "nothing written on error")
}

func TestReadDecodesDTypes(t *testing.T) {
	var data []byte
	le := binary.LittleEndian
	// F16: 1, -2, 65504, smallest subnormal.
	for _, h := range []uint16{0x3c00, 0xc000, 0x7bff, 0x0001} {
		data = le.AppendUint16(data, h)
	}
	// BF16: 1.5, -0.5.
	for _, f := range []float32{1.5, -0.5} {
		data = le.AppendUint16(data, uint16(math.Float32bits(f)>>16))
	}
	// F64: 3.25.
	data = le.AppendUint64(data, math.Float64bits(3.25))
	// I64 buffer (skipped).
	data = le.AppendUint64(data, 7)
	header := map[string]any{
		"h":            map[string]any{"dtype": "F16", "shape": []int{4}, "data_offsets": []int{0, 8}},
		"b":            map[string]any{"dtype": "BF16", "shape": []int{2}, "data_offsets": []int{8, 12}},
		"d":            map[string]any{"dtype": "F64", "shape": []int{1}, "data_offsets": []int{12, 20}},
		"position_ids": map[string]any{"dtype": "I64", "shape": []int{1, 1}, "data_offsets": []int{20, 28}},
	}
	out, meta, err := Read(writeRaw(t, "m.safetensors", rawFile(t, header, data)))
	require.NoError(t, err)
	assert.Nil(t, meta)
	assert.Equal(t, []float32{1, -2, 65504, float32(math.Ldexp(1, -24))}, out["h"].Data)
	assert.Equal(t, "F16", out["h"].DType)
	assert.Equal(t, []float32{1.5, -0.5}, out["b"].Data)
	assert.Equal(t, []float32{3.25}, out["d"].Data)
	assert.NotContains(t, out, "position_ids")
}

func TestReadErrors(t *testing.T) {
	f32 := func(shape []int, off []int) map[string]any {
		return map[string]any{"dtype": "F32", "shape": shape, "data_offsets": off}
	}
	eight := make([]byte, 8)
	tests := []struct {
		name     string
		buf      func(t *testing.T) []byte
		sentinel error
		contains string
	}{
		{"too short", func(t *testing.T) []byte { return []byte{1, 2, 3} }, ErrTruncated, "at least 8"},
		{"header beyond file", func(t *testing.T) []byte {
			b := rawFile(t, map[string]any{}, nil)
			binary.LittleEndian.PutUint64(b, 1000)
			return b
		}, ErrTruncated, "beyond file size"},
		{"huge header length", func(t *testing.T) []byte {
			b := rawFile(t, map[string]any{}, nil)
			binary.LittleEndian.PutUint64(b, math.MaxUint64)
			return b
		}, ErrHeader, "exceeds"},
		{"invalid json", func(t *testing.T) []byte {
			b := rawFile(t, map[string]any{"w": f32([]int{2}, []int{0, 8})}, eight)
			b[9] = '!'
			return b
		}, ErrHeader, "JSON"},
		{"unsupported dtype", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": map[string]any{"dtype": "C64", "shape": []int{1}, "data_offsets": []int{0, 8}}}, eight)
		}, ErrDType, `tensor "w"`},
		{"fp8 not decoded", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": map[string]any{"dtype": "F8_E4M3", "shape": []int{8}, "data_offsets": []int{0, 8}}}, eight)
		}, ErrDType, `tensor "w"`},
		{"shape vs bytes", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": f32([]int{3}, []int{0, 8})}, eight)
		}, ErrShape, `tensor "w"`},
		{"offsets beyond data", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": f32([]int{4}, []int{0, 16})}, eight)
		}, ErrTruncated, `tensor "w"`},
		{"offsets reversed", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": f32([]int{0}, []int{8, 4})}, eight)
		}, ErrHeader, "increasing"},
		{"overlap", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"a": f32([]int{2}, []int{0, 8}), "b": f32([]int{1}, []int{4, 8})}, eight)
		}, ErrHeader, "overlap"},
		{"negative dim", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": f32([]int{-2}, []int{0, 8})}, eight)
		}, ErrShape, "dimension"},
		{"overflowing dims", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": f32([]int{1 << 40, 1 << 40}, []int{0, 8})}, eight)
		}, ErrShape, "exceeds"},
		{"missing offsets", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"w": map[string]any{"dtype": "F32", "shape": []int{2}}}, eight)
		}, ErrHeader, "data_offsets"},
		{"bad metadata", func(t *testing.T) []byte {
			return rawFile(t, map[string]any{"__metadata__": map[string]any{"n": 1}}, nil)
		}, ErrHeader, "__metadata__"},
		{"header not object", func(t *testing.T) []byte { return rawFile(t, []int{1}, nil) }, ErrHeader, "JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeRaw(t, "broken.safetensors", tc.buf(t))
			_, _, err := Read(path)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), path, "error names the file")
			assert.Contains(t, err.Error(), tc.contains)
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	_, _, err := Read(filepath.Join(t.TempDir(), "nope.safetensors"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// validFile returns a small well-formed file used as a corruption seed.
func validFile(t testing.TB) []byte {
	path := filepath.Join(t.TempDir(), "seed.safetensors")
	require.NoError(t, Write(path, map[string]Tensor{
		"a": {Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
		"b": {Shape: []int{3}, Data: []float32{5, 6, 7}},
	}, map[string]string{"format": "pt"}))
	buf, err := os.ReadFile(path)
	require.NoError(t, err)
	return buf
}

func TestCorruptedBytesNeverPanic(t *testing.T) {
	seed := validFile(t)
	for n := 0; n < len(seed); n++ { // every truncation
		_, _, _, err := parse(seed[:n])
		assert.Error(t, err, "truncated to %d bytes", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ { // random byte flips
		buf := append([]byte(nil), seed...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			buf[rng.IntN(len(buf))] = byte(rng.IntN(256))
		}
		assert.NotPanics(t, func() { _, _, _, _ = parse(buf) })
	}
}

func FuzzParse(f *testing.F) {
	f.Add(validFile(f))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, buf []byte) {
		tensors, _, _, err := parse(buf)
		if err != nil {
			return
		}
		for name, ts := range tensors {
			if ts.NumElements() != len(ts.Data) {
				t.Fatalf("tensor %s: shape %v, %d values", name, ts.Shape, len(ts.Data))
			}
		}
	})
}

func TestReadSharded(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Write(filepath.Join(dir, "model-00001-of-00002.safetensors"),
		map[string]Tensor{"a": {Shape: []int{1}, Data: []float32{1}}}, nil))
	require.NoError(t, Write(filepath.Join(dir, "model-00002-of-00002.safetensors"),
		map[string]Tensor{"b": {Shape: []int{2}, Data: []float32{2, 3}}}, nil))
	writeIndex := func(m map[string]string) {
		buf, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 12}, "weight_map": m})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, IndexFile), buf, 0o644))
	}

	writeIndex(map[string]string{"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"})
	idx, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, idx.Shards())
	all, _, err := ReadSharded(dir)
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 3}, all["b"].Data)
	assert.Len(t, all, 2)

	writeIndex(map[string]string{"a": "model-00002-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"})
	_, _, err = ReadSharded(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `tensor "a"`)

	writeIndex(map[string]string{"a": "../etc/passwd"})
	_, err = ReadIndex(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrHeader)

	require.NoError(t, os.WriteFile(filepath.Join(dir, IndexFile), []byte("{"), 0o644))
	_, err = ReadIndex(dir)
	assert.ErrorIs(t, err, ErrHeader)
}

func TestTensorHelpers(t *testing.T) {
	a := New(2, 3)
	assert.Equal(t, 6, a.NumElements())
	assert.Len(t, a.Data, 6)
	b := a.Clone()
	b.Data[0] = 1
	b.Shape[0] = 9
	assert.Zero(t, a.Data[0])
	assert.Equal(t, 2, a.Shape[0])
	assert.True(t, errors.Is(ErrShape, ErrShape))
}

// BenchmarkRead reads a 90 MB file, the size of all-MiniLM-L6-v2.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.safetensors")
	w := New(30522, 384)
	tensors := map[string]Tensor{"embeddings.word_embeddings.weight": w}
	for i := 0; i < 6; i++ {
		tensors["layer"+string(rune('0'+i))] = New(1536*4, 384)
	}
	require.NoError(b, Write(path, tensors, nil))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Read(path); err != nil {
			b.Fatal(err)
		}
	}
}
