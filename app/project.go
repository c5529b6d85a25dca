package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/platform"
)

// Project is an open data directory: the store plus the folders for runs,
// models and exports beside it, and the runtime its jobs compute with.
//
// Its settings are read and written from several goroutines (the UI, and
// jobs running beside it), so they sit behind a lock: read them with
// SettingsSnapshot, change them with UpdateSettings. A job takes one
// snapshot when it starts and works on that, so a change saved meanwhile
// applies to the next job, not halfway through this one.
type Project struct {
	Dir   string
	Store *store.Store

	rt *backend.Runtime // opens every backend a job uses; never nil

	mu       sync.RWMutex // guards settings
	settings Settings
}

// ErrInUse is returned when another Precedent process has the project open.
var ErrInUse = store.ErrInUse

const settingsKey = "settings"

// Open is OpenWith(dir, backend.Default()): for tests and tools that have
// no runtime of their own.
func Open(dir string) (*Project, error) { return OpenWith(dir, backend.Default()) }

// OpenWith opens (creating if needed) the project in dir, whose jobs open
// their backends from rt, the runtime its main built (nil is
// backend.Default()); dir "" means the platform data directory, overridden
// by $PRECEDENT_HOME. It changes nothing in the process: applying the
// project's memory limit (Settings.MemoryLimitMB) is main's choice, through
// rt.LimitMemory.
func OpenWith(dir string, rt *backend.Runtime) (*Project, error) {
	if rt == nil {
		rt = backend.Default()
	}
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
	p := &Project{Dir: dir, Store: st, rt: rt, settings: DefaultSettings()}
	if _, err := st.GetMeta(settingsKey, &p.settings); err != nil {
		st.Close()
		return nil, fmt.Errorf("open project %s: settings: %w", dir, err)
	}
	return p, nil
}

// Runtime is the runtime the project's jobs compute with, for display.
func (p *Project) Runtime() *backend.Runtime { return p.rt }

// SettingsSnapshot returns a copy of the project's settings, its slices and
// map copied too: the caller may keep and modify it while the settings are
// changed elsewhere.
func (p *Project) SettingsSnapshot() Settings {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.settings.clone()
}

// UpdateSettings changes the project's settings: update gets a copy of the
// current ones to edit, and the result is persisted and takes effect only if
// update returns nil and the store accepts it. Updates are serialized, so two
// of them never lose each other's changes; update must not call back into
// the project's settings methods.
func (p *Project) UpdateSettings(update func(*Settings) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.settings.clone()
	if err := update(&s); err != nil {
		return err
	}
	if err := p.Store.SetMeta(settingsKey, s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	p.settings = s.clone()
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
