package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Record is one keyed JSON value of a collection.
type Record struct {
	Key   string
	Value any
}

func collectionBucket(collection string) ([]byte, error) {
	if collection == "" {
		return nil, fmt.Errorf("store: empty collection name")
	}
	return []byte(collectionPfx + collection), nil
}

func encodeRecords(collection string, recs []Record) ([][]byte, error) {
	enc := make([][]byte, len(recs))
	for i, r := range recs {
		if r.Key == "" {
			return nil, fmt.Errorf("store: collection %q: record %d has an empty key", collection, i)
		}
		v, err := json.Marshal(r.Value)
		if err != nil {
			return nil, fmt.Errorf("store: collection %q key %q: %w", collection, r.Key, err)
		}
		enc[i] = v
	}
	return enc, nil
}

// PutRecords writes recs into the collection in one transaction, creating
// it if needed; a later record with the same key wins.
func (s *Store) PutRecords(collection string, recs []Record) error {
	if err := s.writeRecords(collection, recs, false); err != nil {
		return fmt.Errorf("store: put %d records into %q: %w", len(recs), collection, err)
	}
	return nil
}

// ReplaceCollection atomically swaps the whole collection for recs: readers
// see either the old contents or the new, never a mix.
func (s *Store) ReplaceCollection(collection string, recs []Record) error {
	if err := s.writeRecords(collection, recs, true); err != nil {
		return fmt.Errorf("store: replace collection %q: %w", collection, err)
	}
	return nil
}

// writeRecords writes recs in one transaction, first emptying the
// collection when replace is set.
func (s *Store) writeRecords(collection string, recs []Record, replace bool) error {
	name, err := collectionBucket(collection)
	if err != nil {
		return err
	}
	enc, err := encodeRecords(collection, recs)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if replace && tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		for i, r := range recs {
			if err := b.Put([]byte(r.Key), enc[i]); err != nil {
				return fmt.Errorf("key %q: %w", r.Key, err)
			}
		}
		return nil
	})
}

// GetRecord decodes the record under key into v; false when it is absent.
func (s *Store) GetRecord(collection, key string, v any) (bool, error) {
	name, err := collectionBucket(collection)
	if err != nil {
		return false, err
	}
	var raw []byte
	err = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(name); b != nil {
			if got := b.Get([]byte(key)); got != nil {
				raw = append([]byte(nil), got...)
			}
		}
		return nil
	})
	if err != nil || raw == nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("store: collection %q key %q: %w", collection, key, err)
	}
	return true, nil
}

// ForEachRecord calls fn with every key and raw JSON value in key order,
// stopping at the first error. raw is fn's to keep. It reads in chunks of
// short transactions, so fn may write to the store; records changed during
// the walk may or may not be seen. A missing collection is empty.
func (s *Store) ForEachRecord(collection string, fn func(key string, raw []byte) error) error {
	name, err := collectionBucket(collection)
	if err != nil {
		return err
	}
	var after []byte
	for {
		var keys []string
		var raws [][]byte
		err := s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(name)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else if k, v = c.Seek(after); k != nil && string(k) == string(after) {
				k, v = c.Next()
			}
			for ; k != nil && len(keys) < chunkSize; k, v = c.Next() {
				keys = append(keys, string(k))
				raws = append(raws, append([]byte(nil), v...))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: walk collection %q: %w", collection, err)
		}
		if len(keys) == 0 {
			return nil
		}
		after = []byte(keys[len(keys)-1])
		for i, k := range keys {
			if err := fn(k, raws[i]); err != nil {
				return err
			}
		}
	}
}

// DeleteRecord removes one record; deleting an absent one is not an error.
func (s *Store) DeleteRecord(collection, key string) error {
	name, err := collectionBucket(collection)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(name); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete %q from %q: %w", key, collection, err)
	}
	return nil
}

// DeleteCollection removes a whole collection; an absent one is not an error.
func (s *Store) DeleteCollection(collection string) error {
	name, err := collectionBucket(collection)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(name) != nil {
			return tx.DeleteBucket(name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete collection %q: %w", collection, err)
	}
	return nil
}

// CountRecords is the number of records in a collection (0 when absent).
func (s *Store) CountRecords(collection string) (int, error) {
	name, err := collectionBucket(collection)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(name); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count %q: %w", collection, err)
	}
	return n, nil
}
