package retrieve

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// ErrBadVectors marks imported vector files that cannot be used.
var ErrBadVectors = errors.New("bad vector file")

// ReadVectorsJSONL reads {"id": "...", "vector": [...]} objects, one per
// line (blank lines skipped). Every vector must have the first line's
// dimension, finite components and an ID not seen before.
func ReadVectorsJSONL(path string) ([]string, Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Matrix{}, fmt.Errorf("vectors %s: %w", path, err)
	}
	defer f.Close()
	var ids []string
	m := Matrix{}
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rec struct {
			ID     *string   `json:"id"`
			Vector []float64 `json:"vector"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, Matrix{}, fmt.Errorf("vectors %s line %d: %w: %v", path, line, ErrBadVectors, err)
		}
		if rec.ID == nil || *rec.ID == "" {
			return nil, Matrix{}, fmt.Errorf("vectors %s line %d: %w: missing id", path, line, ErrBadVectors)
		}
		id := *rec.ID
		if m.Dim == 0 {
			if len(rec.Vector) == 0 {
				return nil, Matrix{}, fmt.Errorf("vectors %s line %d (%s): %w: empty vector", path, line, id, ErrBadVectors)
			}
			m.Dim = len(rec.Vector)
		}
		if len(rec.Vector) != m.Dim {
			return nil, Matrix{}, fmt.Errorf("vectors %s line %d (%s): %w: dimension %d, expected %d as on the first line",
				path, line, id, ErrBadVectors, len(rec.Vector), m.Dim)
		}
		if prev, dup := seen[id]; dup {
			return nil, Matrix{}, fmt.Errorf("vectors %s line %d: %w: duplicate id %q (first on line %d)", path, line, ErrBadVectors, id, prev)
		}
		seen[id] = line
		for j, v := range rec.Vector {
			x := float32(v)
			if math.IsNaN(v) || math.IsInf(float64(x), 0) {
				return nil, Matrix{}, fmt.Errorf("vectors %s line %d (%s): %w: component %d is %v", path, line, id, ErrBadVectors, j, v)
			}
			m.Data = append(m.Data, x)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, Matrix{}, fmt.Errorf("vectors %s line %d: %w", path, line+1, err)
	}
	m.Rows = len(ids)
	return ids, m, nil
}

var (
	npyDescr = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyOrder = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// ReadNPY reads a 2-D little-endian float32 ('<f4') or float16 ('<f2') .npy
// array in C order, and idsPath, a text file with one ID per row (blank
// trailing lines ignored). Counts, finiteness and ID uniqueness are checked.
func ReadNPY(npyPath, idsPath string) ([]string, Matrix, error) {
	m, err := readNPY(npyPath)
	if err != nil {
		return nil, Matrix{}, err
	}
	ids, err := readIDs(idsPath)
	if err != nil {
		return nil, Matrix{}, err
	}
	if len(ids) != m.Rows {
		return nil, Matrix{}, fmt.Errorf("vectors %s: %w: %d IDs for %d rows of %s", idsPath, ErrBadVectors, len(ids), m.Rows, npyPath)
	}
	for i := range m.Rows {
		for j, x := range m.Row(i) {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, Matrix{}, fmt.Errorf("vectors %s row %d (%s): %w: component %d is %v", npyPath, i, ids[i], ErrBadVectors, j, x)
			}
		}
	}
	return ids, m, nil
}

func readNPY(path string) (Matrix, error) {
	fail := func(format string, a ...any) (Matrix, error) {
		return Matrix{}, fmt.Errorf("vectors %s: %w: %s", path, ErrBadVectors, fmt.Sprintf(format, a...))
	}
	f, err := os.Open(path)
	if err != nil {
		return Matrix{}, fmt.Errorf("vectors %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return fail("not an .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		b := make([]byte, 2)
		if _, err := io.ReadFull(r, b); err != nil {
			return fail("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint16(b))
	case 2, 3:
		b := make([]byte, 4)
		if _, err := io.ReadFull(r, b); err != nil {
			return fail("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint32(b))
		if hlen > 1<<20 {
			return fail("header of %d bytes", hlen)
		}
	default:
		return fail("unsupported format version %d.%d", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return fail("truncated header")
	}
	h := string(hb)
	d, o, s := npyDescr.FindStringSubmatch(h), npyOrder.FindStringSubmatch(h), npyShape.FindStringSubmatch(h)
	if d == nil || o == nil || s == nil {
		return fail("header %q lacks descr, fortran_order or shape", strings.TrimSpace(h))
	}
	if o[1] != "False" {
		return fail("Fortran order is not supported; save with C order")
	}
	var size int
	switch d[1] {
	case "<f4":
		size = 4
	case "<f2":
		size = 2
	default:
		return fail("dtype %q: want little-endian float32 '<f4' or float16 '<f2'", d[1])
	}
	var dims []int
	for _, p := range strings.Split(s[1], ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return fail("bad shape %q", s[1])
		}
		dims = append(dims, v)
	}
	if len(dims) != 2 || dims[1] == 0 {
		return fail("shape (%s): want 2-D rows×dim", s[1])
	}
	rows, dim := dims[0], dims[1]
	if rows > math.MaxInt32 || dim > 1<<20 {
		return fail("shape (%s) too large", s[1])
	}
	m := Matrix{Rows: rows, Dim: dim, Data: make([]float32, rows*dim)}
	buf := make([]byte, dim*size)
	for i := range rows {
		if _, err := io.ReadFull(r, buf); err != nil {
			return fail("truncated data: row %d of %d missing", i, rows)
		}
		row := m.Row(i)
		for j := range row {
			if size == 4 {
				row[j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:]))
			} else {
				row[j] = halfToFloat[binary.LittleEndian.Uint16(buf[2*j:])]
			}
		}
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return fail("trailing bytes after %d rows", rows)
	}
	return m, nil
}

func readIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vectors %s: %w", path, err)
	}
	defer f.Close()
	var ids []string
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	line, blank := 0, 0
	for sc.Scan() {
		line++
		id := strings.TrimSpace(sc.Text())
		if id == "" {
			blank = line
			continue
		}
		if blank != 0 {
			return nil, fmt.Errorf("vectors %s line %d: %w: blank ID", path, blank, ErrBadVectors)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("vectors %s line %d: %w: duplicate id %q (first on line %d)", path, line, ErrBadVectors, id, prev)
		}
		seen[id] = line
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("vectors %s line %d: %w", path, line+1, err)
	}
	return ids, nil
}

// CoverageReport compares imported vector IDs with the archive.
type CoverageReport struct {
	Archive    int      `json:"archive"`     // archive tickets
	Vectors    int      `json:"vectors"`     // imported vectors
	Missing    int      `json:"missing"`     // archive tickets without a vector
	Unknown    int      `json:"unknown"`     // vectors whose ID is not in the archive
	MissingIDs []string `json:"missing_ids"` // up to 20 examples
	UnknownIDs []string `json:"unknown_ids"` // up to 20 examples
}

// Coverage reports how well vector IDs cover the archive IDs.
func Coverage(ids, archiveIDs []string) CoverageReport {
	const examples = 20
	r := CoverageReport{Archive: len(archiveIDs), Vectors: len(ids)}
	have := make(map[string]bool, len(ids))
	for _, id := range ids {
		have[id] = true
	}
	arch := make(map[string]bool, len(archiveIDs))
	for _, id := range archiveIDs {
		arch[id] = true
		if !have[id] {
			r.Missing++
			if len(r.MissingIDs) < examples {
				r.MissingIDs = append(r.MissingIDs, id)
			}
		}
	}
	for _, id := range ids {
		if !arch[id] {
			r.Unknown++
			if len(r.UnknownIDs) < examples {
				r.UnknownIDs = append(r.UnknownIDs, id)
			}
		}
	}
	return r
}
