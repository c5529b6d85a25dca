package importer

import (
	"context"
	"fmt"
	"os"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/store"
)

// ImportFile streams the file at path into st, one store transaction per
// batch. It touches nothing in the store but tickets. If it stops early
// (broken file, cancelled ctx), every committed batch is whole and indexed,
// and running it again is idempotent.
func ImportFile(ctx context.Context, st *store.Store, path string, opts Options) (Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return Report{File: path}, fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	var added, updated, unchanged int
	rep, err := Read(ctx, f, path, opts, func(batch []data.Ticket) error {
		a, u, err := st.PutTickets(batch)
		if err != nil {
			return err
		}
		added, updated, unchanged = added+a, updated+u, unchanged+len(batch)-a-u
		return nil
	})
	rep.Added, rep.Updated, rep.Unchanged = added, updated, unchanged
	return rep, err
}
