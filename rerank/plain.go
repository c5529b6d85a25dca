package rerank

import (
	"fmt"
	"strings"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/pairtext"
)

// PlainText is a ticket as a retrieval pipeline (LangChain and the like)
// sends it to POST /v1/rerank, /v2/rerank or /rerank: "title.
// description", for a candidate its analysts' notes too, and with fields a
// "rule: x | user: y | host: z" line after the title. It is the one place
// that shape is written: training's plain share (RenderPlainPair) and the
// plain-text benchmark (BenchmarkPlainTextMRR) both use it.
func PlainText(t data.Ticket, notes, fields bool) string {
	parts := []string{strings.TrimSuffix(t.Title, ".") + "."}
	if fields {
		parts = append(parts, fmt.Sprintf("\nrule: %s | user: %s | host: %s\n", t.Rule, t.User, t.Host))
	}
	parts = append(parts, t.Description)
	if notes {
		parts = append(parts, t.NotesText())
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// RenderPlainPair is the model input of (query, doc) when a pipeline sends
// both as plain strings: the query as it opened and the candidate as of the
// query's opening (with its notes), each through PlainText, then what
// serving does to a plain-text pair without --lift-plain (Reranker.Render:
// only the format's ID mask). Training renders its plain share
// (TrainOptions.PlainShare in app) with it, so those examples are exactly
// what the server scores for such a request.
func RenderPlainPair(q, d data.Ticket, f pairtext.Format) (query, doc string) {
	mask := f.Mask
	if mask == nil {
		mask = func(s string) string { return s }
	}
	return mask(PlainText(q.Opening(), false, false)), mask(PlainText(d.AsOf(q.Opened), true, false))
}
