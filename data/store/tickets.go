package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/precedent/precedent/data"
	bolt "go.etcd.io/bbolt"
)

// chunkSize is how many entries the ForEach methods read per read
// transaction; the callback runs outside any transaction, so it may write.
const chunkSize = 1000

// appendFill suits keys that mostly arrive in ascending order (ticket IDs,
// opened times): pages split nearly full instead of half empty.
const appendFill = 0.9

// openedKey is an 8-byte order-preserving seconds value, 4-byte
// nanoseconds and the ID, so byte order is opened-time order then ID order
// for any time.Time.
func openedKey(t time.Time, id string) []byte {
	k := make([]byte, 12+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	copy(k[12:], id)
	return k
}

// openedKeyTime decodes the time part of an openedKey.
func openedKeyTime(k []byte) time.Time {
	sec := int64(binary.BigEndian.Uint64(k) ^ (1 << 63))
	return time.Unix(sec, int64(binary.BigEndian.Uint32(k[8:]))).UTC()
}

func ruleKey(rule, id string) []byte {
	k := make([]byte, 0, len(rule)+1+len(id))
	k = append(k, rule...)
	k = append(k, 0)
	return append(k, id...)
}

// indexed is the part of a stored ticket its index keys derive from.
type indexed struct {
	Opened time.Time `json:"opened"`
	Rule   string    `json:"rule"`
}

func validate(t *data.Ticket) error {
	switch {
	case t.ID == "":
		return fmt.Errorf("ticket with empty ID")
	case strings.IndexByte(t.ID, 0) >= 0:
		return fmt.Errorf("ticket %q: ID contains a NUL byte", t.ID)
	case strings.IndexByte(t.Rule, 0) >= 0:
		return fmt.Errorf("ticket %q: rule contains a NUL byte", t.ID)
	case t.Opened.IsZero():
		return fmt.Errorf("ticket %q: opened time is zero", t.ID)
	}
	return nil
}

// PutTickets writes ts in one transaction: all of them or none. A ticket
// whose ID is new counts as added; one whose stored JSON differs counts as
// updated and has its old index entries replaced; an identical one is left
// alone, so re-putting the same tickets is idempotent. Within ts, a later
// ticket with the same ID wins.
func (s *Store) PutTickets(ts []data.Ticket) (added, updated int, err error) {
	if len(ts) == 0 {
		return 0, 0, nil
	}
	for i := range ts {
		if err := validate(&ts[i]); err != nil {
			return 0, 0, fmt.Errorf("store: put tickets: %w", err)
		}
	}
	enc, err := encodeAll(ts)
	if err != nil {
		return 0, 0, err
	}
	// Insert in ID order: bbolt touches each page once and splits less.
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ts[order[a]].ID < ts[order[b]].ID })

	err = s.db.Update(func(tx *bolt.Tx) error {
		tb, ob, rb := tx.Bucket(bucketTickets), tx.Bucket(bucketOpened), tx.Bucket(bucketRule)
		tb.FillPercent, ob.FillPercent = appendFill, appendFill
		for _, i := range order {
			t, v := &ts[i], enc[i]
			id := []byte(t.ID)
			old := tb.Get(id)
			if old != nil {
				if bytes.Equal(old, v) {
					continue
				}
				var prev indexed
				if err := json.Unmarshal(old, &prev); err != nil {
					return fmt.Errorf("ticket %q: decode stored value: %w", t.ID, err)
				}
				if err := ob.Delete(openedKey(prev.Opened, t.ID)); err != nil {
					return err
				}
				if err := rb.Delete(ruleKey(prev.Rule, t.ID)); err != nil {
					return err
				}
				updated++
			} else {
				added++
			}
			if err := tb.Put(id, v); err != nil {
				return fmt.Errorf("ticket %q: %w", t.ID, err)
			}
			if err := ob.Put(openedKey(t.Opened, t.ID), nil); err != nil {
				return fmt.Errorf("ticket %q: opened index: %w", t.ID, err)
			}
			if err := rb.Put(ruleKey(t.Rule, t.ID), nil); err != nil {
				return fmt.Errorf("ticket %q: rule index: %w", t.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: put %d tickets: %w", len(ts), err)
	}
	return added, updated, nil
}

// encodeAll JSON-encodes tickets on all cores; encoding dominates bulk import.
func encodeAll(ts []data.Ticket) ([][]byte, error) {
	enc := make([][]byte, len(ts))
	errs := make([]error, len(ts))
	parallel(len(ts), func(i int) {
		t := ts[i]
		t.Opened, t.Closed = t.Opened.UTC(), t.Closed.UTC()
		enc[i], errs[i] = json.Marshal(t)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("store: encode ticket %q: %w", ts[i].ID, err)
		}
	}
	return enc, nil
}

// parallel runs fn(0..n-1) across GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers < 2 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	step := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Ticket returns the ticket with the given ID; false when there is none.
func (s *Store) Ticket(id string) (data.Ticket, bool, error) {
	var t data.Ticket
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTickets)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &t)
	})
	if err != nil {
		return data.Ticket{}, false, fmt.Errorf("store: ticket %q: %w", id, err)
	}
	return t, found, nil
}

