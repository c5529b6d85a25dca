package app

import (
	"fmt"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/ltr"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/rerank"
)

// MatchEvidence is why a test query and its first relevant precedent match:
// what the Evaluation panel shows beside the query's ranks.
type MatchEvidence struct {
	Query data.Ticket `json:"query"`
	// Precedent is the query's first relevant ticket; nil when none is
	// recorded (the query has no stored test candidates or no positive).
	Precedent      *data.Ticket `json:"precedent,omitempty"`
	SharedEntities []string     `json:"shared_entities,omitempty"` // user, host, IP… values both tickets hold, in the query's order; stop-entities left out
	SharedTerms    []string     `json:"shared_terms,omitempty"`    // up to rerank.MaxSharedTerms words both texts use (see rerank.SharedTerms)
	// Contributions split the learned ranker's score of the precedent into
	// its largest feature contributions (from the last evaluation; empty
	// when it had no learned ranker).
	Contributions []ltr.Contribution `json:"contributions,omitempty"`
}

// WhyMatch gathers the evidence for one test query: the query as stored,
// its first relevant precedent and what the two share. An unknown query
// is an error naming it.
func (p *Project) WhyMatch(queryID string) (MatchEvidence, error) {
	q, ok, err := p.Store.Ticket(queryID)
	if err != nil {
		return MatchEvidence{}, fmt.Errorf("why %s: %w", queryID, err)
	}
	if !ok {
		return MatchEvidence{}, fmt.Errorf("why %s: no such ticket in the archive", queryID)
	}
	ev := MatchEvidence{Query: q}
	qcs, err := p.Candidates("test")
	if err != nil {
		return ev, fmt.Errorf("why %s: %w", queryID, err)
	}
	var relevant []string
	for _, qc := range qcs {
		if qc.Query == queryID {
			relevant = qc.Relevant
			break
		}
	}
	if len(relevant) == 0 {
		return ev, nil
	}
	pos, ok, err := p.Store.Ticket(relevant[0])
	if err != nil {
		return ev, fmt.Errorf("why %s: precedent %s: %w", queryID, relevant[0], err)
	}
	if !ok {
		return ev, nil
	}
	// Both as the analyst saw them when the query opened: the query's own
	// notes came later, and so may the precedent's (data.Ticket.AsOf).
	q, pos = q.Opening(), pos.AsOf(q.Opened)
	ev.Query = q
	ev.Precedent = &pos
	stops, err := p.StopEntities()
	if err != nil {
		return ev, fmt.Errorf("why %s: %w", queryID, err)
	}
	for _, e := range pairtext.Entities(q).Shared(pairtext.Entities(pos)).Evidence(stops) {
		ev.SharedEntities = append(ev.SharedEntities, e.Value)
	}
	ev.SharedTerms = rerank.SharedTerms(q.QueryText(), pos.DocumentText(), rerank.MaxSharedTerms)
	if last, ok, err := p.LastEval(); err == nil && ok {
		ev.Contributions = last.Why[queryID]
	}
	return ev, nil
}

// PairTickets are the tickets behind one mined pair: the query, its
// positive and the ticket whose note cites the other (Source; zero when
// the pair is linked only through its group).
type PairTickets struct {
	Query, Positive, Source data.Ticket
}

// PairTickets reads the tickets of a mined pair; a ticket missing from the
// archive is an error naming it.
func (p *Project) PairTickets(sp StoredPair) (PairTickets, error) {
	get := func(id string) (data.Ticket, error) {
		t, ok, err := p.Store.Ticket(id)
		if err != nil {
			return t, fmt.Errorf("pair %s → %s: ticket %s: %w", sp.Query, sp.Positive, id, err)
		}
		if !ok {
			return t, fmt.Errorf("pair %s → %s: ticket %s is not in the archive", sp.Query, sp.Positive, id)
		}
		return t, nil
	}
	var out PairTickets
	var err error
	if out.Query, err = get(sp.Query); err != nil {
		return out, err
	}
	if out.Positive, err = get(sp.Positive); err != nil {
		return out, err
	}
	switch sp.Source {
	case "":
	case sp.Query:
		out.Source = out.Query
	case sp.Positive:
		out.Source = out.Positive
	default:
		if out.Source, err = get(sp.Source); err != nil {
			return out, err
		}
	}
	return out, nil
}

// TicketCount is the number of tickets in the archive.
func (p *Project) TicketCount() (int, error) {
	return p.Store.CountTickets()
}
