package retrieve

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"sync"

	"github.com/precedent/precedent/ml/half"
)

// Precision is how a VectorCache stores components.
type Precision uint8

// The storage precisions.
const (
	Float32 Precision = 4 // 4 bytes a component
	Float16 Precision = 2 // 2 bytes a component, IEEE half
)

// TextHash is the key under which a ticket text's embedding is cached.
func TextHash(text string) string {
	s := sha256.Sum256([]byte(text))
	return hex.EncodeToString(s[:16])
}

const cacheMagic = "PRECVEC1"

// VectorCache is an append-only file of embeddings keyed by ticket ID and
// text hash, for one model fingerprint and dimension. A resumed run skips
// tickets whose (ID, text hash) is already there; a changed text misses and
// is recomputed; a different model or dimension starts the file afresh.
//
// Crash safety: each record carries a CRC; on open, a torn or corrupt tail
// (a crash mid-append) is cut off and everything before it is kept. Records
// reach the disk on Flush (which also fsyncs) or Close. It is safe for
// concurrent use.
type VectorCache struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	w       *bufio.Writer
	fp      string
	dim     int
	prec    Precision
	index   map[string]cacheEntry
	size    int64 // logical end of the log, pending writes included
	flushed int64 // bytes known written to the file
	stats   CacheStats
}

type cacheEntry struct {
	hash string
	off  int64 // offset of the components
}

// CacheStats says what opening the cache found.
type CacheStats struct {
	Loaded    int   `json:"loaded"`     // distinct tickets with a vector
	Records   int   `json:"records"`    // records in the log (superseded ones included)
	TornBytes int64 `json:"torn_bytes"` // bytes cut off a damaged tail
	Reset     bool  `json:"reset"`      // the file was for another model or dimension and was started afresh
}

// OpenVectorCache opens or creates the cache file at path.
func OpenVectorCache(path, modelFingerprint string, dim int, p Precision) (*VectorCache, error) {
	if dim <= 0 || (p != Float32 && p != Float16) || modelFingerprint == "" || len(modelFingerprint) > math.MaxUint16 {
		return nil, fmt.Errorf("vector cache %s: need a fingerprint, dim > 0 and precision 2 or 4 (got %q, %d, %d)", path, modelFingerprint, dim, p)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("vector cache %s: %w", path, err)
	}
	c := &VectorCache{path: path, f: f, fp: modelFingerprint, dim: dim, prec: p, index: map[string]cacheEntry{}}
	if err := c.load(); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(c.size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("vector cache %s: %w", path, err)
	}
	c.flushed = c.size
	c.w = bufio.NewWriterSize(f, 1<<20)
	return c, nil
}

func (c *VectorCache) header() []byte {
	b := []byte(cacheMagic)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(c.fp)))
	b = append(b, c.fp...)
	b = binary.LittleEndian.AppendUint32(b, uint32(c.dim))
	b = append(b, byte(c.prec))
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// load reads the log, rebuilding the index and cutting a torn tail.
func (c *VectorCache) load() error {
	st, err := c.f.Stat()
	if err != nil {
		return fmt.Errorf("vector cache %s: %w", c.path, err)
	}
	want := c.header()
	got := make([]byte, len(want))
	if _, err := c.f.ReadAt(got, 0); err != nil || string(got) != string(want) {
		if st.Size() > 0 {
			c.stats.Reset = true
		}
		if err := c.f.Truncate(0); err != nil {
			return fmt.Errorf("vector cache %s: %w", c.path, err)
		}
		if _, err := c.f.WriteAt(want, 0); err != nil {
			return fmt.Errorf("vector cache %s: %w", c.path, err)
		}
		c.size = int64(len(want))
		return c.f.Sync()
	}
	r := bufio.NewReaderSize(io.NewSectionReader(c.f, 0, st.Size()), 1<<20)
	if _, err := r.Discard(len(want)); err != nil {
		return fmt.Errorf("vector cache %s: %w", c.path, err)
	}
	off := int64(len(want))
	vbytes := c.dim * int(c.prec)
	var lenb [4]byte
	for {
		if _, err := io.ReadFull(r, lenb[:]); err != nil {
			break
		}
		n := int64(binary.LittleEndian.Uint32(lenb[:]))
		if n < 4+int64(vbytes) || off+4+n+4 > st.Size() {
			break
		}
		rec := make([]byte, n+4)
		if _, err := io.ReadFull(r, rec); err != nil {
			break
		}
		payload := rec[:n]
		if crc32.ChecksumIEEE(payload) != binary.LittleEndian.Uint32(rec[n:]) {
			break
		}
		id, hash, ok := parseKey(payload, vbytes)
		if !ok {
			break
		}
		c.index[id] = cacheEntry{hash: hash, off: off + 4 + n - int64(vbytes)}
		c.stats.Records++
		off += 4 + n + 4
	}
	if off < st.Size() {
		c.stats.TornBytes = st.Size() - off
		if err := c.f.Truncate(off); err != nil {
			return fmt.Errorf("vector cache %s: cutting torn tail at %d: %w", c.path, off, err)
		}
	}
	c.size = off
	c.stats.Loaded = len(c.index)
	return nil
}

