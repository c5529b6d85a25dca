package rerank

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManifest(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte("{}"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.bin"), []byte("bytes"), 0o644))
	ok, err := VerifyManifest(dir)
	require.NoError(t, err)
	assert.False(t, ok, "no manifest: a plain checkpoint, not verified")
	require.NoError(t, WriteManifest(dir))
	ok, err = VerifyManifest(dir)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.bin"), []byte("bytez"), 0o644))
	_, err = VerifyManifest(dir)
	assert.ErrorIs(t, err, ErrManifest)
	assert.ErrorContains(t, err, "sub/b.bin")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte("nonsense\n"), 0o644))
	_, err = VerifyManifest(dir)
	assert.ErrorContains(t, err, "line 1")
}
