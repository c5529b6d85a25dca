package rerank

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestFile lists the SHA-256 of every other file of an exported model,
// in `sha256sum` format, so `sha256sum -c manifest.sha256` checks it too.
const ManifestFile = "manifest.sha256"

// ErrManifest marks an exported model whose files do not match its manifest:
// changed, truncated or missing since export.
var ErrManifest = errors.New("model files do not match manifest.sha256")

// WriteManifest hashes every regular file under dir (but the manifest) and
// writes the manifest, sorted by file name.
func WriteManifest(dir string) error {
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			return nil
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return err
		}
		lines = append(lines, sum+"  "+rel)
		return nil
	})
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	return os.WriteFile(filepath.Join(dir, ManifestFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// VerifyManifest checks every file the manifest of dir lists. It returns
// verified=false and no error for a folder without a manifest (a plain
// Hugging Face checkpoint); a listed file that is missing or whose hash
// differs fails with ErrManifest, naming the file.
func VerifyManifest(dir string) (verified bool, err error) {
	path := filepath.Join(dir, ManifestFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		want, name, ok := strings.Cut(text, "  ")
		if !ok || len(want) != 64 || name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
			return false, fmt.Errorf("%s line %d: want \"<sha256>  <file>\": %w", ManifestFile, line, ErrManifest)
		}
		got, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("%s is missing: %w", name, ErrManifest)
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		if got != strings.ToLower(want) {
			return false, fmt.Errorf("%s changed or was truncated since export (sha256 %s…, manifest says %s…): %w", name, got[:12], want[:12], ErrManifest)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("manifest: %w", err)
	}
	if n == 0 {
		return false, fmt.Errorf("%s lists no files: %w", ManifestFile, ErrManifest)
	}
	return true, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
