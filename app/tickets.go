package app

import (
	"fmt"

	"github.com/precedent/precedent/data"
)

// archive is the store's tickets in opened-time order with an ID index:
// what mining, the first stage and training read.
type archive struct {
	Tickets []data.Ticket
	Index   map[string]int
}

func (a *archive) get(id string) (data.Ticket, bool) {
	i, ok := a.Index[id]
	if !ok {
		return data.Ticket{}, false
	}
	return a.Tickets[i], true
}

// loadArchive reads every ticket once.
func (p *Project) loadArchive() (*archive, error) {
	ts, err := p.Store.TicketsByOpened()
	if err != nil {
		return nil, fmt.Errorf("load tickets: %w", err)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("the archive is empty: import an export first (precedent import FILE)")
	}
	a := &archive{Tickets: ts, Index: make(map[string]int, len(ts))}
	for i := range ts {
		a.Index[ts[i].ID] = i
	}
	return a, nil
}

// Tickets reads tickets from the project's archive by ID; a missing ID
// fails, named.
func (p *Project) Tickets(ids []string) ([]data.Ticket, error) {
	out := make([]data.Ticket, len(ids))
	for i, id := range ids {
		t, ok, err := p.Store.Ticket(id)
		if err != nil {
			return nil, fmt.Errorf("ticket %s: %w", id, err)
		}
		if !ok {
			return nil, fmt.Errorf("ticket %s is not in the archive", id)
		}
		out[i] = t
	}
	return out, nil
}
