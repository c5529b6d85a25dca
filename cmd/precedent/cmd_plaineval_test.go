package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/rerank"
	"github.com/precedent/precedent/serve"
)

// BenchmarkPlainTextMRR measures, through the HTTP API, how well an export
// ranks the test window's candidates when a pipeline sends plain strings
// ("title. description", candidates with their notes as of the query's
// opening, as the ticket API shows them) to POST /v2/rerank, against the
// ticket API (POST /tickets/rerank) on the same queries and candidates:
// MRR@10 for tickets, plain text passed through, and plain text lifted into
// tickets at serve time (serve --lift-plain). It needs a project after
// `precedent demo` and its export:
//
//	PRECEDENT_PLAIN_HOME=DIR PRECEDENT_PLAIN_MODEL=EXPORT go test ./cmd/precedent -run '^$' -bench PlainTextMRR -benchtime 1x -v
//
// PRECEDENT_PLAIN_QUERIES (default 100) and PRECEDENT_PLAIN_DEPTH (default
// 20) bound the work.
func BenchmarkPlainTextMRR(b *testing.B) {
	home, model := os.Getenv("PRECEDENT_PLAIN_HOME"), os.Getenv("PRECEDENT_PLAIN_MODEL")
	if home == "" || model == "" {
		b.Skip("set PRECEDENT_PLAIN_HOME (a project after `precedent demo`) and PRECEDENT_PLAIN_MODEL (its export)")
	}
	nq, depth := envInt(b, "PRECEDENT_PLAIN_QUERIES", 100), envInt(b, "PRECEDENT_PLAIN_DEPTH", 20)
	p, err := app.Open(home)
	require.NoError(b, err)
	all, err := p.Candidates("test")
	require.NoError(b, err)
	var qcs []app.QueryCandidates
	for _, qc := range all {
		if len(qc.Relevant) > 0 {
			qcs = append(qcs, qc)
		}
	}
	require.NotEmpty(b, qcs)
	step := max(1, len(qcs)/nq)
	type query struct {
		q        data.Ticket
		cands    []data.Ticket
		relevant map[string]bool
	}
	var qs []query
	for i := 0; i < len(qcs) && len(qs) < nq; i += step {
		qc := qcs[i]
		ids := []string{qc.Query}
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			ids = append(ids, c.ID)
		}
		ts, err := p.Tickets(ids)
		require.NoError(b, err)
		rel := map[string]bool{}
		for _, id := range qc.Relevant {
			rel[id] = true
		}
		qs = append(qs, query{q: ts[0], cands: ts[1:], relevant: rel})
	}
	p.Close()

	rr := func(ranked []string, rel map[string]bool) float64 {
		for i, id := range ranked[:min(10, len(ranked))] {
			if rel[id] {
				return 1 / float64(i+1)
			}
		}
		return 0
	}
	post := func(url string, body any, out any) {
		bb, err := json.Marshal(body)
		require.NoError(b, err)
		resp, err := http.Post(url, "application/json", bytes.NewReader(bb))
		require.NoError(b, err)
		defer resp.Body.Close()
		require.Equal(b, http.StatusOK, resp.StatusCode)
		require.NoError(b, json.NewDecoder(resp.Body).Decode(out))
	}
	measure := func(lift bool) (tickets, plain, withFields float64) {
		m, err := rerank.LoadReranker(model, rerank.RerankerOptions{Precision: defaultServePrecision, LiftPlain: lift})
		require.NoError(b, err)
		s, err := serve.New(m, serve.Config{MaxTexts: 1024})
		require.NoError(b, err)
		ts := httptest.NewServer(s.Handler())
		defer func() { ts.Close(); s.Close() }()
		for _, x := range qs {
			if !lift {
				var tr serve.TicketResponse
				post(ts.URL+"/tickets/rerank", serve.TicketRequest{Query: x.q, Candidates: x.cands}, &tr)
				ids := make([]string, len(tr.Results))
				for i, r := range tr.Results {
					ids[i] = r.ID
				}
				tickets += rr(ids, x.relevant)
			}
			for _, fields := range []bool{false, true} {
				docs := make([]string, len(x.cands))
				for i, d := range x.cands {
					docs[i] = rerank.PlainText(d.AsOf(x.q.Opened), true, fields)
				}
				var cr serve.CohereResponse
				post(ts.URL+"/v2/rerank", serve.CohereV2Request{Model: "precedent", Query: rerank.PlainText(x.q, false, fields), Documents: docs}, &cr)
				ids := make([]string, len(cr.Results))
				for i, r := range cr.Results {
					ids[i] = x.cands[r.Index].ID
				}
				if fields {
					withFields += rr(ids, x.relevant)
				} else {
					plain += rr(ids, x.relevant)
				}
			}
		}
		n := float64(len(qs))
		return tickets / n, plain / n, withFields / n
	}
	for range b.N {
		tickets, plain, fields := measure(false)
		_, liftedPlain, liftedFields := measure(true)
		b.Logf("%d test queries, %d candidates each, MRR@10: ticket API %.3f", len(qs), depth, tickets)
		b.Logf("/v2/rerank \"title. description\": as sent %.3f (%.2f of tickets), lifted at serve time %.3f (%.2f)", plain, plain/tickets, liftedPlain, liftedPlain/tickets)
		b.Logf("/v2/rerank with a \"rule: | user: | host:\" line: as sent %.3f (%.2f), lifted at serve time %.3f (%.2f)", fields, fields/tickets, liftedFields, liftedFields/tickets)
		b.ReportMetric(tickets, "MRR@10-tickets")
		b.ReportMetric(plain, "MRR@10-plain")
		b.ReportMetric(liftedPlain, "MRR@10-plain-lifted")
		b.ReportMetric(fields, "MRR@10-fields")
		b.ReportMetric(liftedFields, "MRR@10-fields-lifted")
	}
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(tb, err, fmt.Sprintf("$%s", name))
	return n
}
