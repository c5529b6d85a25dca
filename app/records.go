package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/precedent/precedent/data/store"
)

// forEachJSON decodes every record of a collection as T.
func forEachJSON[T any](st *store.Store, collection string, fn func(key string, v T) error) error {
	return st.ForEachRecord(collection, func(key string, raw []byte) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s/%s: %w", collection, key, err)
		}
		return fn(key, v)
	})
}

// newestFirst decodes every record of a collection keyed by run ID (IDs
// name their start time, so they sort in time) and returns them newest first.
func newestFirst[T any](st *store.Store, collection string) ([]T, error) {
	type keyed struct {
		key string
		v   T
	}
	var ks []keyed
	err := forEachJSON(st, collection, func(key string, v T) error {
		ks = append(ks, keyed{key, v})
		return nil
	})
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(b.key, a.key) })
	out := make([]T, len(ks))
	for i, k := range ks {
		out[i] = k.v
	}
	return out, err
}
