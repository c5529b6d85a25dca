package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/precedent/precedent/platform/fsutil"
)

// Write stores tensors as F32 (whatever their DType field says) with keys
// sorted and the header space-padded to a multiple of 8 bytes. It writes a
// temp file beside path, syncs it and renames it over path, so a crash
// leaves either the old file or the complete new one.
func Write(path string, tensors map[string]Tensor, meta map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		if name == "__metadata__" || name == "" {
			return fmt.Errorf("write %s: %w: reserved tensor name %q", path, ErrHeader, name)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	header := make(map[string]any, len(tensors)+1)
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var offset int64
	for _, name := range names {
		t := tensors[name]
		count, err := checkShape(t.Shape, math.MaxInt32*4)
		if err != nil {
			return fmt.Errorf("write %s: tensor %q: %w", path, name, err)
		}
		if count != int64(len(t.Data)) {
			return fmt.Errorf("write %s: tensor %q: %w: shape %v has %d elements, data has %d",
				path, name, ErrShape, t.Shape, count, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = headerEntry{DType: "F32", Shape: shape, DataOffsets: []int64{offset, offset + 4*count}}
		offset += 4 * count
	}
	// json.Marshal sorts map keys, which gives the sorted header we promise.
	hdr, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write %s: header: %w", path, err)
	}
	if pad := (8 - len(hdr)%8) % 8; pad > 0 {
		hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	}

	buf := make([]byte, 8+len(hdr)+int(offset))
	binary.LittleEndian.PutUint64(buf, uint64(len(hdr)))
	copy(buf[8:], hdr)
	pos := 8 + len(hdr)
	for _, name := range names {
		for _, v := range tensors[name].Data {
			binary.LittleEndian.PutUint32(buf[pos:], math.Float32bits(v))
			pos += 4
		}
	}
	return fsutil.WriteFileAtomic(path, buf, 0o644)
}
