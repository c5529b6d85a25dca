package app

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/backend"
)

// Backend is the backend named name on the runtime Open gives the tests'
// projects (backend.Default), so a test's own scorer shares the project's
// backend instance.
func Backend(name string) (compute.Backend, backend.Info, error) { return backend.New(name) }

func TestSettingsPick(t *testing.T) {
	for _, c := range []struct {
		name                 string
		option, setting, def string
		want                 string
	}{
		{"the option wins", "bf16", "f32", "auto", "bf16"},
		{"then the setting", "", "f32", "auto", "f32"},
		{"then the default", "", "", "auto", "auto"},
		{"nothing set, no default", "", "", "", ""},
	} {
		assert.Equal(t, c.want, pick(c.option, c.setting, c.def), c.name)
	}
	for _, c := range []struct {
		name                 string
		option, setting, def int
		want                 int
	}{
		{"the option wins", 2048, 4096, 12288, 2048},
		{"then the setting", 0, 4096, 12288, 4096},
		{"then the default", 0, 0, 12288, 12288},
	} {
		assert.Equal(t, c.want, pick(c.option, c.setting, c.def), c.name)
	}
}

// Opening a project leaves the process's memory limit alone, whatever its
// settings say: applying it is main's choice (backend.Runtime.LimitMemory).
func TestOpenLeavesMemoryLimit(t *testing.T) {
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	debug.SetMemoryLimit(math.MaxInt64)

	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, p.UpdateSettings(func(s *Settings) error { s.MemoryLimitMB = 4096; return nil }))
	require.NoError(t, p.Close())
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "saving the setting sets no limit")

	p, err = Open(dir)
	require.NoError(t, err)
	assert.Equal(t, 4096, p.SettingsSnapshot().MemoryLimitMB)
	require.NoError(t, p.Close())
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "Open sets no limit")

	rt := backend.NewRuntime(backend.Config{})
	p, err = OpenWith(dir, rt)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "OpenWith sets no limit")
	rt.LimitMemory(p.SettingsSnapshot().MemoryLimitMB) // what a main does
	assert.Equal(t, int64(4096)<<20, debug.SetMemoryLimit(-1))
}

// A project opens its backends from the runtime it was opened with: the
// settings' backend, else the runtime's default.
func TestBackendFromRuntime(t *testing.T) {
	rt := backend.NewRuntime(backend.Config{Backend: "go"})
	p, err := OpenWith(t.TempDir(), rt)
	require.NoError(t, err)
	defer p.Close()
	assert.Same(t, rt, p.Runtime())

	info, err := p.BackendInfo()
	require.NoError(t, err)
	assert.Equal(t, "go", info.Name, "no setting: the runtime's default")
	b, _, err := p.backend("")
	require.NoError(t, err)
	same, _, err := rt.Backend("go")
	require.NoError(t, err)
	assert.Same(t, same, b, "one cache: the runtime's")

	require.NoError(t, p.UpdateSettings(func(s *Settings) error { s.Backend = goSequential; return nil }))
	info, err = p.BackendInfo()
	require.NoError(t, err)
	assert.Equal(t, goSequential, info.Name, "the setting over the runtime's default")
}
