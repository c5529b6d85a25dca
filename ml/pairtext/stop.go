package pairtext

import (
	"fmt"
	"sort"
	"strings"
)

// StopShare is the share of an archive's tickets above which an entity is
// a stop-entity: a service domain every alert links to (portal.azure.com,
// api.github.com), the SOAR account that files every ticket. Such an entity
// is shown, but sharing it is no evidence that two tickets are related.
const StopShare = 0.05

// stopMinTickets keeps small archives from calling an entity common because
// a handful of tickets hold it.
const stopMinTickets = 10

// Stops is a set of stop-entities, computed once over an archive
// (FindStops) and passed to whatever weighs shared entities.
type Stops map[Entity]bool

// FindStops returns the entities held by more than share of the given
// entity sets (one per ticket) and by at least stopMinTickets of them.
func FindStops(sets []EntitySet, share float64) Stops {
	n := map[Entity]int{}
	for _, s := range sets {
		for _, e := range s {
			n[e]++
		}
	}
	limit := max(stopMinTickets, int(share*float64(len(sets)))+1)
	out := Stops{}
	for e, c := range n {
		if c >= limit {
			out[e] = true
		}
	}
	return out
}

// List is the stop-entities sorted by kind, then value.
func (s Stops) List() []Entity {
	out := make([]Entity, 0, len(s))
	for e := range s {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// StopsOf is the set of es.
func StopsOf(es []Entity) Stops {
	out := make(Stops, len(es))
	for _, e := range es {
		out[e] = true
	}
	return out
}

// Evidence is the entities of s that count as shared evidence: s without
// the stop-entities.
func (s EntitySet) Evidence(stops Stops) EntitySet {
	if len(stops) == 0 {
		return s
	}
	var out EntitySet
	for _, e := range s {
		if !stops[e] {
			out = append(out, e)
		}
	}
	return out
}

// String is "kind:value", e.g. "domain:portal.azure.com".
func (e Entity) String() string { return e.Kind.String() + ":" + e.Value }

// MarshalText writes e as "kind:value", so formats and reports carry
// entities as readable strings.
func (e Entity) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads "kind:value".
func (e *Entity) UnmarshalText(b []byte) error {
	kind, value, ok := strings.Cut(string(b), ":")
	if !ok || value == "" {
		return fmt.Errorf("entity %q: want kind:value", b)
	}
	for k := range numKinds {
		if kindNames[k] == kind {
			*e = Entity{Kind: k, Value: value}
			return nil
		}
	}
	return fmt.Errorf("entity %q: unknown kind %q", b, kind)
}