// parseKey splits a record payload: u16 id length, id, u16 hash length,
// hash, then vbytes of components.
func parseKey(p []byte, vbytes int) (id, hash string, ok bool) {
	if len(p) < 2 {
		return "", "", false
	}
	il := int(binary.LittleEndian.Uint16(p))
	if len(p) < 2+il+2 {
		return "", "", false
	}
	id = string(p[2 : 2+il])
	hl := int(binary.LittleEndian.Uint16(p[2+il:]))
	if len(p) != 2+il+2+hl+vbytes {
		return "", "", false
	}
	return id, string(p[4+il : 4+il+hl]), true
}

// Stats reports what opening found; Loaded follows later Puts.
func (c *VectorCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Loaded = len(c.index)
	return s
}

// Get returns the cached vector of id when it was computed from a text with
// this hash; ok is false otherwise.
func (c *VectorCache) Get(id, textHash string) (vec []float32, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.index[id]
	if !found || e.hash != textHash {
		return nil, false, nil
	}
	vbytes := c.dim * int(c.prec)
	if e.off+int64(vbytes) > c.flushed {
		if err := c.w.Flush(); err != nil {
			return nil, false, fmt.Errorf("vector cache %s: %w", c.path, err)
		}
		c.flushed = c.size
	}
	buf := make([]byte, vbytes)
	if _, err := c.f.ReadAt(buf, e.off); err != nil {
		return nil, false, fmt.Errorf("vector cache %s: reading %s at %d: %w", c.path, id, e.off, err)
	}
	vec = make([]float32, c.dim)
	for j := range vec {
		if c.prec == Float32 {
			vec[j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:]))
		} else {
			vec[j] = halfToFloat[binary.LittleEndian.Uint16(buf[2*j:])]
		}
	}
	return vec, true, nil
}

// ErrCacheVector marks vectors the cache refuses to store.
var ErrCacheVector = errors.New("unusable vector")

// Put appends the vector of id computed from a text with this hash; it
// supersedes any earlier record of id. It is durable after Flush.
func (c *VectorCache) Put(id, textHash string, vec []float32) error {
	if len(vec) != c.dim {
		return fmt.Errorf("vector cache %s: %s: %w: dimension %d, cache holds %d", c.path, id, ErrCacheVector, len(vec), c.dim)
	}
	if id == "" || len(id) > math.MaxUint16 || len(textHash) > math.MaxUint16 {
		return fmt.Errorf("vector cache %s: %w: bad id or hash length", c.path, ErrCacheVector)
	}
	p := make([]byte, 0, 4+len(id)+len(textHash)+c.dim*int(c.prec))
	p = binary.LittleEndian.AppendUint16(p, uint16(len(id)))
	p = append(p, id...)
	p = binary.LittleEndian.AppendUint16(p, uint16(len(textHash)))
	p = append(p, textHash...)
	for j, x := range vec {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("vector cache %s: %s: %w: component %d is %v", c.path, id, ErrCacheVector, j, x)
		}
		if c.prec == Float32 {
			p = binary.LittleEndian.AppendUint32(p, math.Float32bits(x))
		} else {
			p = binary.LittleEndian.AppendUint16(p, half.FromFloat32(x))
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var lenb [4]byte
	binary.LittleEndian.PutUint32(lenb[:], uint32(len(p)))
	c.w.Write(lenb[:])
	c.w.Write(p)
	binary.LittleEndian.PutUint32(lenb[:], crc32.ChecksumIEEE(p))
	if _, err := c.w.Write(lenb[:]); err != nil {
		return fmt.Errorf("vector cache %s: %w", c.path, err)
	}
	c.index[id] = cacheEntry{hash: textHash, off: c.size + 4 + int64(len(p)) - int64(c.dim*int(c.prec))}
	c.size += int64(4 + len(p) + 4)
	return nil
}

// Flush writes pending records and syncs the file to disk.
func (c *VectorCache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("vector cache %s: %w", c.path, err)
	}
	c.flushed = c.size
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("vector cache %s: %w", c.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (c *VectorCache) Close() error {
	err := c.Flush()
	if cerr := c.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("vector cache %s: %w", c.path, cerr)
	}
	return err
}
