package serve

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/precedent/precedent/rerank"
)

// topScoreBuckets bound the model's highest raw logit per ticket request.
var topScoreBuckets = []float64{-8, -6, -4, -2, -1, 0, 1, 2, 4, 6, 8}

// driftMetrics are the label-free drift signals of served ticket requests,
// the ones `precedent monitor` computes per period: the model's top score
// per query, and how many queries come from a rule the model never saw in
// training (the model card's rules; without a card nothing counts as unseen).
// A team's Prometheus sees drift between two monitor runs.
type driftMetrics struct {
	mu      sync.Mutex
	known   map[string]bool
	top     *histogram
	queries uint64
	unseen  uint64
}

func newDriftMetrics(card *rerank.ModelCard) *driftMetrics {
	d := &driftMetrics{top: newHistogram(topScoreBuckets)}
	if card != nil && len(card.Rules) > 0 {
		d.known = map[string]bool{}
		for _, r := range card.Rules {
			d.known[r] = true
		}
	}
	return d
}

// observe records one ranked ticket request.
func (d *driftMetrics) observe(rule string, scores []float32) {
	if len(scores) == 0 {
		return
	}
	top := scores[0]
	for _, s := range scores[1:] {
		top = max(top, s)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queries++
	d.top.observe(float64(top))
	if d.known != nil && !d.known[rule] {
		d.unseen++
	}
}

// write prints the signals in the Prometheus text format.
func (d *driftMetrics) write(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP precedent_top_score The model's highest raw score per ticket request (label-free drift signal).\n# TYPE precedent_top_score histogram\n")
	writeHistogram(&b, "precedent_top_score", "", d.top)
	b.WriteString("# HELP precedent_ticket_queries_total Ticket requests ranked.\n# TYPE precedent_ticket_queries_total counter\n")
	fmt.Fprintf(&b, "precedent_ticket_queries_total %d\n", d.queries)
	b.WriteString("# HELP precedent_unseen_rule_queries_total Ticket requests whose rule the model never saw in training (model card rules).\n# TYPE precedent_unseen_rule_queries_total counter\n")
	fmt.Fprintf(&b, "precedent_unseen_rule_queries_total %d\n", d.unseen)
	_, _ = io.WriteString(w, b.String())
}
