package data

import (
	"strings"
	"time"
)

// Earlier reports whether ticket a comes strictly before ticket b in the
// archive's order: by opened time, then — for tickets opened at the same
// instant, as whole-second and date-only exports make common — by ID. It is
// the one order used for link direction, time splits and what a query may
// see, so a same-instant pair keeps its link yet neither end sees the other
// as "later".
func Earlier(a, b Ticket) bool { return EarlierAt(a.Opened, a.ID, b.Opened, b.ID) }

// EarlierAt is Earlier over (opened, ID) keys.
func EarlierAt(aOpened time.Time, aID string, bOpened time.Time, bID string) bool {
	if c := aOpened.Compare(bOpened); c != 0 {
		return c < 0
	}
	return strings.Compare(aID, bID) < 0
}
