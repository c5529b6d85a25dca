package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessAge(t *testing.T) {
	// Field 22 (starttime) is 12345 ticks; the command name holds ") (".
	stat := "4242 (odd) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1000 100 0 0 0 0"
	tests := []struct {
		name, stat, uptime string
		hz                 int
		want               time.Duration
		wantErr            string
	}{
		{"1.5 s old", stat, "124.95 500.00\n", 100, 1500 * time.Millisecond, ""},
		{"just started", stat, "123.45 1.0", 100, 0, ""},
		{"no command name", "4242 odd S 1", "124 1", 100, 0, "no command name"},
		{"truncated", "4242 (x) S 1 2 3", "124 1", 100, 0, "fields after the command name"},
		{"bad starttime", "4242 (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 x 1000", "124 1", 100, 0, "starttime"},
		{"bad uptime", stat, "", 100, 0, "/proc/uptime"},
		{"uptime before start", stat, "100.00 1", 100, 0, "after the uptime"},
		{"no hz", stat, "124 1", 0, 0, "clock ticks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := processAge(tt.stat, tt.uptime, tt.hz)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Seconds(), got.Seconds(), 1e-6)
		})
	}
}

func TestProcessStartIsRecent(t *testing.T) {
	start, err := processStart()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	assert.True(t, start.Before(time.Now()), "started in the past")
	assert.Less(t, time.Since(start), 24*time.Hour, "a test process is not a day old")
}

func TestShowsFigures(t *testing.T) {
	tests := []struct {
		summary string
		want    bool
	}{
		{"140000 tickets, opened 2023-01-01 → 2024-12-31\n12 detection rules · close-notes on 80% of tickets", true},
		{"", false},
		{"The archive is empty: open an export file and import it, or generate a synthetic archive.", false},
		{"Could not read the archive: locked", false},
		{"many tickets, opened 2023-01-01", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, showsFigures(tt.summary), tt.summary)
	}
}
