package pairtext

import (
	"strconv"
	"time"
)

// TimeGap phrases how long before the query the document opened: "same
// hour", "5 hours earlier", "3 days earlier", "2 months earlier", "1 year
// earlier", or "... later" for a document opened after the query. Empty when
// either time is unknown (zero).
func TimeGap(query, doc time.Time) string {
	if query.IsZero() || doc.IsZero() {
		return ""
	}
	gap := query.Sub(doc)
	dir := "earlier"
	if gap < 0 {
		gap, dir = -gap, "later"
	}
	const day = 24 * time.Hour
	switch {
	case gap < time.Hour:
		return "same hour"
	case gap < day:
		return count(int(gap/time.Hour), "hour") + " " + dir
	case gap < 30*day:
		return count(int(gap/day), "day") + " " + dir
	case gap < 365*day:
		return count(int(gap/(30*day)), "month") + " " + dir
	default:
		return count(int(gap/(365*day)), "year") + " " + dir
	}
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
