// Package platform holds what differs between operating systems: where the
// app keeps its data, which CA bundles to trust, which accelerators exist.
package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// HomeEnv names the environment variable that overrides the data directory.
const HomeEnv = "PRECEDENT_HOME"

// DataDir returns the directory where Precedent keeps its store, models and
// runs: $PRECEDENT_HOME if set, else the platform's app-data folder.
func DataDir() (string, error) {
	if d := os.Getenv(HomeEnv); d != "" {
		return filepath.Abs(d)
	}
	switch runtime.GOOS {
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data dir: %w", err)
		}
		return filepath.Join(home, "Library", "Application Support", "Precedent"), nil
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Precedent"), nil
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "precedent"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "precedent"), nil
}
