// Package synth generates the built-in synthetic SOC archive: closed tickets
// of ~200 detection rules whose close-notes cite each other the way analysts
// do, together with the hidden ground truth (causes, intended citations,
// trivial duplicates, master cases) that later steps are measured against.
// The same Config always yields byte-identical exports.
package synth

import (
	"errors"
	"fmt"
	"time"
)

// Defaults and limits of Config.
const (
	DefaultTickets = 20000                    // tickets drawn when Config.Tickets is 0
	DefaultSeed    = 1                        // seed used when Config.Seed is 0
	DefaultSpan    = 2 * 365 * 24 * time.Hour // time covered when Config.Span is 0
	MinTickets     = 100                      // fewer tickets cannot hold the causes' structure
	MaxTickets     = 1_000_000                // keeps IDs at 7 digits
)

// DefaultStart is the first instant of the default archive.
var DefaultStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("synth: invalid config")

// Config says how large an archive to draw and from which seed.
type Config struct {
	Tickets int           // number of tickets; 0 means DefaultTickets
	Seed    int64         // random seed; 0 means DefaultSeed
	Start   time.Time     // first possible opened time; zero means DefaultStart
	Span    time.Duration // time covered by the archive; 0 means DefaultSpan
	// DateOnly writes every time as a date (midnight UTC), as many exports
	// do; tickets of one day then share their opened instant.
	DateOnly bool
	// DriftAt, when set, makes the archive drift from that instant on (see
	// RetireShare): tickets opened before it are unchanged.
	DriftAt time.Time
}

// withDefaults fills zero fields and checks the result.
func (c Config) withDefaults() (Config, error) {
	if c.Tickets == 0 {
		c.Tickets = DefaultTickets
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	if c.Span == 0 {
		c.Span = DefaultSpan
	}
	c.Start = c.Start.UTC().Truncate(time.Second)
	if !c.DriftAt.IsZero() {
		c.DriftAt = c.DriftAt.UTC()
	}
	switch {
	case c.Tickets < MinTickets:
		return c, fmt.Errorf("%w: Tickets %d is below %d", ErrConfig, c.Tickets, MinTickets)
	case c.Tickets > MaxTickets:
		return c, fmt.Errorf("%w: Tickets %d is above %d", ErrConfig, c.Tickets, MaxTickets)
	case c.Span < 24*time.Hour:
		return c, fmt.Errorf("%w: Span %s is shorter than a day", ErrConfig, c.Span)
	}
	return c, nil
}
