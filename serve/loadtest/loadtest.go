// Package loadtest drives a Precedent server on this machine with N
// concurrent clients for a bounded time and number of requests, and reports
// throughput, latency percentiles, errors by class and memory before and
// after. It only talks to loopback addresses.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/serve"
)

// Options configure Run; zero values take DefaultOptions'.
type Options struct {
	URL         string        // the server, e.g. http://127.0.0.1:8088 (loopback only)
	Token       string        // bearer token, if the server wants one
	Client      *http.Client  // default: a plain client with a 60s timeout (set for TLS)
	API         string        // tickets, tei or cohere
	Clients     int           // concurrent clients
	Duration    time.Duration // how long to send
	MaxRequests int           // stop after this many requests in all
	Candidates  int           // texts per request
	Tickets     []data.Ticket // queries and candidates are drawn from these
	Seed        uint64
	RSS         func() (int64, bool) // resident memory reported before and after, if known
}

// Report is what one run measured.
type Report struct {
	API           string         `json:"api"`
	Clients       int            `json:"clients"`
	Candidates    int            `json:"candidates_per_request"`
	Requests      int            `json:"requests"`
	OK            int            `json:"ok"`
	Seconds       float64        `json:"seconds"`
	RequestsPerS  float64        `json:"requests_per_s"`
	PairsPerS     float64        `json:"pairs_per_s"`
	P50ms         float64        `json:"p50_ms"`
	P95ms         float64        `json:"p95_ms"`
	P99ms         float64        `json:"p99_ms"`
	Errors        map[string]int `json:"errors_by_class"`
	RSSBeforeMiB  float64        `json:"rss_before_mib,omitempty"`
	RSSAfterMiB   float64        `json:"rss_after_mib,omitempty"`
	StoppedReason string         `json:"stopped"` // "duration" or "max requests"
}

// ErrNotLoopback refuses a target off this machine.
var ErrNotLoopback = errors.New("the load test only targets loopback addresses")

// DefaultOptions are a load test's unless told otherwise: the ticket API,
// 8 concurrent clients, 20 candidates per request, for 20s or 100000
// requests. `precedent loadtest` defaults to them.
func DefaultOptions() Options {
	return Options{API: "tickets", Clients: 8, Duration: 20 * time.Second, MaxRequests: 100000, Candidates: 20}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.API == "" {
		o.API = d.API
	}
	for _, f := range []struct{ v, d *int }{{&o.Clients, &d.Clients}, {&o.MaxRequests, &d.MaxRequests}, {&o.Candidates, &d.Candidates}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if o.Duration <= 0 {
		o.Duration = d.Duration
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 60 * time.Second}
	}
	return o
}

