package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// maxHeaderSize bounds the JSON header as the reference implementation does
// (100 MB), so a corrupt length cannot make us allocate gigabytes.
const maxHeaderSize = 100 << 20

// headerEntry is one tensor's record in the JSON header.
type headerEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// Read loads every float tensor of the safetensors file at path, decoded to
// float32, and the header's __metadata__ (nil when absent). Integer and bool
// tensors are skipped without error.
func Read(path string) (map[string]Tensor, map[string]string, error) {
	tensors, meta, _, err := readFile(path)
	return tensors, meta, err
}

// readFile is Read that also returns the names of skipped integer tensors.
func readFile(path string) (map[string]Tensor, map[string]string, map[string]bool, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	tensors, meta, skipped, err := parse(buf)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return tensors, meta, skipped, nil
}

// span is a tensor's byte range inside the data buffer, for overlap checks.
type span struct {
	name       string
	begin, end int64
}

// parse decodes a whole safetensors file held in buf.
func parse(buf []byte) (map[string]Tensor, map[string]string, map[string]bool, error) {
	if len(buf) < 8 {
		return nil, nil, nil, fmt.Errorf("%w: %d bytes, need at least 8 for the header length", ErrTruncated, len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n > maxHeaderSize {
		return nil, nil, nil, fmt.Errorf("%w: header length %d exceeds %d", ErrHeader, n, maxHeaderSize)
	}
	if n > uint64(len(buf)-8) {
		return nil, nil, nil, fmt.Errorf("%w: header length %d beyond file size %d", ErrTruncated, n, len(buf))
	}
	header := buf[8 : 8+n]
	data := buf[8+n:]

	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: JSON: %v", ErrHeader, err)
	}
	if raw == nil {
		return nil, nil, nil, fmt.Errorf("%w: header is not a JSON object", ErrHeader)
	}

	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: __metadata__: %v", ErrHeader, err)
		}
		delete(raw, "__metadata__")
	}

	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)

	tensors := make(map[string]Tensor, len(raw))
	skipped := map[string]bool{}
	spans := make([]span, 0, len(raw))
	for _, name := range names {
		var e headerEntry
		if err := json.Unmarshal(raw[name], &e); err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: %w: %v", name, ErrHeader, err)
		}
		t, ok, err := decodeEntry(e, data)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		spans = append(spans, span{name, e.DataOffsets[0], e.DataOffsets[1]})
		if !ok {
			skipped[name] = true
			continue
		}
		tensors[name] = t
	}
	if err := checkOverlap(spans); err != nil {
		return nil, nil, nil, err
	}
	return tensors, meta, skipped, nil
}

// decodeEntry validates one header entry against the data buffer and
// decodes it; ok is false for skipped integer dtypes.
func decodeEntry(e headerEntry, data []byte) (Tensor, bool, error) {
	size, known := dtypeSize[e.DType]
	if !known {
		return Tensor{}, false, fmt.Errorf("%w %q", ErrDType, e.DType)
	}
	if e.Shape == nil {
		return Tensor{}, false, fmt.Errorf("%w: missing shape", ErrHeader)
	}
	if len(e.DataOffsets) != 2 {
		return Tensor{}, false, fmt.Errorf("%w: data_offsets has %d values, want 2", ErrHeader, len(e.DataOffsets))
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin {
		return Tensor{}, false, fmt.Errorf("%w: data_offsets [%d %d] are not an increasing range", ErrHeader, begin, end)
	}
	if end > int64(len(data)) {
		return Tensor{}, false, fmt.Errorf("%w: data_offsets [%d %d] beyond data size %d", ErrTruncated, begin, end, len(data))
	}
	count, err := checkShape(e.Shape, int64(len(data)))
	if err != nil {
		return Tensor{}, false, err
	}
	if count*int64(size) != end-begin {
		return Tensor{}, false, fmt.Errorf("%w: shape %v x %s (%d bytes) != byte range [%d %d] (%d bytes)",
			ErrShape, e.Shape, e.DType, count*int64(size), begin, end, end-begin)
	}
	if skippable(e.DType) {
		return Tensor{}, false, nil
	}
	if !decodable(e.DType) {
		return Tensor{}, false, fmt.Errorf("%w %q (supported: F32, F16, BF16, F64)", ErrDType, e.DType)
	}
	return Tensor{
		DType: e.DType,
		Shape: append(make([]int, 0, len(e.Shape)), e.Shape...),
		Data:  decode(e.DType, data[begin:end], int(count)),
	}, true, nil
}

// checkOverlap rejects tensors whose non-empty byte ranges intersect.
func checkOverlap(spans []span) error {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	for i := 1; i < len(spans); i++ {
		prev, cur := spans[i-1], spans[i]
		if prev.end > cur.begin && cur.end > cur.begin && prev.end > prev.begin {
			return fmt.Errorf("tensor %q: %w: data_offsets [%d %d] overlap tensor %q [%d %d]",
				cur.name, ErrHeader, cur.begin, cur.end, prev.name, prev.begin, prev.end)
		}
	}
	return nil
}
