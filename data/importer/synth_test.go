package importer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/store"
	"github.com/precedent/precedent/data/synth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The synthetic archive's CSV and JSONL must import with zero configuration.
func TestImportSynthZeroConfig(t *testing.T) {
	a, err := synth.Generate(synth.Config{Tickets: 500, Seed: 7})
	require.NoError(t, err)
	files, err := a.WriteExport(t.TempDir())
	require.NoError(t, err)
	want := map[string]data.Ticket{}
	for _, tk := range a.Tickets {
		want[tk.ID] = tk
	}

	for _, path := range []string{files.TicketsCSV, files.TicketsJSONL} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			st, err := store.Open(t.TempDir())
			require.NoError(t, err)
			defer st.Close()
			rep, err := ImportFile(context.Background(), st, path, Options{})
			require.NoError(t, err)
			assert.Zero(t, rep.Rejected, "rejects: %v", rep.Rejects)
			assert.Zero(t, rep.Recoded)
			assert.Equal(t, len(want), rep.Added, "mapping %s", rep.Mapping)
			require.NoError(t, st.ForEachTicket(func(got data.Ticket) error {
				w := want[got.ID]
				if filepath.Ext(path) == ".jsonl" {
					assert.Equal(t, w, got)
					return nil
				}
				// The CSV writes severity as a ServiceNow priority label.
				w.Severity, got.Severity = "", ""
				assert.Equal(t, w, got)
				return nil
			}))
		})
	}
}
