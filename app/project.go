package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/platform"
)

// Project is an open data directory: the store plus the folders for runs,
// models and exports beside it.
type Project struct {
	Dir      string
	Store    *store.Store
	Settings Settings
}

// ErrInUse is returned when another Precedent process has the project open.
var ErrInUse = store.ErrInUse

const settingsKey = "settings"

// Open opens (creating if needed) the project in dir; "" means the platform
// data directory, overridden by $PRECEDENT_HOME.
func Open(dir string) (*Project, error) {
	if dir == "" {
		d, err := platform.DataDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open project %s: %w", dir, err)
	}
	st, err := store.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open project %s: %w", dir, err)
	}
	p := &Project{Dir: dir, Store: st, Settings: DefaultSettings()}
	if _, err := st.GetMeta(settingsKey, &p.Settings); err != nil {
		st.Close()
		return nil, fmt.Errorf("open project %s: settings: %w", dir, err)
	}
	if p.Settings.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(p.Settings.MemoryLimitMB) << 20)
	}
	return p, nil
}

// SaveSettings persists s as the project's settings.
func (p *Project) SaveSettings(s Settings) error {
	if err := p.Store.SetMeta(settingsKey, s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	p.Settings = s
	return nil
}

// Path returns a path inside the project directory.
func (p *Project) Path(elem ...string) string {
	return filepath.Join(append([]string{p.Dir}, elem...)...)
}

// Close closes the store.
func (p *Project) Close() error {
	if p == nil || p.Store == nil {
		return nil
	}
	err := p.Store.Close()
	p.Store = nil
	return err
}

// IsInUse reports whether err says another process holds the project.
func IsInUse(err error) bool { return errors.Is(err, store.ErrInUse) }
