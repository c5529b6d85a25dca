package app

import (
	"encoding/json"
	"fmt"

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
