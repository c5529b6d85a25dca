package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Check verifies the file's page structure and that the ticket indexes and
// the tickets agree one to one; it returns every problem found, joined.
func (s *Store) Check() error {
	var errs []error
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		tb, ob, rb := tx.Bucket(bucketTickets), tx.Bucket(bucketOpened), tx.Bucket(bucketRule)
		if tb == nil || ob == nil || rb == nil {
			return nil
		}
		nOpened, nRule := 0, 0
		if err := ob.ForEach(func(k, _ []byte) error {
			nOpened++
			if tb.Get(k[12:]) == nil {
				errs = append(errs, fmt.Errorf("opened index names missing ticket %q", k[12:]))
			}
			return nil
		}); err != nil {
			return err
		}
		if err := rb.ForEach(func(k, _ []byte) error {
			nRule++
			if tb.Get(k[bytes.IndexByte(k, 0)+1:]) == nil {
				errs = append(errs, fmt.Errorf("rule index names missing ticket %q", k))
			}
			return nil
		}); err != nil {
			return err
		}
		nTickets := 0
		if err := tb.ForEach(func(k, v []byte) error {
			nTickets++
			var ix indexed
			if err := json.Unmarshal(v, &ix); err != nil {
				errs = append(errs, fmt.Errorf("ticket %q: %w", k, err))
				return nil
			}
			if ob.Get(openedKey(ix.Opened, string(k))) == nil {
				errs = append(errs, fmt.Errorf("ticket %q has no opened index entry", k))
			}
			if rb.Get(ruleKey(ix.Rule, string(k))) == nil {
				errs = append(errs, fmt.Errorf("ticket %q has no rule index entry", k))
			}
			return nil
		}); err != nil {
			return err
		}
		if nOpened != nTickets || nRule != nTickets {
			errs = append(errs, fmt.Errorf("%d tickets but %d opened and %d rule index entries", nTickets, nOpened, nRule))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("store %s: check: %w", s.path, errors.Join(errs...))
	}
	return nil
}
