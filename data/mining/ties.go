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

// coarseShare is the share of tickets sharing their opened instant with
// another above which an archive's times are too coarse for the trivial
// rule's time-gap test.
const coarseShare = 0.5

// SharedInstants is the share of tickets whose opened time another ticket
// shares exactly: near 0 for alert timestamps, near 1 for date-only exports
// or systems that record a batch's publication time.
func SharedInstants(tickets []data.Ticket) float64 {
	if len(tickets) == 0 {
		return 0
	}
	n := make(map[time.Time]int, len(tickets))
	for i := range tickets {
		n[tickets[i].Opened.UTC()]++
	}
	shared := 0
	for _, c := range n {
		if c > 1 {
			shared += c
		}
	}
	return float64(shared) / float64(len(tickets))
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
