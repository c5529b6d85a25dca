package retrieve

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVectorCacheResumeAndInvalidate(t *testing.T) {
	for _, p := range []Precision{Float32, Float16} {
		t.Run(map[Precision]string{Float32: "float32", Float16: "float16"}[p], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vec.log")
			c, err := OpenVectorCache(path, "model-A", 3, p)
			require.NoError(t, err)
			h1, h2 := TextHash("text one"), TextHash("text two")
			require.NoError(t, c.Put("T1", h1, []float32{1, 2, 3}))
			require.NoError(t, c.Put("T2", h1, []float32{0.5, -1, 4}))
			v, ok, err := c.Get("T1", h1) // before any flush
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, []float32{1, 2, 3}, v)
			require.NoError(t, c.Close())

			// Resume: both there; a changed text misses only that ticket.
			c, err = OpenVectorCache(path, "model-A", 3, p)
			require.NoError(t, err)
			assert.Equal(t, CacheStats{Loaded: 2, Records: 2}, c.Stats())
			_, ok, err = c.Get("T1", h2)
			require.NoError(t, err)
			assert.False(t, ok, "changed text must miss")
			v, ok, err = c.Get("T2", h1)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, []float32{0.5, -1, 4}, v)
			require.NoError(t, c.Put("T1", h2, []float32{7, 8, 9}))
			require.NoError(t, c.Close())

			c, err = OpenVectorCache(path, "model-A", 3, p)
			require.NoError(t, err)
			assert.Equal(t, CacheStats{Loaded: 2, Records: 3}, c.Stats())
			_, ok, _ = c.Get("T1", h1)
			assert.False(t, ok, "superseded record")
			v, ok, _ = c.Get("T1", h2)
			require.True(t, ok)
			assert.Equal(t, []float32{7, 8, 9}, v)
			require.NoError(t, c.Close())

			// Another model starts afresh.
			c, err = OpenVectorCache(path, "model-B", 3, p)
			require.NoError(t, err)
			assert.Equal(t, CacheStats{Reset: true}, c.Stats())
			require.NoError(t, c.Close())
		})
	}
}

func TestVectorCacheTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vec.log")
	c, err := OpenVectorCache(path, "m", 2, Float32)
	require.NoError(t, err)
	require.NoError(t, c.Put("A", "h", []float32{1, 2}))
	require.NoError(t, c.Put("B", "h", []float32{3, 4}))
	require.NoError(t, c.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)

	tests := []struct {
		name     string
		damage   func()
		wantIDs  []string
		wantTorn int64
	}{
		{"half-written last record", func() { require.NoError(t, os.Truncate(path, st.Size()-3)) }, []string{"A"}, 22 - 3}, // a record of B is 4+14+4 bytes
		{"garbage appended", func() {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			f.Write([]byte{9, 9, 9, 9, 9})
			f.Close()
		}, []string{"A"}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.damage()
			c, err := OpenVectorCache(path, "m", 2, Float32)
			require.NoError(t, err)
			assert.Equal(t, tt.wantTorn, c.Stats().TornBytes)
			for _, id := range []string{"A", "B"} {
				_, ok, err := c.Get(id, "h")
				require.NoError(t, err)
				assert.Equal(t, contains(tt.wantIDs, id), ok, id)
			}
			// The log stays appendable after the cut.
			require.NoError(t, c.Put("C", "h", []float32{5, 6}))
			require.NoError(t, c.Close())
			c, err = OpenVectorCache(path, "m", 2, Float32)
			require.NoError(t, err)
			v, ok, err := c.Get("C", "h")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, []float32{5, 6}, v)
			assert.Zero(t, c.Stats().TornBytes)
			require.NoError(t, c.Close())
		})
	}
}

func TestVectorCacheRejects(t *testing.T) {
	c, err := OpenVectorCache(filepath.Join(t.TempDir(), "v"), "m", 2, Float32)
	require.NoError(t, err)
	defer c.Close()
	assert.ErrorIs(t, c.Put("A", "h", []float32{1}), ErrCacheVector)
	assert.ErrorContains(t, c.Put("A", "h", []float32{1, float32(math.Inf(1))}), "component 1 is +Inf")
	_, err = OpenVectorCache(filepath.Join(t.TempDir(), "v"), "", 2, Float32)
	assert.Error(t, err)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
