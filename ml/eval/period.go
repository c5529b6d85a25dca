package eval

import (
	"fmt"
	"time"
)

// Period is the length of one monitoring row.
type Period string

// The periods monitoring buckets queries by; DefaultPeriod is a calendar month.
const (
	Week          Period = "week"    // ISO week, Monday 00:00 UTC
	Month         Period = "month"   // calendar month, UTC
	Quarter       Period = "quarter" // calendar quarter, UTC
	DefaultPeriod        = Month
)

// ParsePeriod reads "week", "month" or "quarter" ("" = DefaultPeriod).
func ParsePeriod(s string) (Period, error) {
	switch p := Period(s); p {
	case "":
		return DefaultPeriod, nil
	case Week, Month, Quarter:
		return p, nil
	}
	return "", fmt.Errorf("unknown period %q (week, month, quarter)", s)
}

// Bucket returns the period holding t: its first instant (UTC), the first
// instant of the next one, and a label ("2025-W14", "2025-04", "2025-Q2").
func (p Period) Bucket(t time.Time) (start, end time.Time, label string) {
	t = t.UTC()
	switch p {
	case Week:
		y, w := t.ISOWeek()
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		start = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		return start, start.AddDate(0, 0, 7), fmt.Sprintf("%d-W%02d", y, w)
	case Quarter:
		q := (int(t.Month()) - 1) / 3
		start = time.Date(t.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 3, 0), fmt.Sprintf("%d-Q%d", t.Year(), q+1)
	default:
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0), start.Format("2006-01")
	}
}
