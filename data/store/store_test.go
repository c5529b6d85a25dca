package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

func ticket(i int, rule string) data.Ticket {
	return data.Ticket{
		ID:          fmt.Sprintf("INC%07d", i),
		Opened:      t0.Add(time.Duration(i) * time.Hour),
		Closed:      t0.Add(time.Duration(i)*time.Hour + 30*time.Minute),
		Rule:        rule,
		Title:       fmt.Sprintf("alert %d", i),
		Description: "something happened",
		CloseNotes:  fmt.Sprintf("benign, see INC%07d", i-1),
	}
}

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, dir
}

func TestPutTicketsIdempotent(t *testing.T) {
	st, _ := openTemp(t)
	var ts []data.Ticket
	for i := range 50 {
		ts = append(ts, ticket(i, []string{"brute-force", "phishing", ""}[i%3]))
	}
	added, updated, err := st.PutTickets(ts)
	require.NoError(t, err)
	assert.Equal(t, 50, added)
	assert.Equal(t, 0, updated)

	added, updated, err = st.PutTickets(ts)
	require.NoError(t, err)
	assert.Equal(t, 0, added)
	assert.Equal(t, 0, updated)

	n, err := st.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, 50, n)
	require.NoError(t, st.Check())

	got, ok, err := st.Ticket("INC0000007")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, ts[7], got)
	_, ok, err = st.Ticket("nope")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestPutTicketsUpdateMovesIndexes(t *testing.T) {
	st, _ := openTemp(t)
	_, _, err := st.PutTickets([]data.Ticket{ticket(1, "a"), ticket(2, "a"), ticket(3, "b")})
	require.NoError(t, err)

	moved := ticket(1, "c")
	moved.Opened = t0.Add(100 * time.Hour) // now the latest
	added, updated, err := st.PutTickets([]data.Ticket{moved})
	require.NoError(t, err)
	assert.Equal(t, 0, added)
	assert.Equal(t, 1, updated)
	require.NoError(t, st.Check())

	counts, err := st.RuleCounts()
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, counts)

	byOpened, err := st.TicketsByOpened()
	require.NoError(t, err)
	var ids []string
	for _, tk := range byOpened {
		ids = append(ids, tk.ID)
	}
	assert.Equal(t, []string{"INC0000002", "INC0000003", "INC0000001"}, ids)

	// Duplicates inside one batch: the later one wins, indexes stay 1:1.
	first, second := ticket(9, "x"), ticket(9, "y")
	second.Opened = t0.Add(-time.Hour)
	_, _, err = st.PutTickets([]data.Ticket{first, second})
	require.NoError(t, err)
	require.NoError(t, st.Check())
	got, _, err := st.Ticket("INC0000009")
	require.NoError(t, err)
	assert.Equal(t, "y", got.Rule)
}

func TestTicketsByOpenedTiesAndOrder(t *testing.T) {
	st, _ := openTemp(t)
	same := []data.Ticket{ticket(3, "r"), ticket(1, "r"), ticket(2, "r")}
	for i := range same {
		same[i].Opened = t0
	}
	early := ticket(4, "r")
	early.Opened = time.Date(1969, 12, 31, 0, 0, 0, 5, time.UTC) // negative Unix time sorts first
	_, _, err := st.PutTickets(append(same, early))
	require.NoError(t, err)
	got, err := st.TicketsByOpened()
	require.NoError(t, err)
	require.Len(t, got, 4)
	assert.Equal(t, []string{"INC0000004", "INC0000001", "INC0000002", "INC0000003"},
		[]string{got[0].ID, got[1].ID, got[2].ID, got[3].ID})
	assert.True(t, got[0].Opened.Equal(early.Opened))
}

func TestPutTicketsRejectsInvalid(t *testing.T) {
	st, _ := openTemp(t)
	tests := []struct {
		name string
		t    data.Ticket
	}{
		{"empty id", data.Ticket{Opened: t0}},
		{"zero opened", data.Ticket{ID: "A"}},
		{"nul in rule", data.Ticket{ID: "A", Opened: t0, Rule: "a\x00b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := st.PutTickets([]data.Ticket{ticket(1, "ok"), tc.t})
			assert.Error(t, err)
			n, err := st.CountTickets()
			require.NoError(t, err)
			assert.Equal(t, 0, n, "a failed batch writes nothing")
		})
	}
}

