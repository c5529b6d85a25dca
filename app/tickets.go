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
