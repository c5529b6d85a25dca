// Package store keeps Precedent's archive in one bbolt file: tickets with
// their secondary indexes, and generic JSON collections for what later
// pipeline steps derive (pairs, negatives, splits, reviews, runs, models).
//
// What survives a crash: every write method commits exactly one bbolt
// read-write transaction, and bbolt commits are atomic. A process killed at
// any moment (kill -9, power loss) leaves the file at the last committed
// transaction: a PutTickets batch is either wholly present, indexes
// included, or wholly absent. Re-running an interrupted import is safe
// because PutTickets is idempotent.
//
// Every commit is fsynced (bbolt's default; NoSync is never set), so this
// holds after an OS crash or power loss too, not only after a killed
// process. Bulk import does not need NoSync: with 5,000 tickets per batch
// the fsyncs are a small share of the time (see importer.BenchmarkImport140k).
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the name of the store file inside a project directory.
const FileName = "precedent.db"

// SchemaVersion is the store layout this code reads and writes.
const SchemaVersion = 1

// ErrInUse means another process holds the store open.
var ErrInUse = errors.New("in use by another Precedent process")

// ErrNewerSchema means the store was written by a newer Precedent.
var ErrNewerSchema = errors.New("store schema is newer than this Precedent understands")

// lockTimeout bounds the wait for bbolt's file lock so a second process
// fails fast with ErrInUse instead of hanging.
var lockTimeout = time.Second

var (
	bucketInternal = []byte("_store")     // schema version and other private state
	bucketMeta     = []byte("meta")       // SetMeta / GetMeta
	bucketTickets  = []byte("tickets")    // ID -> JSON data.Ticket
	bucketOpened   = []byte("idx/opened") // sortable opened time + ID -> empty
	bucketRule     = []byte("idx/rule")   // rule \x00 ID -> empty
	keySchema      = []byte("schema")
	collectionPfx  = "c/"
)

// Store is an open archive file. Its methods are safe for concurrent use;
// bbolt serialises writers and lets readers run alongside.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens or creates dir/precedent.db for reading and writing.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	return open(filepath.Join(dir, FileName), false)
}

// OpenReadOnly opens an existing dir/precedent.db without write access; it
// shares the file with other readers but not with a writer.
func OpenReadOnly(dir string) (*Store, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return open(path, true)
}

func open(path string, readOnly bool) (*Store, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{
		Timeout:         lockTimeout,
		ReadOnly:        readOnly,
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: 1 << 28, // fewer remaps while a large archive grows
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("store %s is %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	db.AllocSize = 64 << 20
	s := &Store{db: db, path: path}
	if err := s.checkSchema(readOnly); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema stamps a fresh file with SchemaVersion and refuses newer ones.
func (s *Store) checkSchema(readOnly bool) error {
	var found int
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInternal)
		if b == nil {
			return nil
		}
		if v := b.Get(keySchema); v != nil {
			return json.Unmarshal(v, &found)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %s: read schema version: %w", s.path, err)
	}
	if found > SchemaVersion {
		return fmt.Errorf("store %s has schema version %d, this Precedent reads up to %d (upgrade Precedent): %w",
			s.path, found, SchemaVersion, ErrNewerSchema)
	}
	if readOnly {
		return nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketInternal, bucketMeta, bucketTickets, bucketOpened, bucketRule} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if found == 0 {
			v, _ := json.Marshal(SchemaVersion)
			return tx.Bucket(bucketInternal).Put(keySchema, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %s: initialise: %w", s.path, err)
	}
	return nil
}

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store %s: close: %w", s.path, err)
	}
	return nil
}

// SetMeta stores v as JSON under key in the metadata bucket.
func (s *Store) SetMeta(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: meta %q: %w", key, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte(key), raw)
	})
	if err != nil {
		return fmt.Errorf("store: meta %q: %w", key, err)
	}
	return nil
}

// GetMeta decodes the value under key into v; false when it is absent.
func (s *Store) GetMeta(key string, v any) (bool, error) {
	var raw []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta); b != nil {
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
		return true, fmt.Errorf("store: meta %q: %w", key, err)
	}
	return true, nil
}
