package serve

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// metrics holds the counters GET /metrics exposes in Prometheus' text format.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // route, code
	errors   map[string]uint64    // class
	latency  map[string]*histogram
	batch    *histogram
	queue    func() int
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
var batchBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}

type histogram struct {
	bounds []float64
	counts []uint64 // per bound, not cumulative; one more for +Inf
	sum    float64
	n      uint64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

func newMetrics(queue func() int) *metrics {
	return &metrics{requests: map[[2]string]uint64{}, errors: map[string]uint64{}, latency: map[string]*histogram{},
		batch: newHistogram(batchBuckets), queue: queue}
}

func (m *metrics) request(route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, strconv.Itoa(code)}]++
	h := m.latency[route]
	if h == nil {
		h = newHistogram(latencyBuckets)
		m.latency[route] = h
	}
	h.observe(d.Seconds())
}

func (m *metrics) error(class string) {
	m.mu.Lock()
	m.errors[class]++
	m.mu.Unlock()
}

func (m *metrics) batchSize(n int) {
	m.mu.Lock()
	m.batch.observe(float64(n))
	m.mu.Unlock()
}

// write prints every metric in the Prometheus text exposition format 0.0.4.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP precedent_requests_total HTTP requests by route and status code.\n# TYPE precedent_requests_total counter\n")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c [2]string) int { return strings.Compare(a[0]+" "+a[1], c[0]+" "+c[1]) })
	for _, k := range keys {
		fmt.Fprintf(&b, "precedent_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	b.WriteString("# HELP precedent_errors_total Error responses by class.\n# TYPE precedent_errors_total counter\n")
	for _, c := range []string{ClassValidation, ClassTooLarge, ClassUnauthorized, ClassForbidden, ClassOverloaded, ClassUnhealthy, ClassTimeout,
		ClassRequestTimeout, ClassBadRequest, ClassBackend, ClassNotFound, ClassMethod} {
		fmt.Fprintf(&b, "precedent_errors_total{class=%q} %d\n", c, m.errors[c])
	}
	b.WriteString("# HELP precedent_request_duration_seconds Request latency by route.\n# TYPE precedent_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	for _, r := range routes {
		writeHistogram(&b, "precedent_request_duration_seconds", fmt.Sprintf("route=%q,", r), m.latency[r])
	}
	b.WriteString("# HELP precedent_batch_size Pairs per dynamic batch sent to the model.\n# TYPE precedent_batch_size histogram\n")
	writeHistogram(&b, "precedent_batch_size", "", m.batch)
	b.WriteString("# HELP precedent_queue_depth Requests waiting for the model.\n# TYPE precedent_queue_depth gauge\n")
	fmt.Fprintf(&b, "precedent_queue_depth %d\n", m.queue())
	_, _ = io.WriteString(w, b.String())
}

func writeHistogram(b *strings.Builder, name, labels string, h *histogram) {
	var cum uint64
	for i, le := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(b, "%s_bucket{%sle=%q} %d\n", name, labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	cum += h.counts[len(h.bounds)]
	fmt.Fprintf(b, "%s_bucket{%sle=\"+Inf\"} %d\n", name, labels, cum)
	l := strings.TrimSuffix(labels, ",")
	if l != "" {
		l = "{" + l + "}"
	}
	fmt.Fprintf(b, "%s_sum%s %g\n%s_count%s %d\n", name, l, h.sum, name, l, h.n)
}
