package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSettingsConcurrent has the UI's writers (UpdateSettings, as the
// Settings panel and the mining job save) run beside jobs that read the
// settings (a snapshot, the pair format, the mining defaults, the query
// fields). Under -race it fails if any of them touch the settings unlocked,
// or if a snapshot shares a slice or map with the project's copy.
func TestSettingsConcurrent(t *testing.T) {
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()

	const writers, readers, rounds = 3, 4, 50
	var (
		jobs    Jobs
		started []*Job
		wg      sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				assert.NoError(t, p.UpdateSettings(func(s *Settings) error {
					if s.Visibility == nil {
						s.Visibility = map[string]string{}
					}
					s.Visibility[fmt.Sprintf("col%d", w)] = fmt.Sprint(i)
					s.IDPatterns = append(s.IDPatterns, fmt.Sprintf(`W%d-\d+`, w))
					s.QueryFields = append(s.QueryFields[:0:0], "rule", "host")
					s.MemoryLimitMB = 256 + i
					return nil
				}))
			}
		})
	}
	for r := range readers {
		j, err := jobs.Start(context.Background(), fmt.Sprint("reader", r), func(ctx context.Context) error {
			for range rounds {
				s := p.SettingsSnapshot()
				for k, v := range s.Visibility {
					_, _ = k, v
				}
				// A job may change its snapshot: the project's copy is not touched.
				s.IDPatterns = append(s.IDPatterns, "mine")
				if s.Visibility != nil {
					s.Visibility["job"] = "x"
				}
				s.QueryFields = append(s.QueryFields, "user")
				_ = p.mineDefaults(MineOptions{})
				_ = p.queryFields()
				if _, err := p.pairFormat(""); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)
		started = append(started, j)
	}
	wg.Wait()
	for _, j := range started {
		assert.NoError(t, j.Wait())
	}

	// Every update landed (none lost to another), and no job's edit leaked in.
	s := p.SettingsSnapshot()
	assert.Len(t, s.IDPatterns, writers*rounds)
	assert.NotContains(t, s.IDPatterns, "mine")
	assert.NotContains(t, s.Visibility, "job")
	assert.Len(t, s.Visibility, writers)
}

// TestUpdateSettings checks that an update persists, that a failed one
// changes nothing, and that the caller's slices are not kept.
func TestUpdateSettings(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	presets := []string{"servicenow", "jira"}
	require.NoError(t, p.UpdateSettings(func(s *Settings) error {
		s.IDPresets = presets
		s.Backend = "go"
		return nil
	}))
	presets[0] = "changed"
	assert.Equal(t, []string{"servicenow", "jira"}, p.SettingsSnapshot().IDPresets)

	boom := errors.New("boom")
	assert.ErrorIs(t, p.UpdateSettings(func(s *Settings) error {
		s.Backend = "xla:cpu"
		s.IDPresets[0] = "lost"
		return boom
	}), boom)
	assert.Equal(t, "go", p.SettingsSnapshot().Backend)
	assert.Equal(t, []string{"servicenow", "jira"}, p.SettingsSnapshot().IDPresets)

	require.NoError(t, p.Close())
	p, err = Open(dir)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, "go", p.SettingsSnapshot().Backend)
	assert.Equal(t, []string{"servicenow", "jira"}, p.SettingsSnapshot().IDPresets)
}
