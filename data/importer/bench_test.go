package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data/store"
	"github.com/stretchr/testify/require"
)

// writeServiceNowCSV writes n ServiceNow-style rows of about 1 KB each.
func writeServiceNowCSV(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	require.NoError(tb, err)
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	require.NoError(tb, w.Write(strings.Split(snowHeader, ",")))
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("login failed user account host process powershell encoded command " +
		"network connection outbound dns query suspicious domain blocked quarantined analyst reviewed " +
		"benign expected maintenance window travel vpn mfa reset password phishing mail attachment macro")
	text := func(nw int) string {
		var b strings.Builder
		for i := range nw {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		opened := start.Add(time.Duration(i)*17*time.Minute + time.Duration(rng.IntN(600))*time.Second)
		closed := opened.Add(time.Duration(5+rng.IntN(3000)) * time.Minute)
		require.NoError(tb, w.Write([]string{
			fmt.Sprintf("INC%07d", 10000+i),
			opened.Format(time.DateTime), closed.Format(time.DateTime),
			fmt.Sprintf("Rule %03d", rng.IntN(180)),
			fmt.Sprintf("%d - %s", 1+rng.IntN(4), "High"),
			fmt.Sprintf("srv-%04d", rng.IntN(5000)),
			fmt.Sprintf("user%05d", rng.IntN(20000)),
			text(8),
			text(70) + "\n" + text(20),
			text(50) + fmt.Sprintf(" see INC%07d", 10000+rng.IntN(i+1)),
		}))
	}
	w.Flush()
	require.NoError(tb, w.Error())
	require.NoError(tb, bw.Flush())
}

// BenchmarkImport140k imports a 140,000-row ServiceNow CSV into a fresh
// store; the target is under 30 s on 2 cores.
func BenchmarkImport140k(b *testing.B) {
	const rows = 140_000
	dir := b.TempDir()
	path := filepath.Join(dir, "archive.csv")
	writeServiceNowCSV(b, path, rows)
	fi, err := os.Stat(path)
	require.NoError(b, err)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(filepath.Join(dir, fmt.Sprintf("store-%d", i)))
		require.NoError(b, err)
		b.StartTimer()
		rep, err := ImportFile(context.Background(), st, path, Options{})
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, rows, rep.Added)
		require.NoError(b, st.Close())
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkTicketsByOpened140k loads a 140,000-ticket store the way the
// pipeline does.
func BenchmarkTicketsByOpened140k(b *testing.B) {
	const rows = 140_000
	dir := b.TempDir()
	path := filepath.Join(dir, "archive.csv")
	writeServiceNowCSV(b, path, rows)
	st, err := store.Open(filepath.Join(dir, "store"))
	require.NoError(b, err)
	defer st.Close()
	_, err = ImportFile(context.Background(), st, path, Options{})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts, err := st.TicketsByOpened()
		require.NoError(b, err)
		require.Len(b, ts, rows)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// writeJiraJSONL writes n Jira REST issues, one per line, of about 2 KB
// each: nested fields, a comments list with times, issue links.
func writeJiraJSONL(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	require.NoError(tb, err)
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields("login failed user account host process powershell encoded command " +
		"network connection outbound dns query suspicious domain blocked quarantined analyst reviewed " +
		"benign expected maintenance window travel vpn mfa reset password phishing mail attachment macro")
	text := func(nw int) string {
		var b strings.Builder
		for i := range nw {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	const jiraTime = "2006-01-02T15:04:05.000-0700"
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		opened := start.Add(time.Duration(i)*17*time.Minute + time.Duration(rng.IntN(600))*time.Second)
		closed := opened.Add(time.Duration(30+rng.IntN(3000)) * time.Minute)
		c1 := opened.Add(10 * time.Minute)
		fmt.Fprintf(bw, `{"expand":"renderedFields,names","id":"%d","self":"https://jira.example.com/rest/api/2/issue/%d","key":"SOC-%d","fields":{`+
			`"issuetype":{"id":"10004","name":"Incident","subtask":false},"project":{"id":"10000","key":"SOC","name":"Security Operations"},`+
			`"created":%q,"updated":%q,"resolutiondate":%q,"summary":%q,"description":%q,"priority":{"id":"2","name":"P%d"},`+
			`"labels":["rule-%03d","soc"],"components":[{"id":"1","name":"Rule %03d"}],"reporter":{"name":"bot","displayName":"SIEM"},`+
			`"assignee":{"name":"a%d","displayName":"Analyst %d"},"status":{"name":"Done"},"resolution":{"name":"Done"},"customfield_10042":"srv-%04d",`+
			`"issuelinks":[{"type":{"name":"Relates"},"outwardIssue":{"key":"SOC-%d"}}],`+
			`"comment":{"comments":[{"author":{"displayName":"Analyst %d"},"body":%q,"created":%q},{"author":{"displayName":"Analyst %d"},"body":%q,"created":%q}],"total":2}}}`+"\n",
			10000+i, 10000+i, i+1,
			opened.Format(jiraTime), closed.Format(jiraTime), closed.Format(jiraTime), text(8), text(90), 1+rng.IntN(4),
			rng.IntN(180), rng.IntN(180), rng.IntN(40), rng.IntN(40), rng.IntN(5000),
			1+rng.IntN(i+1),
			rng.IntN(40), text(30), c1.Format(jiraTime), rng.IntN(40), text(40)+fmt.Sprintf(" see SOC-%d", 1+rng.IntN(i+1)), closed.Format(jiraTime))
	}
	require.NoError(tb, bw.Flush())
}

// BenchmarkImportNestedJSONL140k imports a 140,000-issue Jira REST JSONL
// export (nested fields, comments, links) into a fresh store with
// auto-detection; the target is under 30 s on 2 cores.
func BenchmarkImportNestedJSONL140k(b *testing.B) {
	const rows = 140_000
	dir := b.TempDir()
	path := filepath.Join(dir, "jira.jsonl")
	writeJiraJSONL(b, path, rows)
	fi, err := os.Stat(path)
	require.NoError(b, err)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(filepath.Join(dir, fmt.Sprintf("store-%d", i)))
		require.NoError(b, err)
		b.StartTimer()
		rep, err := ImportFile(context.Background(), st, path, Options{})
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, rows, rep.Added, "mapping %s rejects %v", rep.Mapping, rep.Rejects)
		require.Equal(b, 2*rows, rep.Comments)
		require.NoError(b, st.Close())
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "tickets/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/import")
}