// Run sends requests until the duration passes or MaxRequests were sent.
func Run(ctx context.Context, o Options) (Report, error) {
	o = o.withDefaults()
	u, err := url.Parse(o.URL)
	if err != nil {
		return Report{}, fmt.Errorf("load test: %w", err)
	}
	if ok, err := serve.IsLoopback(u.Host); err != nil || !ok {
		return Report{}, fmt.Errorf("load test %s: %w", o.URL, ErrNotLoopback)
	}
	if len(o.Tickets) < o.Candidates+1 {
		return Report{}, fmt.Errorf("load test: %d tickets, need at least %d", len(o.Tickets), o.Candidates+1)
	}
	path, err := pathFor(o.API)
	if err != nil {
		return Report{}, err
	}
	rep := Report{API: o.API, Clients: o.Clients, Candidates: o.Candidates, Errors: map[string]int{}}
	if o.RSS != nil {
		if b, ok := o.RSS(); ok {
			rep.RSSBeforeMiB = float64(b) / (1 << 20)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		sent      int
		wg        sync.WaitGroup
	)
	start := time.Now()
	for c := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(o.Seed, uint64(c)+1))
			for ctx.Err() == nil {
				mu.Lock()
				if sent >= o.MaxRequests {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				body := requestBody(o, r)
				t0 := time.Now()
				class := send(ctx, o, path, body)
				d := time.Since(t0)
				if class == "cancelled" {
					return // the run ended while this request was in flight: not counted
				}
				mu.Lock()
				rep.Requests++
				if class == "" {
					rep.OK++
					latencies = append(latencies, d)
				} else {
					rep.Errors[class]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Seconds = time.Since(start).Seconds()
	rep.StoppedReason = "duration"
	if sent >= o.MaxRequests {
		rep.StoppedReason = "max requests"
	}
	if rep.Seconds > 0 {
		rep.RequestsPerS = float64(rep.OK) / rep.Seconds
		rep.PairsPerS = float64(rep.OK*o.Candidates) / rep.Seconds
	}
	slices.Sort(latencies)
	rep.P50ms, rep.P95ms, rep.P99ms = pct(latencies, 0.50), pct(latencies, 0.95), pct(latencies, 0.99)
	if o.RSS != nil {
		if b, ok := o.RSS(); ok {
			rep.RSSAfterMiB = float64(b) / (1 << 20)
		}
	}
	return rep, nil
}

func pathFor(api string) (string, error) {
	switch api {
	case "tickets":
		return "/tickets/rerank", nil
	case "tei":
		return "/rerank", nil
	case "cohere":
		return "/v1/rerank", nil
	}
	return "", fmt.Errorf("load test: api %q: want tickets, tei or cohere", api)
}

// pct is the nearest-rank percentile in milliseconds.
func pct(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// requestBody draws a query and candidates from the ticket pool.
func requestBody(o Options, r *rand.Rand) []byte {
	q := o.Tickets[r.IntN(len(o.Tickets))]
	cands := make([]data.Ticket, o.Candidates)
	for i := range cands {
		cands[i] = o.Tickets[r.IntN(len(o.Tickets))]
	}
	var v any
	switch o.API {
	case "tickets":
		v = map[string]any{"query": q.Opening(), "candidates": cands}
	case "tei", "cohere":
		texts := make([]string, len(cands))
		for i, c := range cands {
			texts[i] = c.Title + "\n" + c.Description + "\n" + c.CloseNotes
		}
		query := q.Title + "\n" + q.Description
		if o.API == "tei" {
			v = map[string]any{"query": query, "texts": texts}
		} else {
			v = map[string]any{"query": query, "documents": texts}
		}
	}
	b, _ := json.Marshal(v)
	return b
}

// send returns "" for success, else the error class: the server's
// error_type, "status-NNN", "transport", or "cancelled" at the end of the run.
func send(ctx context.Context, o Options, path string, body []byte) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL+path, bytes.NewReader(body))
	if err != nil {
		return "transport"
	}
	req.Header.Set("Content-Type", "application/json")
	if o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+o.Token)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled"
		}
		return "transport"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	var e struct {
		Type string `json:"error_type"`
	}
	if json.Unmarshal(b, &e) == nil && e.Type != "" {
		return e.Type
	}
	return fmt.Sprintf("status-%d", resp.StatusCode)
}

// Text renders the report for people.
func (r Report) Text() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "load test: %d clients, %s API, %d candidates per request, %.1fs (stopped: %s)\n", r.Clients, r.API, r.Candidates, r.Seconds, r.StoppedReason)
	fmt.Fprintf(&b, "requests: %d, ok: %d; throughput %.1f requests/s, %.0f pairs/s\n", r.Requests, r.OK, r.RequestsPerS, r.PairsPerS)
	fmt.Fprintf(&b, "latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", r.P50ms, r.P95ms, r.P99ms)
	if len(r.Errors) == 0 {
		b.WriteString("errors: none\n")
	} else {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("errors:")
		for _, k := range keys {
			fmt.Fprintf(&b, " %s %d", k, r.Errors[k])
		}
		b.WriteString("\n")
	}
	if r.RSSBeforeMiB > 0 {
		fmt.Fprintf(&b, "process RSS (server and clients): %.0f MiB before, %.0f MiB after\n", r.RSSBeforeMiB, r.RSSAfterMiB)
	}
	return b.String()
}
