package backend

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keepMemoryLimit restores the process's Go memory limit after the test.
func keepMemoryLimit(t *testing.T) int64 {
	t.Helper()
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	return saved
}

// NewRuntime changes the Go memory limit only when its Config asks;
// LimitMemory sets it only for a positive limit.
func TestRuntimeMemoryLimit(t *testing.T) {
	before := keepMemoryLimit(t)
	if before != math.MaxInt64 {
		debug.SetMemoryLimit(math.MaxInt64) // a GOMEMLIMIT in the environment must not decide the test
		before = math.MaxInt64
	}

	r := NewRuntime(Config{})
	assert.Equal(t, before, debug.SetMemoryLimit(-1), "the zero Config leaves the limit alone")
	assert.Zero(t, r.MemoryLimitMB())
	assert.Contains(t, r.String(), "no Go memory limit")
	r.LimitMemory(0)
	r.LimitMemory(-5)
	assert.Equal(t, before, debug.SetMemoryLimit(-1), "no limit asked, none set")

	r = NewRuntime(Config{MemoryLimitMB: 3000})
	assert.Equal(t, int64(3000)<<20, debug.SetMemoryLimit(-1), "asked for at construction")
	assert.Equal(t, 3000, r.MemoryLimitMB())
	assert.Contains(t, r.String(), "Go memory limit 3000 MiB")

	r.LimitMemory(2048)
	assert.Equal(t, int64(2048)<<20, debug.SetMemoryLimit(-1), "asked for by main later")
	r.LimitMemory(0)
	assert.Equal(t, int64(2048)<<20, debug.SetMemoryLimit(-1), "0 leaves the limit alone")
	assert.Equal(t, 2048, r.MemoryLimitMB())
}

// ONNX Runtime is on only in a runtime built with Config.ORT: without it
// "ort" fails saying so, and auto does not try it.
func TestRuntimeORTIsExplicit(t *testing.T) {
	noPJRT(t)
	off := NewRuntime(Config{})
	assert.False(t, off.ORT())
	assert.Contains(t, off.String(), "ONNX Runtime not enabled")
	assert.NotContains(t, off.Available(), ORTName)
	_, _, err := off.Backend(ORTName)
	assert.ErrorIs(t, err, ErrORTNotEnabled)
	assert.ErrorContains(t, err, `backend "ort": ONNX Runtime is not enabled in this runtime`)
	_, info, err := off.Backend("auto")
	require.NoError(t, err)
	assert.Equal(t, "auto → go", info.Name)
	assert.Empty(t, info.Inference)

	var asked int
	on := NewRuntime(Config{ORT: func(compute.Backend, string) (string, error) { asked++; return "1.29.0", nil }})
	assert.True(t, on.ORT())
	assert.Contains(t, on.String(), "ONNX Runtime enabled")
	assert.Contains(t, on.Available(), ORTName)
	assert.Zero(t, asked, "building the runtime loads nothing")
}

// Each runtime has its own cache, and the default backend is the one
// named at construction.
func TestRuntimeChoice(t *testing.T) {
	t.Setenv(EnvVar, "go:ops_sequential")
	fromEnv := NewRuntime(Config{})
	assert.Equal(t, "go:ops_sequential", fromEnv.DefaultBackend())
	assert.Contains(t, fromEnv.String(), "default backend go:ops_sequential ($PRECEDENT_BACKEND)")
	chosen := NewRuntime(Config{Backend: "go"})
	assert.Equal(t, "go", chosen.DefaultBackend())

	t.Setenv(EnvVar, "")
	b1, info, err := chosen.Backend("")
	require.NoError(t, err)
	assert.Equal(t, "go", info.Name)
	b2, _, err := chosen.Backend("go")
	require.NoError(t, err)
	assert.Same(t, b1, b2, "one instance per name")
	b3, _, err := fromEnv.Backend("go")
	require.NoError(t, err)
	assert.NotSame(t, b1, b3, "a cache per runtime")

	var nilRuntime *Runtime
	assert.Equal(t, Default().DefaultBackend(), nilRuntime.DefaultBackend(), "a nil runtime is Default()")
}
