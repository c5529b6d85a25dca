package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
)

// infinityEnv names the folder of Infinity's venv (scripts/setup-infinity.sh).
const infinityEnv = "PRECEDENT_INFINITY"

// infinityVenv is $PRECEDENT_INFINITY, by default ~/.cache/precedent/infinity
// (under $XDG_CACHE_HOME when set), as scripts/setup-infinity.sh makes it.
func infinityVenv() string {
	if dir := os.Getenv(infinityEnv); dir != "" {
		return dir
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "precedent", "infinity")
}

// Plain-text documents for one query, none carrying a ticket ID (so serve's
// ID mask leaves them as Infinity reads them) and none with surrounding
// spaces (Infinity strips them).
const infinityQuery = "phishing mail with a credential link"

var infinityDocs = []string{
	"VPN login from a new country",
	"User reported a phishing email asking for their password; sender blocked, link quarantined",
	"Disk full on build server",
	"Phishing link clicked",
	"Malware detected on laptop by antivirus",
	"Password reset requested through the help desk",
	"Suspicious email attachment opened by finance user",
	"Firewall blocked outbound connection to known bad domain",
	"Printer offline on the third floor",
	"Credential harvesting page reported by several employees",
}

// TestInfinitySameOrder loads a `precedent export` folder, unchanged, in
// another serving engine, Infinity (infinity-emb on PyPI, torch engine on
// CPU, float32), offline, and checks that its /rerank ranks ten plain-text
// documents in the order `precedent serve` ranks them on the same folder:
// raw logits (raw_scores: true on both /rerank routes) and sigmoid scores
// (Infinity's default against serve's /v2/rerank relevance_score), each
// score within 1e-5. Infinity runs with every proxy variable pointing at a
// recording listener and, where strace works, under strace: it must open no
// connection off the machine. Needs the venv scripts/setup-infinity.sh makes
// (make infinity; make test sets it up).
func TestInfinitySameOrder(t *testing.T) {
	venv := infinityVenv()
	inf := filepath.Join(venv, "bin", "infinity_emb")
	if _, err := os.Stat(inf); err != nil {
		testenv.SkipOrFail(t, "no Infinity venv at %s (make infinity, or scripts/setup-infinity.sh, sets it up; %s moves it): %v", venv, infinityEnv, err)
	}
	home := t.TempDir()
	modelDir := needStartingModel(t, home)

	// A small export the way users make one. All six layers: cut to one or
	// two, the fresh head's logits for these documents differ by ~1e-6, too
	// little for an order to show anything.
	r := newOfflineRunner(t, home)
	self, err := os.Executable()
	require.NoError(t, err)
	cli := func(args ...string) {
		c := exec.Command(self, args...) // untraced: TestPipelineOfflineAndServe traces precedent's own steps
		c.Env = r.env
		out, err := c.CombinedOutput()
		require.NoError(t, err, "precedent %v: %s", args, out)
	}
	synth := filepath.Join(t.TempDir(), "synth")
	cli("synth", "--tickets", "500", "--out", synth, "--json")
	cli("import", filepath.Join(synth, "tickets.jsonl"), "--json")
	cli("mine", "--json")
	cli("firststage", "--k", "10", "--json")
	cli("negatives", "mine", "--json")
	cli("train", "--model", modelDir, "--max-len", "64", "--steps", "1", "--batch", "8", "--eval-every", "1",
		"--val-queries", "2", "--val-depth", "3", "--backend", "go", "--json")
	export := filepath.Join(t.TempDir(), "export")
	cli("export", "--out", export, "--json")

	// Both servers on the same folder, started together.
	servePort := freePort(t)
	srv := exec.Command(self, "serve", "--model", export, "--addr", servePort)
	srv.Env = r.env
	serveLog := &lockedBuffer{}
	srv.Stdout, srv.Stderr = serveLog, serveLog
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })

	infPort := freePort(t)
	_, port, err := net.SplitHostPort(infPort)
	require.NoError(t, err)
	work := t.TempDir()
	args := []string{inf, "v2", "--model-id", export, "--engine", "torch", "--device", "cpu", "--dtype", "float32",
		"--no-compile", "--no-bettertransformer", "--no-vector-disk-cache", "--no-model-warmup",
		"--host", "127.0.0.1", "--port", port}
	if r.strace != "" {
		trace := filepath.Join(r.traceDir, "infinity.trace")
		r.traces = append(r.traces, trace)
		args = append([]string{r.strace, "-f", "-qq", "-e", "trace=connect", "-o", trace}, args...)
	}
	infCmd := exec.Command(args[0], args[1:]...)
	infCmd.Dir = work // Infinity writes .infinity_cache into the working folder
	infCmd.Env = append(slices.Clone(r.env), "HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "DO_NOT_TRACK=1",
		"INFINITY_ANONYMOUS_USAGE_STATS=0", "HF_HOME="+filepath.Join(work, "hf"), "INFINITY_HOME="+work)
	infCmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // strace and Infinity stop together
	infLog := &lockedBuffer{}
	infCmd.Stdout, infCmd.Stderr = infLog, infLog
	started := time.Now()
	require.NoError(t, infCmd.Start())
	infDone := make(chan struct{})
	go func() { _ = infCmd.Wait(); close(infDone) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-infCmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-infDone:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-infCmd.Process.Pid, syscall.SIGKILL)
			<-infDone
		}
		if t.Failed() {
			t.Logf("infinity output:\n%s", infLog)
			t.Logf("serve output:\n%s", serveLog)
		}
	})

	serveBase, infBase := "http://"+servePort, "http://"+infPort
	// Guards, not speed checks: importing torch alone takes minutes on a
	// loaded 2-core machine.
	require.Eventually(t, func() bool { return healthy(serveBase) }, 5*time.Minute, 200*time.Millisecond, "serve did not come up: %s", serveLog)
	require.Eventually(t, func() bool {
		select {
		case <-infDone:
			return true // fails below with its output
		default:
		}
		return healthy(infBase)
	}, 10*time.Minute, 500*time.Millisecond, "Infinity did not come up: %s", infLog)
	select {
	case <-infDone:
		t.Fatalf("Infinity exited: %s", infLog)
	default:
	}
	t.Logf("Infinity up after %s", time.Since(started).Round(time.Second))

	var models struct {
		Data []struct {
			ID           string   `json:"id"`
			Backend      string   `json:"backend"`
			Capabilities []string `json:"capabilities"`
		} `json:"data"`
	}
	getJSON(t, infBase+"/models", &models)
	require.Len(t, models.Data, 1)
	assert.Contains(t, models.Data[0].Capabilities, "rerank", "Infinity loads the export as a cross-encoder")
	assert.Equal(t, "torch", models.Data[0].Backend)

	type ranked struct {
		Index int     `json:"index"`
		Score float64 `json:"relevance_score"`
	}
	var infRaw, infSig struct{ Results []ranked }
	postJSON(t, infBase+"/rerank", map[string]any{"query": infinityQuery, "documents": infinityDocs, "raw_scores": true}, &infRaw)
	postJSON(t, infBase+"/rerank", map[string]any{"query": infinityQuery, "documents": infinityDocs}, &infSig)
	var teiRaw []struct {
		Index int     `json:"index"`
		Score float64 `json:"score"`
	}
	postJSON(t, serveBase+"/rerank", map[string]any{"query": infinityQuery, "texts": infinityDocs, "raw_scores": true}, &teiRaw)
	var v2 struct{ Results []ranked }
	postJSON(t, serveBase+"/v2/rerank", map[string]any{"model": "precedent", "query": infinityQuery, "documents": infinityDocs}, &v2)

	serveRaw := make([]ranked, len(teiRaw))
	for i, x := range teiRaw {
		serveRaw[i] = ranked{x.Index, x.Score}
	}
	n := len(infinityDocs)
	require.Len(t, serveRaw, n)
	// The order means something only where neighbours are well apart.
	gap := math.Inf(1)
	for i := 1; i < n; i++ {
		gap = min(gap, serveRaw[i-1].Score-serveRaw[i].Score)
	}
	require.Greater(t, gap, 1e-4, "serve's logits for these documents are too close to compare orders: %v", serveRaw)

	order := func(rs []ranked) []int {
		out := make([]int, len(rs))
		for i, x := range rs {
			out[i] = x.Index
		}
		return out
	}
	maxDiff := func(a, b []ranked) float64 {
		byIndex := map[int]float64{}
		for _, x := range b {
			byIndex[x.Index] = x.Score
		}
		d := 0.0
		for _, x := range a {
			d = max(d, math.Abs(x.Score-byIndex[x.Index]))
		}
		return d
	}
	want := order(serveRaw)
	assert.Equal(t, want, order(infRaw.Results), "Infinity's /rerank (raw_scores) ranks as serve's /rerank")
	assert.Equal(t, want, order(v2.Results), "serve's /v2/rerank ranks as its /rerank")
	assert.Equal(t, want, order(infSig.Results), "Infinity's /rerank (sigmoid) ranks as serve")
	rawDiff, sigDiff := maxDiff(infRaw.Results, serveRaw), maxDiff(infSig.Results, v2.Results)
	assert.LessOrEqual(t, rawDiff, 1e-5, "logits")
	assert.LessOrEqual(t, sigDiff, 1e-5, "sigmoid scores")
	t.Logf("Infinity vs serve on %d documents: same order %v; max |logit difference| %.3g (/rerank raw_scores), "+
		"max |sigmoid difference| %.3g (Infinity /rerank vs serve /v2/rerank); smallest gap between neighbouring logits %.3g",
		n, slices.Equal(want, order(infRaw.Results)), rawDiff, sigDiff, gap)

	select {
	case req := <-r.proxied:
		t.Errorf("Infinity or serve went through the proxy: %q", req)
	default:
	}
	if r.strace != "" {
		// Stop Infinity first, so strace has written its whole trace.
		_ = syscall.Kill(-infCmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-infDone:
		case <-time.After(20 * time.Second):
			t.Fatal("Infinity did not stop within 20s of SIGTERM")
		}
		assert.Empty(t, r.outbound(), "Infinity's connections off the machine")
	}
}

func postJSON(t *testing.T, url string, body, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "POST %s: %s", url, rb)
	require.NoError(t, json.Unmarshal(rb, out), "POST %s: %s", url, rb)
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, rb)
	require.NoError(t, json.Unmarshal(rb, out), "GET %s: %s", url, rb)
}
