package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/importer"
)

func TestParseVisibility(t *testing.T) {
	got, err := ParseVisibility([]string{"Assigned to=open", "fields.status.name = close", "a=b=closing"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Assigned to": importer.SideOpen, "fields.status.name": importer.SideClose, "a=b": importer.SideClose}, got)
	for _, bad := range []string{"nocolumn", "=open", "x=later"} {
		_, err := ParseVisibility([]string{bad})
		assert.Error(t, err, bad)
	}
}

// A --visible choice is stored with the project and applies to the next
// import and preview without being repeated.
func TestImportVisibilityRemembered(t *testing.T) {
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.csv")
	require.NoError(t, os.WriteFile(a, []byte("Number,Opened,Assigned to\nINC1,2024-01-02 10:00:00,jdoe\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("Number,Opened,Assigned to\nINC2,02/01/2024 10:00,asmith\nINC3,13/01/2024 10:00,\n"), 0o644))

	rep, err := p.Import(context.Background(), a, ImportOptions{Visibility: []string{"Assigned to=open"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, importer.SideOpen, rep.Visibility["Assigned to"])
	assert.Equal(t, map[string]string{"Assigned to": importer.SideOpen}, p.SettingsSnapshot().Visibility)

	pv, err := p.Preview(b, ImportOptions{}, 5)
	require.NoError(t, err)
	assert.Equal(t, importer.SideOpen, pv.Sides["Assigned to"])
	assert.Equal(t, "dmy", pv.DateOrder)

	rep, err = p.Import(context.Background(), b, ImportOptions{TZ: "Europe/Paris"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Added)
	var inc2 data.Ticket
	require.NoError(t, p.Store.ForEachTicket(func(tk data.Ticket) error {
		if tk.ID == "INC2" {
			inc2 = tk
		}
		return nil
	}))
	assert.Equal(t, map[string]string{"Assigned to": "asmith"}, inc2.Extra, "the remembered choice applies")
	assert.Equal(t, time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC), inc2.Opened, "dmy detected, Paris time")

	// Reopened, the project still has the choice.
	require.NoError(t, p.Close())
	p2, err := Open(p.Dir)
	require.NoError(t, err)
	defer p2.Close()
	assert.Equal(t, map[string]string{"Assigned to": importer.SideOpen}, p2.SettingsSnapshot().Visibility)

	_, err = p2.Import(context.Background(), b, ImportOptions{TZ: "Mars/Olympus"}, nil)
	assert.ErrorContains(t, err, `--tz "Mars/Olympus"`)
	_, err = p2.Import(context.Background(), b, ImportOptions{DateOrder: "ymd"}, nil)
	assert.ErrorContains(t, err, "want dmy or mdy")
}

// --visible names must name a column of the file (remembered ones from
// other files need not); across several files, of one of them. The
// delimiter is sniffed unless given.
func TestImportChecksVisibleAndDelimiter(t *testing.T) {
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.csv")
	require.NoError(t, os.WriteFile(a, []byte("Number;Opened;Assigned to\nINC1;2024-01-02 10:00:00;jdoe\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("Number|Opened|Watchers\nINC2|2024-01-03 10:00:00|ana\n"), 0o644))

	_, err = p.Import(context.Background(), a, ImportOptions{Visibility: []string{"Assigned=open"}}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `did you mean "Assigned to"?`)
	n, err := p.Store.CountTickets()
	require.NoError(t, err)
	assert.Zero(t, n, "nothing imported")

	rep, err := p.Import(context.Background(), a, ImportOptions{Visibility: []string{"Assigned to=open"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "semicolon", rep.Delimiter)
	assert.Equal(t, importer.SideOpen, rep.Visibility["Assigned to"])

	o := ImportOptions{Visibility: []string{"Assigned to=open", "Watchers=open"}}
	require.NoError(t, CheckVisibility([]string{a, b}, o))
	_, err = p.Import(context.Background(), b, o, nil)
	assert.Error(t, err, "b alone has no Assigned to")
	o.VisibilityChecked = true
	rep, err = p.Import(context.Background(), b, o, nil)
	require.NoError(t, err)
	assert.Equal(t, "pipe", rep.Delimiter)
	assert.Equal(t, importer.SideOpen, rep.Visibility["Watchers"])
	assert.Error(t, CheckVisibility([]string{a, b}, ImportOptions{Visibility: []string{"Watcher list=close"}}))

	_, err = p.Import(context.Background(), a, ImportOptions{Delimiter: "ab"}, nil)
	assert.Error(t, err)
	rep, err = p.Import(context.Background(), a, ImportOptions{Delimiter: "semicolon"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "semicolon", rep.Delimiter)
}
