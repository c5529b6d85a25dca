package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Stats summarises the stored archive for the import screen and CLI.
type Stats struct {
	Tickets           int            `json:"tickets"`
	ByRule            map[string]int `json:"by_rule"`
	ByMonth           map[string]int `json:"by_month"`            // opened month, "2006-01"
	CloseNoteCoverage float64        `json:"close_note_coverage"` // fraction of tickets with close-notes
	Earliest          time.Time      `json:"earliest,omitzero"`   // first opened time
	Latest            time.Time      `json:"latest,omitzero"`     // last opened time
}

// Stats computes the archive summary from one consistent snapshot.
func (s *Store) Stats() (Stats, error) {
	st := Stats{ByMonth: map[string]int{}}
	var withNotes int
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, ob := tx.Bucket(bucketTickets), tx.Bucket(bucketOpened)
		if tb == nil || ob == nil {
			return nil
		}
		c := ob.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			t := openedKeyTime(k)
			if st.Tickets == 0 {
				st.Earliest = t
			}
			st.Latest = t
			st.Tickets++
			st.ByMonth[t.Format("2006-01")]++
		}
		var notes struct {
			CloseNotes string `json:"close_notes"`
		}
		return tb.ForEach(func(k, v []byte) error {
			notes.CloseNotes = ""
			if err := json.Unmarshal(v, &notes); err != nil {
				return fmt.Errorf("ticket %q: %w", k, err)
			}
			if notes.CloseNotes != "" {
				withNotes++
			}
			return nil
		})
	})
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	if st.Tickets > 0 {
		st.CloseNoteCoverage = float64(withNotes) / float64(st.Tickets)
	}
	if st.ByRule, err = s.RuleCounts(); err != nil {
		return Stats{}, err
	}
	return st, nil
}
