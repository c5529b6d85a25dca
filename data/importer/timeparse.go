package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// zoned layouts carry their own offset.
var zonedLayouts = []string{
	time.RFC3339, // also accepts fractional seconds
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04:05 -0700",
	"2006-01-02 15:04:05 UTC",
	time.RFC1123Z,
}

// localLayouts have no zone and are read in Options.Location (default UTC).
// Slashes are month-first (US, as ServiceNow writes them), dashes and dots
// with the year last are day-first (European); other orders are ambiguous
// and not guessed. Fractional seconds after :05 are accepted by time.Parse.
var localLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"01/02/2006 15:04:05",
	"01/02/2006 15:04",
	"01/02/2006",
	"02-01-2006 15:04:05",
	"02-01-2006 15:04",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
}

var errEmptyTime = errors.New("empty")

// ParseTime reads a timestamp in one of the supported layouts or as epoch
// seconds, milliseconds, microseconds or nanoseconds (chosen by magnitude).
// Times without a zone are in loc (UTC when nil). The result is UTC.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	var p timeParser
	return p.parse(s, loc)
}

// timeParser remembers which layout worked last: files use one format.
type timeParser struct{ last int }

func (p *timeParser) parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errEmptyTime
	}
	if loc == nil {
		loc = time.UTC
	}
	var t time.Time
	var err error
	if isNumber(s) {
		t, err = parseEpoch(s)
	} else {
		t, err = p.layouts(s, loc)
	}
	if err != nil {
		return time.Time{}, err
	}
	if y := t.Year(); y < 1980 || y > 2200 { // no SOC ticket predates 1980; small numbers are not times
		return time.Time{}, fmt.Errorf("time %q is out of range (year %d)", s, y)
	}
	return t.UTC(), nil
}

func (p *timeParser) layouts(s string, loc *time.Location) (time.Time, error) {
	n := len(zonedLayouts) + len(localLayouts)
	for k := range n {
		i := (p.last + k) % n
		var t time.Time
		var err error
		if i < len(zonedLayouts) {
			t, err = time.Parse(zonedLayouts[i], s)
		} else {
			t, err = time.ParseInLocation(localLayouts[i-len(zonedLayouts)], s, loc)
		}
		if err == nil {
			p.last = i
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// parseEpoch picks the unit by magnitude: below 1e11 seconds (up to year
// 5138), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
func parseEpoch(s string) (time.Time, error) {
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("epoch time %q: %w", s, err)
	}
	var unit int64
	switch {
	case n < 1e11:
		unit = int64(time.Second)
	case n < 1e14:
		unit = int64(time.Millisecond)
	case n < 1e17:
		unit = int64(time.Microsecond)
	default:
		unit = 1
	}
	var fracNs int64
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("epoch time %q: %w", s, err)
		}
		fracNs = int64(f * float64(unit))
	}
	sec := n / (int64(time.Second) / unit)
	rem := n % (int64(time.Second) / unit)
	return time.Unix(sec, rem*unit+fracNs).UTC(), nil
}
