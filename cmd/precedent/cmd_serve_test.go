package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/platform"
	"github.com/precedent/precedent/rerank"
)

// TestMain lets tests run this test binary as the precedent CLI in a child
// process (PRECEDENT_TEST_MAIN=1), so a child can be traced.
func TestMain(m *testing.M) {
	if os.Getenv("PRECEDENT_TEST_MAIN") == "1" {
		if addr := os.Getenv("PRECEDENT_TEST_UDP_CONNECT"); addr != "" {
			// For TestOutboundDetector: a UDP connect(2) to a documentation
			// address, which the trace must flag; UDP connect sends nothing.
			if c, err := net.Dial("udp", addr); err == nil {
				c.Close()
			}
		}
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// offlineRunner runs CLI steps as child processes with every proxy variable
// pointing at a local listener that records connections, and, when strace
// is installed, traces every connect(2) of the child and its threads.
type offlineRunner struct {
	t        *testing.T
	env      []string
	traces   []string
	proxied  chan string
	strace   string
	traceDir string
}

// needStartingModel is the starting model a project at home resolves (the
// bundled MiniLM), with a working tokenizer library; without either the
// test skips, or fails under PRECEDENT_REQUIRE_ASSETS=1.
func needStartingModel(tb testing.TB, home string) string {
	tb.Helper()
	p, err := app.Open(home)
	require.NoError(tb, err)
	modelDir, err := p.ResolveModel("")
	p.Close()
	if err != nil {
		testenv.SkipOrFail(tb, "no starting model: %v", err)
	}
	if _, err := tokenizer.Load(filepath.Join(modelDir, "tokenizer.json")); err != nil {
		testenv.SkipOrFail(tb, "tokenizer library not available: %v", err)
	}
	return modelDir
}

func newOfflineRunner(t *testing.T, home string) *offlineRunner {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	r := &offlineRunner{t: t, proxied: make(chan string, 64), traceDir: t.TempDir()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			select {
			case r.proxied <- strings.TrimSpace(line):
			default:
			}
			c.Close()
		}
	}()
	proxy := "http://" + ln.Addr().String()
	r.env = append(os.Environ(), "PRECEDENT_TEST_MAIN=1", "PRECEDENT_HOME="+home,
		"HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "ALL_PROXY="+proxy, "http_proxy="+proxy, "https_proxy="+proxy, "NO_PROXY=", "no_proxy=")
	if p, err := exec.LookPath("strace"); err != nil {
		t.Log("strace not installed: only proxied connections are checked")
	} else if out, err := exec.Command(p, "-f", "-qq", "-e", "trace=connect", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		t.Logf("strace cannot trace here (%v: %s): only proxied connections are checked", err, bytes.TrimSpace(out))
	} else {
		r.strace = p
	}
	return r
}

func (r *offlineRunner) cmd(args ...string) *exec.Cmd {
	self, err := os.Executable()
	require.NoError(r.t, err)
	var c *exec.Cmd
	if r.strace != "" {
		trace := filepath.Join(r.traceDir, fmt.Sprintf("%02d-%s.trace", len(r.traces), args[0]))
		r.traces = append(r.traces, trace)
		c = exec.Command(r.strace, append([]string{"-f", "-qq", "-e", "trace=connect", "-o", trace, self}, args...)...)
	} else {
		c = exec.Command(self, args...)
	}
	c.Env = r.env
	return c
}

// run runs one step to completion and returns its stdout.
func (r *offlineRunner) run(args ...string) string {
	c := r.cmd(args...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	require.NoError(r.t, err, "precedent %s: %s", strings.Join(args, " "), stderr.String())
	return string(out)
}

// tracee is the process strace runs for pid (pid itself without strace).
func (r *offlineRunner) tracee(pid int) int {
	if r.strace == "" {
		return pid
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	require.NoError(r.t, err)
	var child int
	_, err = fmt.Sscan(string(b), &child)
	require.NoError(r.t, err, "strace %d has no child", pid)
	return child
}

var connectRE = regexp.MustCompile(`connect\(\d+, \{sa_family=(AF_INET6?), (.*?)\}`)

// outbound lists the traced connects to anything but loopback.
func (r *offlineRunner) outbound() []string {
	var bad []string
	for _, f := range r.traces {
		b, err := os.ReadFile(f)
		require.NoError(r.t, err)
		for _, line := range strings.Split(string(b), "\n") {
			m := connectRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if strings.Contains(m[2], `inet_addr("127.`) || strings.Contains(m[2], `"::1"`) {
				continue
			}
			bad = append(bad, filepath.Base(f)+": "+line)
		}
	}
	return bad
}

// TestOutboundDetector proves the trace check catches a connection off the
// machine (a UDP connect to 192.0.2.1, which puts nothing on the wire).
func TestOutboundDetector(t *testing.T) {
	r := newOfflineRunner(t, t.TempDir())
	if r.strace == "" {
		t.Skip("strace not installed")
	}
	r.env = append(r.env, "PRECEDENT_TEST_UDP_CONNECT=192.0.2.1:9")
	c := r.cmd("stats", "--help")
	_ = c.Run()
	bad := r.outbound()
	require.Len(t, bad, 1)
	assert.Contains(t, bad[0], "192.0.2.1")
}

// TestPipelineOfflineAndServe runs import → mine → first stage → negatives →
// train → eval → export → serve as child processes and proves none opens a
// connection off the machine; then checks the served scores against
// `precedent pairtext`, and the scores serve gives at its default precision
// against sentence-transformers when the reference venv
// (scripts/setup-pyref.sh) exists.
func TestPipelineOfflineAndServe(t *testing.T) {
	home := t.TempDir()
	modelDir := needStartingModel(t, home)
	r := newOfflineRunner(t, home)
	synth := filepath.Join(t.TempDir(), "synth")
	r.run("synth", "--tickets", "500", "--out", synth, "--json")
	r.run("import", filepath.Join(synth, "tickets.jsonl"), "--json")
	r.run("mine", "--json")
	r.run("firststage", "--k", "10", "--json")
	r.run("negatives", "mine", "--json")
	r.run("train", "--model", modelDir, "--layers", "1", "--max-len", "96", "--steps", "3", "--batch", "8", "--eval-every", "3",
		"--val-queries", "4", "--val-depth", "5", "--backend", "go", "--json")
	r.run("eval", "--max-queries", "4", "--depth", "5", "--permutations", "100", "--bootstrap", "50", "--backend", "go", "--no-baseline", "--json")
	export := filepath.Join(t.TempDir(), "export")
	r.run("export", "--out", export, "--json")

	// A fixed set of pairs: the latest ticket against earlier ones that cite IDs.
	ids := pickPairs(t, filepath.Join(synth, "tickets.jsonl"), 8)
	var pt struct {
		Pairs []rerank.PairInput `json:"pairs"`
	}
	pairsJSON := r.run(append([]string{"pairtext", "--model", export, "--score", "--backend", "go", "--json"}, ids...)...)
	require.NoError(t, json.Unmarshal([]byte(pairsJSON), &pt), pairsJSON)
	require.Len(t, pt.Pairs, len(ids)-1)
	masked := 0
	for _, pi := range pt.Pairs {
		if strings.Contains(pi.DocText, "[ID]") {
			masked++
		}
	}
	assert.Positive(t, masked, "cited ticket IDs are masked as in training")

	// Serve, and score the same pairs through the ticket API.
	port := freePort(t)
	srv := r.cmd("serve", "--model", export, "--addr", port, "--backend", "go")
	var serr bytes.Buffer
	srv.Stderr = &serr
	require.NoError(t, srv.Start())
	waited := make(chan error, 1)
	go func() { waited <- srv.Wait() }()
	base := "http://" + port
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 5*time.Minute, 100*time.Millisecond, "serve did not come up: %s", &serr) // a guard: under strace and load, loading and compiling took over 60 s once
	p, err := app.Open(home)
	require.NoError(t, err)
	ts, err := p.Tickets(ids)
	p.Close()
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]any{"query": ts[0], "candidates": ts[1:]})
	resp, err := http.Post(base+"/tickets/rerank", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(rb))
	var tr struct {
		Results []struct {
			ID    string
			Score float32
		}
	}
	require.NoError(t, json.Unmarshal(rb, &tr))
	want := map[string]float32{}
	for _, pi := range pt.Pairs {
		want[pi.Candidate] = *pi.Score
	}
	require.Len(t, tr.Results, len(want))
	served := map[string]float32{}
	for _, res := range tr.Results {
		assert.InDelta(t, want[res.ID], res.Score, 1e-5, "served score of %s equals pairtext's", res.ID)
		served[res.ID] = res.Score
	}
	// serve's default precision is f32: the served scores themselves go to the
	// sentence-transformers check below.
	resp, err = http.Get(base + "/info")
	require.NoError(t, err)
	var info struct {
		Model struct{ Precision string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	resp.Body.Close()
	assert.True(t, strings.HasPrefix(info.Model.Precision, "f32"), "serve's default precision: %q", info.Model.Precision)
	servedPairs := make([]rerank.PairInput, len(pt.Pairs))
	for i, pi := range pt.Pairs {
		sc := served[pi.Candidate]
		servedPairs[i] = pi
		servedPairs[i].Score = &sc
	}
	servedJSON, err := json.Marshal(map[string]any{"pairs": servedPairs})
	require.NoError(t, err)
	// TEI shape with JSON tickets as texts: the same pairs, the same raw scores.
	texts := make([]string, len(ts)-1)
	for i, d := range ts[1:] {
		b, _ := json.Marshal(d)
		texts[i] = string(b)
	}
	qb, _ := json.Marshal(ts[0])
	body, _ = json.Marshal(map[string]any{"query": string(qb), "texts": texts, "raw_scores": true})
	resp, err = http.Post(base+"/rerank", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	rb, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(rb))
	var tei []struct {
		Index int
		Score float64
	}
	require.NoError(t, json.Unmarshal(rb, &tei))
	for _, x := range tei {
		assert.InDelta(t, float64(want[ts[1+x.Index].ID]), x.Score, 1e-5)
	}
	t.Cleanup(func() { _ = srv.Process.Kill() }) // only if the test failed before it stopped
	require.NoError(t, syscall.Kill(r.tracee(srv.Process.Pid), syscall.SIGTERM))
	select {
	case err := <-waited:
		require.NoError(t, err, "serve exits cleanly on SIGTERM: %s", &serr)
	case <-time.After(30 * time.Second):
		_ = srv.Process.Kill()
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}

	select {
	case req := <-r.proxied:
		t.Errorf("a step went through the proxy: %q", req)
	default:
	}
	assert.Empty(t, r.outbound(), "connections off the machine")
	if r.strace != "" {
		assert.NotEmpty(t, r.traces)
	}

	checkSentenceTransformers(t, export, string(servedJSON))
}

// checkSentenceTransformers loads the export with sentence-transformers'
// CrossEncoder (scripts/check_export_st.py) and compares its scores with
// Precedent's, when the reference venv exists.
func checkSentenceTransformers(t *testing.T, export, pairsJSON string) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	py := platform.PyRefPython()
	if _, err := os.Stat(py); err != nil {
		if testenv.AssetsRequired() || os.Getenv("PRECEDENT_REQUIRE_PYREF") == "1" {
			t.Fatalf("sentence-transformers check: no venv at %s (make pyref sets it up)", py)
		}
		t.Logf("SKIP sentence-transformers check: no venv at %s; make pyref sets it up (PRECEDENT_REQUIRE_ASSETS=1 makes this fail)", py)
		return
	}
	pairs := filepath.Join(t.TempDir(), "pairs.json")
	require.NoError(t, os.WriteFile(pairs, []byte(pairsJSON), 0o644))
	// A guard, not a speed check: importing torch alone takes minutes on a
	// loaded 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, py, filepath.Join(root, "scripts", "check_export_st.py"), "--model", export, "--pairs", pairs)
	c.Env = append(os.Environ(), "HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	t.Logf("sentence-transformers check: %s", bytes.TrimSpace(out))
	require.NoError(t, err, "%s", stderr.String())
	var res struct {
		MaxAbsDiff      float64 `json:"max_abs_diff"`
		TokenMismatches int     `json:"token_mismatches"`
	}
	require.NoError(t, json.Unmarshal(out, &res))
	assert.LessOrEqual(t, res.MaxAbsDiff, 1e-4)
	assert.Zero(t, res.TokenMismatches)
}

// pickPairs returns the latest ticket's ID, then n earlier tickets whose
// close notes cite an ID.
func pickPairs(t *testing.T, jsonl string, n int) []string {
	b, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	type tk struct {
		ID     string    `json:"id"`
		Opened time.Time `json:"opened"`
		Notes  string    `json:"close_notes"`
	}
	var ts []tk
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var x tk
		require.NoError(t, json.Unmarshal([]byte(line), &x))
		ts = append(ts, x)
	}
	latest := 0
	for i, x := range ts {
		if x.Opened.After(ts[latest].Opened) {
			latest = i
		}
	}
	ids := []string{ts[latest].ID}
	for i := len(ts) - 1; i >= 0 && len(ids) <= n; i-- {
		if i != latest && strings.Contains(ts[i].Notes, "INC") {
			ids = append(ids, ts[i].ID)
		}
	}
	require.Len(t, ids, n+1)
	return ids
}

func freePort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
