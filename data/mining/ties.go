package mining

import (
	"fmt"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// Ties says what becomes of a link between two tickets opened at the same
// instant — common in whole-second exports, and the rule for every same-day
// pair when an export carries dates only.
type Ties string

// The tie rules.
const (
	// TiesOrder keeps the link and orients it by data.Earlier (opened time,
	// then ID): the ticket with the smaller ID is the positive. split.Allowed
	// follows the same order, so a query never sees a ticket after it.
	TiesOrder Ties = "order"
	// TiesDrop drops the link: neither ticket may be the other's precedent.
	TiesDrop Ties = "drop"
)

// ParseTies reads a tie rule; "" means TiesOrder.
func ParseTies(s string) (Ties, error) {
	switch Ties(strings.ToLower(strings.TrimSpace(s))) {
	case "", TiesOrder:
		return TiesOrder, nil
	case TiesDrop:
		return TiesDrop, nil
	}
	return "", fmt.Errorf("ties %q: unknown (order, drop)", s)
}

// DateOnly reports whether every opened time of the archive is midnight UTC,
// as when an export carries dates without times. An empty archive is not.
func DateOnly(tickets []data.Ticket) bool {
	for i := range tickets {
		if tickets[i].Opened.UTC().Truncate(24*time.Hour) != tickets[i].Opened.UTC() {
			return false
		}
	}
	return len(tickets) > 0
}
