package platform

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMemTotal(t *testing.T) {
	for in, want := range map[string]int64{
		"MemTotal:       16318480 kB\nMemFree:  1 kB\n": 16318480 << 10,
		"MemFree: 1 kB\nMemTotal: 2048 kB":              2048 << 10,
		"MemTotal: lots":                                0,
		"MemTotal: 2048 MB":                             0,
		"":                                              0,
	} {
		assert.Equal(t, want, memTotal(in), "%q", in)
	}
	assert.Positive(t, TotalMemory(), "this Linux machine's memory")
}
