package app

import (
	"fmt"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/pairtext"
)

// metaStops stores the archive's stop-entities, recomputed by every import.
const metaStops = "stop_entities"

// stopsRecord is the stored statistic: which entities are stop-entities
// and over how many tickets that was decided.
type stopsRecord struct {
	Tickets  int               `json:"tickets"`
	Share    float64           `json:"share"`
	Entities []pairtext.Entity `json:"entities"`
}

// StopEntities are the entities that appear in more than
// pairtext.StopShare of the archive's tickets (service domains, the SOAR
// account): shown, but never counted as shared evidence — not in the pair
// text's "shared" list, "why this match", the entity pivot or the negatives'
// entity filter. Computed once per archive: by each import, or on first use
// in a project imported before they existed.
func (p *Project) StopEntities() (pairtext.Stops, error) {
	var r stopsRecord
	ok, err := p.Store.GetMeta(metaStops, &r)
	if err != nil {
		return nil, fmt.Errorf("stop-entities: %w", err)
	}
	if !ok {
		if r, err = p.refreshStops(); err != nil {
			return nil, err
		}
	}
	return pairtext.StopsOf(r.Entities), nil
}

// refreshStops computes the stop-entities over every stored ticket (as it
// opened: what the query side can see) and stores them.
func (p *Project) refreshStops() (stopsRecord, error) {
	var sets []pairtext.EntitySet
	err := p.Store.ForEachTicket(func(t data.Ticket) error {
		sets = append(sets, pairtext.Entities(t))
		return nil
	})
	if err != nil {
		return stopsRecord{}, fmt.Errorf("stop-entities: %w", err)
	}
	r := stopsRecord{Tickets: len(sets), Share: pairtext.StopShare, Entities: pairtext.FindStops(sets, pairtext.StopShare).List()}
	if err := p.Store.SetMeta(metaStops, r); err != nil {
		return r, fmt.Errorf("stop-entities: %w", err)
	}
	return r, nil
}
