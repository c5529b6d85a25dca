package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

func tickets(n int) []data.Ticket {
	ts := make([]data.Ticket, n)
	for i := range ts {
		ts[i] = data.Ticket{ID: "INC" + strings.Repeat("0", 6) + string(rune('0'+i%10)), Title: "t", CloseNotes: "n"}
	}
	return ts
}

func TestRunCountsAndClasses(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/tickets/rerank", r.URL.Path)
		assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
		switch n.Add(1) % 10 {
		case 0:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"full","error_type":"Overloaded"}`))
		case 5:
			w.WriteHeader(http.StatusBadGateway)
		default:
			_, _ = w.Write([]byte(`{"results":[]}`))
		}
	}))
	defer srv.Close()
	rss := int64(100 << 20)
	rep, err := Run(context.Background(), Options{URL: srv.URL, Token: "tok", Clients: 4, Duration: 10 * time.Second, MaxRequests: 100,
		Candidates: 3, Tickets: tickets(10), RSS: func() (int64, bool) { rss += 1 << 20; return rss, true }})
	require.NoError(t, err)
	assert.Equal(t, 100, rep.Requests, "bounded by count")
	assert.Equal(t, "max requests", rep.StoppedReason)
	assert.Equal(t, 80, rep.OK)
	assert.Equal(t, map[string]int{"Overloaded": 10, "status-502": 10}, rep.Errors)
	assert.Positive(t, rep.P50ms)
	assert.LessOrEqual(t, rep.P50ms, rep.P95ms)
	assert.LessOrEqual(t, rep.P95ms, rep.P99ms)
	assert.InDelta(t, 101, rep.RSSBeforeMiB, 1e-9)
	assert.InDelta(t, 102, rep.RSSAfterMiB, 1e-9)
	assert.Contains(t, rep.Text(), "Overloaded 10")
}

func TestRunBoundedByTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	start := time.Now()
	rep, err := Run(context.Background(), Options{URL: srv.URL, API: "tei", Clients: 2, Duration: 300 * time.Millisecond, Candidates: 2, Tickets: tickets(5)})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, "duration", rep.StoppedReason)
	assert.Positive(t, rep.OK)
	assert.Empty(t, rep.Errors, "requests cut by the end of the run are not errors")
}

func TestRunRefusesOtherHosts(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8088", "http://example.com", "http://:8088"} {
		_, err := Run(context.Background(), Options{URL: u, Tickets: tickets(30)})
		assert.ErrorIs(t, err, ErrNotLoopback, u)
	}
	_, err := Run(context.Background(), Options{URL: "http://127.0.0.1:1", API: "grpc", Tickets: tickets(30)})
	assert.ErrorContains(t, err, "grpc")
}