// CountTickets is the number of stored tickets.
func (s *Store) CountTickets() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		// The opened index has one small key per ticket: counting it reads
		// a few MB instead of every ticket page.
		if b := tx.Bucket(bucketOpened); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count tickets: %w", err)
	}
	return n, nil
}

// ForEachTicket calls fn for every ticket in ID order, stopping at the first
// error. It reads in chunks of short transactions, so fn may write to the
// store; tickets changed during the walk may or may not be seen.
func (s *Store) ForEachTicket(fn func(data.Ticket) error) error {
	var after []byte
	for {
		var raws [][]byte
		err := s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketTickets)
			if b == nil {
				return nil
			}
			raws, after = readChunk(b.Cursor(), after)
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: walk tickets: %w", err)
		}
		if len(raws) == 0 {
			return nil
		}
		ts, err := decodeAll(raws)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// readChunk copies up to chunkSize values following key after (from the
// start when after is nil) and returns them with the last key read.
func readChunk(c *bolt.Cursor, after []byte) ([][]byte, []byte) {
	var k, v []byte
	if after == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(after)
		if k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
	}
	var raws [][]byte
	var last []byte
	for ; k != nil && len(raws) < chunkSize; k, v = c.Next() {
		raws = append(raws, append([]byte(nil), v...))
		last = k
	}
	if last != nil {
		after = append([]byte(nil), last...)
	}
	return raws, after
}

// decodeAll JSON-decodes stored tickets on all cores.
func decodeAll(raws [][]byte) ([]data.Ticket, error) {
	ts := make([]data.Ticket, len(raws))
	errs := make([]error, len(raws))
	parallel(len(raws), func(i int) { errs[i] = json.Unmarshal(raws[i], &ts[i]) })
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("store: decode ticket %d of chunk: %w", i, err)
		}
	}
	return ts, nil
}

// TicketsByOpened returns every ticket sorted by opened time, then ID. It
// reads one consistent snapshot.
func (s *Store) TicketsByOpened() ([]data.Ticket, error) {
	var ts []data.Ticket
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, ob := tx.Bucket(bucketTickets), tx.Bucket(bucketOpened)
		if tb == nil || ob == nil {
			return nil
		}
		// Values point into the mmap and stay valid for this transaction,
		// so decoding happens inside it without copying.
		var raws [][]byte
		c := ob.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			v := tb.Get(k[12:])
			if v == nil {
				return fmt.Errorf("opened index names missing ticket %q", k[12:])
			}
			raws = append(raws, v)
		}
		var err error
		ts, err = decodeAll(raws)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: tickets by opened: %w", err)
	}
	return ts, nil
}

// RuleCounts is the number of tickets per rule ("" for tickets without one).
func (s *Store) RuleCounts() (map[string]int, error) {
	counts := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRule)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			counts[string(k[:bytes.IndexByte(k, 0)])]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: rule counts: %w", err)
	}
	return counts, nil
}
