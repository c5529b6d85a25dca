package safetensors

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IndexFile is the name of the shard index in a sharded HF checkpoint.
const IndexFile = "model.safetensors.index.json"

// Index is a parsed model.safetensors.index.json: which shard file in the
// same directory holds each tensor.
type Index struct {
	Metadata  map[string]any    `json:"metadata"`
	WeightMap map[string]string `json:"weight_map"`
}

// ReadIndex parses dir/model.safetensors.index.json and checks every shard
// name is a plain file name inside dir.
func ReadIndex(dir string) (Index, error) {
	path := filepath.Join(dir, IndexFile)
	buf, err := os.ReadFile(path)
	if err != nil {
		return Index{}, fmt.Errorf("read index: %w", err)
	}
	var idx Index
	if err := json.Unmarshal(buf, &idx); err != nil {
		return Index{}, fmt.Errorf("%s: %w: %v", path, ErrHeader, err)
	}
	if len(idx.WeightMap) == 0 {
		return Index{}, fmt.Errorf("%s: %w: empty weight_map", path, ErrHeader)
	}
	for name, shard := range idx.WeightMap {
		if shard == "" || shard != filepath.Base(shard) || strings.HasPrefix(shard, ".") {
			return Index{}, fmt.Errorf("%s: tensor %q: %w: shard %q is not a file name in the index directory",
				path, name, ErrHeader, shard)
		}
	}
	return idx, nil
}

// Shards returns the distinct shard file names, sorted.
func (idx Index) Shards() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range idx.WeightMap {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// ReadSharded loads every shard listed by dir's index and checks each
// tensor sits in the shard the index names; metadata of all shards is merged.
func ReadSharded(dir string) (map[string]Tensor, map[string]string, error) {
	idx, err := ReadIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	all := map[string]Tensor{}
	meta := map[string]string{}
	present := map[string]string{}
	for _, shard := range idx.Shards() {
		path := filepath.Join(dir, shard)
		tensors, m, skipped, err := readFile(path)
		if err != nil {
			return nil, nil, err
		}
		for k, v := range m {
			meta[k] = v
		}
		for name := range skipped {
			present[name] = shard
		}
		for name, t := range tensors {
			if prev, dup := present[name]; dup {
				return nil, nil, fmt.Errorf("%s: tensor %q: %w: also in shard %s", path, name, ErrHeader, prev)
			}
			present[name] = shard
			all[name] = t
		}
	}
	for name, shard := range idx.WeightMap {
		if got, ok := present[name]; !ok || got != shard {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w: index names shard %s, not found there",
				filepath.Join(dir, IndexFile), name, ErrHeader, shard)
		}
	}
	return all, meta, nil
}