func TestForEachTicketAndStats(t *testing.T) {
	st, _ := openTemp(t)
	var ts []data.Ticket
	for i := range 2500 { // more than one chunk
		tk := ticket(i, fmt.Sprintf("rule-%d", i%4))
		if i%5 == 0 {
			tk.CloseNotes = ""
		}
		ts = append(ts, tk)
	}
	_, _, err := st.PutTickets(ts)
	require.NoError(t, err)

	var ids []string
	require.NoError(t, st.ForEachTicket(func(tk data.Ticket) error {
		ids = append(ids, tk.ID)
		if len(ids)%500 == 0 { // writing from inside the walk must not deadlock
			return st.SetMeta("last", tk.ID)
		}
		return nil
	}))
	require.Len(t, ids, 2500)
	assert.IsIncreasing(t, ids)

	stop := errors.New("stop")
	assert.ErrorIs(t, st.ForEachTicket(func(data.Ticket) error { return stop }), stop)

	s, err := st.Stats()
	require.NoError(t, err)
	assert.Equal(t, 2500, s.Tickets)
	assert.Equal(t, 625, s.ByRule["rule-0"])
	assert.InDelta(t, 0.8, s.CloseNoteCoverage, 1e-9)
	assert.True(t, s.Earliest.Equal(t0))
	assert.True(t, s.Latest.Equal(t0.Add(2499*time.Hour)))
	total := 0
	for _, n := range s.ByMonth {
		total += n
	}
	assert.Equal(t, 2500, total)
	assert.Equal(t, 30*24+16, s.ByMonth["2024-03"]) // hourly, March 1 08:00 .. March 31 23:00
}

func TestErrInUse(t *testing.T) {
	old := lockTimeout
	lockTimeout = 200 * time.Millisecond
	t.Cleanup(func() { lockTimeout = old })

	st, dir := openTemp(t)
	// flock is per open file description, so a second Open in the same
	// process conflicts just as another process would.
	_, err := Open(dir)
	require.ErrorIs(t, err, ErrInUse)
	assert.Contains(t, err.Error(), filepath.Join(dir, FileName)+" is in use by another Precedent process")
	_, err = OpenReadOnly(dir)
	require.ErrorIs(t, err, ErrInUse)

	require.NoError(t, st.Close())
	st2, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, st2.Close())

	// Readers share the file.
	r1, err := OpenReadOnly(dir)
	require.NoError(t, err)
	r2, err := OpenReadOnly(dir)
	require.NoError(t, err)
	require.NoError(t, r1.Close())
	require.NoError(t, r2.Close())
}

func TestSchemaCheck(t *testing.T) {
	st, dir := openTemp(t)
	var v int
	require.NoError(t, st.db.View(func(tx *bolt.Tx) error {
		return json.Unmarshal(tx.Bucket(bucketInternal).Get(keySchema), &v)
	}))
	assert.Equal(t, SchemaVersion, v)
	require.NoError(t, st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInternal).Put(keySchema, []byte(fmt.Sprint(SchemaVersion+1)))
	}))
	require.NoError(t, st.Close())

	_, err := Open(dir)
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), "schema version 2")
	_, err = OpenReadOnly(dir)
	require.ErrorIs(t, err, ErrNewerSchema)

	_, err = OpenReadOnly(t.TempDir())
	assert.Error(t, err, "read-only open of a missing store")
}

func TestMeta(t *testing.T) {
	st, _ := openTemp(t)
	var got map[string]int
	ok, err := st.GetMeta("settings", &got)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, st.SetMeta("settings", map[string]int{"batch": 32}))
	ok, err = st.GetMeta("settings", &got)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, map[string]int{"batch": 32}, got)
}

type pair struct {
	Query, Doc string
	Label      int
}

func TestCollections(t *testing.T) {
	st, _ := openTemp(t)
	const c = "pairs"
	n, err := st.CountRecords(c)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "absent collection is empty")
	require.NoError(t, st.ForEachRecord(c, func(string, []byte) error { t.Fatal("unexpected record"); return nil }))

	var recs []Record
	for i := range 1500 {
		recs = append(recs, Record{Key: fmt.Sprintf("%05d", i), Value: pair{"q", fmt.Sprint(i), i % 2}})
	}
	require.NoError(t, st.PutRecords(c, recs))
	n, err = st.CountRecords(c)
	require.NoError(t, err)
	assert.Equal(t, 1500, n)

	var p pair
	ok, err := st.GetRecord(c, "00042", &p)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, pair{"q", "42", 0}, p)

	var keys []string
	require.NoError(t, st.ForEachRecord(c, func(k string, raw []byte) error {
		keys = append(keys, k)
		var got pair
		return json.Unmarshal(raw, &got)
	}))
	assert.Len(t, keys, 1500)
	assert.IsIncreasing(t, keys)

	require.NoError(t, st.DeleteRecord(c, "00042"))
	require.NoError(t, st.DeleteRecord(c, "00042"))
	ok, err = st.GetRecord(c, "00042", &p)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, st.ReplaceCollection(c, []Record{{Key: "only", Value: 1}}))
	n, err = st.CountRecords(c)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// A failing replace leaves the old contents.
	assert.Error(t, st.ReplaceCollection(c, []Record{{Key: "", Value: 2}}))
	assert.Error(t, st.PutRecords(c, []Record{{Key: "x", Value: func() {}}}))
	n, err = st.CountRecords(c)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, st.DeleteCollection(c))
	require.NoError(t, st.DeleteCollection(c))
	n, err = st.CountRecords(c)
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	assert.Error(t, st.PutRecords("", nil))

	// Collections never touch tickets.
	cnt, err := st.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, 0, cnt)
}
