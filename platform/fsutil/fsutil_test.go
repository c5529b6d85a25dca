package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leftovers lists dir's entries other than want: a temporary file that
// outlived its write shows up here.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	keep := map[string]bool{}
	for _, w := range want {
		keep[w] = true
	}
	var out []string
	for _, e := range entries {
		if !keep[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteFileAtomic(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []byte // nil: no file at path
		data   []byte
		perm   os.FileMode
	}{
		{"new file", nil, []byte("hello\n"), 0o644},
		{"existing file replaced whole", []byte("a much longer old content that must not survive"), []byte("short"), 0o644},
		{"empty data", []byte("old"), nil, 0o600},
		{"perm exactly, no umask", nil, []byte("x"), 0o664},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.json")
			if tc.before != nil {
				require.NoError(t, os.WriteFile(path, tc.before, 0o644))
			}
			require.NoError(t, WriteFileAtomic(path, tc.data, tc.perm))
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(tc.data), string(got))
			if runtime.GOOS != "windows" {
				st, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, tc.perm, st.Mode().Perm())
			}
			assert.Empty(t, leftovers(t, dir, "out.json"), "no temporary file left")
		})
	}
}

func TestWriteFileAtomicErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		before  []byte
		target  func(dir string) string
		write   func(w io.Writer) error
		wantErr error
	}{
		{"write fails, no old file", nil, func(dir string) string { return filepath.Join(dir, "out") },
			func(w io.Writer) error { _, _ = w.Write([]byte("partial")); return boom }, boom},
		{"write fails, old file kept", []byte("old"), func(dir string) string { return filepath.Join(dir, "out") },
			func(w io.Writer) error { _, _ = w.Write([]byte("partial")); return boom }, boom},
		{"rename onto a folder fails", nil, func(dir string) string {
			p := filepath.Join(dir, "out")
			require.NoError(t, os.MkdirAll(filepath.Join(p, "child"), 0o755))
			return p
		}, func(w io.Writer) error { _, err := w.Write([]byte("data")); return err }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.target(dir)
			if tc.before != nil {
				require.NoError(t, os.WriteFile(path, tc.before, 0o644))
			}
			err := WriteFileAtomicFunc(path, 0o644, tc.write)
			require.Error(t, err)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			if tc.before != nil {
				got, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, string(tc.before), string(got), "the old file is untouched")
			}
			assert.Empty(t, leftovers(t, dir, filepath.Base(path)), "the temporary file is gone after an error")
		})
	}
	t.Run("missing folder", func(t *testing.T) {
		err := WriteFileAtomic(filepath.Join(t.TempDir(), "no", "such", "out"), []byte("x"), 0o644)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestCopyFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content []byte
		perm    os.FileMode
		before  []byte // nil: no file at dst
	}{
		{"new copy", []byte("weights"), 0o644, nil},
		{"existing file replaced whole", []byte("new"), 0o644, []byte("an older and longer destination")},
		{"source permission kept", []byte("secret"), 0o600, nil},
		{"empty source", []byte{}, 0o644, []byte("old")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			require.NoError(t, os.WriteFile(src, tc.content, 0o600))
			require.NoError(t, os.Chmod(src, tc.perm))
			if tc.before != nil {
				require.NoError(t, os.WriteFile(dst, tc.before, 0o644))
			}
			require.NoError(t, CopyFile(src, dst))
			got, err := os.ReadFile(dst)
			require.NoError(t, err)
			assert.Equal(t, string(tc.content), string(got))
			if runtime.GOOS != "windows" {
				st, err := os.Stat(dst)
				require.NoError(t, err)
				assert.Equal(t, tc.perm, st.Mode().Perm())
			}
			assert.Empty(t, leftovers(t, dir, "src", "dst"))
		})
	}
	t.Run("missing source leaves dst", func(t *testing.T) {
		dir := t.TempDir()
		dst := filepath.Join(dir, "dst")
		require.NoError(t, os.WriteFile(dst, []byte("old"), 0o644))
		err := CopyFile(filepath.Join(dir, "nope"), dst)
		assert.ErrorIs(t, err, os.ErrNotExist)
		got, _ := os.ReadFile(dst)
		assert.Equal(t, "old", string(got))
		assert.Empty(t, leftovers(t, dir, "dst"))
	})
	t.Run("folder source refused", func(t *testing.T) {
		dir := t.TempDir()
		require.Error(t, CopyFile(dir, filepath.Join(dir, "dst")))
		assert.Empty(t, leftovers(t, dir))
	})
}
