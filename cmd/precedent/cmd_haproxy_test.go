package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/internal/testenv"
)

// The scale-out set-up of deploy/haproxy.cfg, on loopback: `precedent
// serve` replicas (this test binary run as the CLI) behind Debian's HAProxy
// with the shipped file, unchanged.

// replica is one `precedent serve` child process.
type replica struct {
	addr   string
	cmd    *exec.Cmd
	waited chan error
	stderr *bytes.Buffer
}

// haproxyAssets returns the haproxy binary and a model to serve, or stops
// the test (a skip, or a failure under PRECEDENT_REQUIRE_ASSETS=1).
func haproxyAssets(tb testing.TB) (haproxy, model string) {
	tb.Helper()
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		testenv.SkipOrFail(tb, "haproxy not installed (scripts/install-deps.sh installs Debian's package)")
	}
	p, err := app.Open(tb.TempDir())
	require.NoError(tb, err)
	model, err = p.ResolveModel("")
	p.Close()
	if err != nil {
		testenv.SkipOrFail(tb, "no starting model to serve: %v", err)
	}
	return haproxy, model
}

// startReplica runs serve on addr; cpu >= 0 pins it to that core with one
// Go thread and single-threaded XLA.
func startReplica(tb testing.TB, model, addr string, cpu int, drain time.Duration) *replica {
	tb.Helper()
	self, err := os.Executable()
	require.NoError(tb, err)
	args := []string{self, "serve", "--model", model, "--addr", addr, "--max-batch", "8", "--drain-delay", drain.String()}
	env := append(os.Environ(), "PRECEDENT_TEST_MAIN=1")
	if cpu >= 0 {
		args = append([]string{"taskset", "-c", fmt.Sprint(cpu)}, args...)
		env = append(env, "GOMAXPROCS=1", "XLA_FLAGS=--xla_cpu_multi_thread_eigen=false")
	}
	r := &replica{addr: addr, cmd: exec.Command(args[0], args[1:]...), waited: make(chan error, 1), stderr: &bytes.Buffer{}}
	r.cmd.Env = env
	r.cmd.Stderr = r.stderr
	require.NoError(tb, r.cmd.Start())
	go func() { r.waited <- r.cmd.Wait() }()
	tb.Cleanup(func() { _ = r.cmd.Process.Kill() }) // only when the test stopped before it did
	require.Eventually(tb, func() bool { return healthy("http://" + addr) }, 3*time.Minute, 200*time.Millisecond,
		"replica %s did not come up: %s", addr, r.stderr)
	// One request compiles the load's batch shape before the balancer sends any.
	resp, err := http.Post("http://"+addr+"/rerank", "application/json", strings.NewReader(rerankBody))
	require.NoError(tb, err)
	resp.Body.Close()
	require.Equal(tb, http.StatusOK, resp.StatusCode)
	return r
}

// stop sends SIGTERM (to serve itself, under taskset too: taskset execs)
// and waits for a clean exit.
func (r *replica) stop(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, r.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-r.waited:
		require.NoError(tb, err, "serve exits cleanly on SIGTERM: %s", r.stderr)
	case <-time.After(60 * time.Second):
		tb.Fatalf("replica %s did not stop within 60s of SIGTERM", r.addr)
	}
}

func healthy(base string) bool {
	resp, err := http.Get(base + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// lockedBuffer is a bytes.Buffer a child process writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startHAProxy runs deploy/haproxy.cfg in the foreground with lb in front
// of the replicas; it returns HAProxy's log (server state changes).
func startHAProxy(tb testing.TB, haproxy, lb, r1, r2 string) *lockedBuffer {
	tb.Helper()
	cfg, err := filepath.Abs(filepath.Join("..", "..", "deploy", "haproxy.cfg"))
	require.NoError(tb, err)
	c := exec.Command(haproxy, "-db", "-f", cfg)
	c.Env = append(os.Environ(), "PRECEDENT_LB_ADDR="+lb, "PRECEDENT_REPLICA1="+r1, "PRECEDENT_REPLICA2="+r2)
	out := &lockedBuffer{}
	c.Stdout, c.Stderr = out, out
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("haproxy output: %s", out)
		}
	})
	require.NoError(tb, c.Start())
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = c.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = c.Process.Kill()
		}
	})
	require.Eventually(tb, func() bool { return healthy("http://" + lb) }, 30*time.Second, 100*time.Millisecond, "haproxy: %s", out)
	return out
}

const rerankBody = `{"query":"phishing mail with a credential link","texts":["User reported a phishing email asking for their password; sender blocked","Disk full on build server","VPN login from a new country","Phishing link clicked by finance user","Malware beacon to a known C2 domain","Password spray against the VPN portal","Mailbox rule forwarding to an outside address","USB device blocked on a workstation"]}`

// loadResult counts a bounded load run's answers.
type loadResult struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	failures   []string
}

// load sends rerank requests from clients goroutines until ctx ends or max
// requests were sent; wait returns when all have been answered.
func load(ctx context.Context, url string, clients int, max int64) (res *loadResult, wait func()) {
	res = &loadResult{}
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && sent.Add(1) <= max {
				resp, err := http.Post(url+"/rerank", "application/json", strings.NewReader(rerankBody))
				if err != nil {
					res.fail(err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					res.fail(fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b)))
					continue
				}
				res.ok.Add(1)
			}
		}()
	}
	return res, wg.Wait
}

func (r *loadResult) fail(s string) {
	r.failed.Add(1)
	r.mu.Lock()
	if len(r.failures) < 10 {
		r.failures = append(r.failures, s)
	}
	r.mu.Unlock()
}

// requestsServed reads a replica's count of 200 answers to POST /rerank.
func requestsServed(tb testing.TB, addr string) int {
	tb.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	const prefix = `precedent_requests_total{route="POST /rerank",code="200"} `
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			var n int
			_, err := fmt.Sscan(v, &n)
			require.NoError(tb, err, line)
			return n
		}
	}
	return 0
}

// TestHAProxyRollingRestart restarts one of two replicas behind HAProxy
// under bounded load (4 clients, at most 3000 requests): SIGTERM → /health
// 503 for the drain delay → HAProxy's checks take it out → the listener
// closes → exit; then a new process on the same port comes up and HAProxy
// sends it requests again. No request may fail.
func TestHAProxyRollingRestart(t *testing.T) {
	haproxy, model := haproxyAssets(t)
	a1, a2, lb := freePort(t), freePort(t), freePort(t)
	drain := 4 * time.Second // > 2 failed checks at 1s (deploy/haproxy.cfg) plus one interval
	r1 := startReplica(t, model, a1, -1, drain)
	r2 := startReplica(t, model, a2, -1, drain)
	hlog := startHAProxy(t, haproxy, lb, a1, a2)
	time.Sleep(2500 * time.Millisecond) // rise 2 at 1s: both replicas in rotation

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, wait := load(ctx, "http://"+lb, 4, 20000)
	time.Sleep(2 * time.Second)
	r1.stop(t)
	assert.Contains(t, hlog.String(), "replica1 is DOWN, reason: Layer7 wrong status, code: 503",
		"HAProxy took the replica out on its draining /health, before the socket closed")
	before := requestsServed(t, a2)
	r1 = startReplica(t, model, a1, -1, drain)
	assert.Eventually(t, func() bool { return requestsServed(t, a1) > 0 }, 30*time.Second, 100*time.Millisecond,
		"HAProxy sends requests to the restarted replica (load so far: %d ok, %d failed)", res.ok.Load(), res.failed.Load())
	time.Sleep(2 * time.Second)
	cancel()
	wait()
	t.Logf("rolling restart: %d requests answered 200, %d failed; replica 2 served %d while replica 1 restarted, replica 1 served %d after",
		res.ok.Load(), res.failed.Load(), requestsServed(t, a2)-before, requestsServed(t, a1))
	assert.Zero(t, res.failed.Load(), "lost requests: %v", res.failures)
	assert.Positive(t, res.ok.Load())
	r1.stop(t)
	r2.stop(t)
}

// BenchmarkHAProxyScaleOut measures, in one run, the rerank throughput of
// one one-core replica and of two one-core replicas behind HAProxy (each
// pinned with taskset to its own core, one Go thread, single-threaded XLA),
// with the same 4 clients for the same time, and reports the ratio. The
// clients and HAProxy share the same cores, so on a 2-core machine the
// ratio is a floor, not the engine's scaling.
//
//	go test ./cmd/precedent -run '^$' -bench HAProxyScaleOut -benchtime 1x -v
func BenchmarkHAProxyScaleOut(b *testing.B) {
	haproxy, model := haproxyAssets(b)
	const clients, window = 4, 20 * time.Second
	a1, a2 := freePort(b), freePort(b)
	r1 := startReplica(b, model, a1, 0, time.Second)
	r2 := startReplica(b, model, a2, 1, time.Second)
	measure := func(name, s1, s2 string) float64 {
		lb := freePort(b)
		startHAProxy(b, haproxy, lb, s1, s2)
		time.Sleep(2500 * time.Millisecond) // both server lines in rotation
		warm, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, wait := load(warm, "http://"+lb, clients, 1<<30)
		wait()
		cancel()
		ctx, cancel := context.WithTimeout(context.Background(), window)
		defer cancel()
		start := time.Now()
		res, wait := load(ctx, "http://"+lb, clients, 1<<30)
		wait()
		rate := float64(res.ok.Load()) / time.Since(start).Seconds()
		require.Zero(b, res.failed.Load(), "%v", res.failures)
		b.Logf("%s: %d requests (8 pairs each) in %.1fs, %.2f requests/s", name, res.ok.Load(), time.Since(start).Seconds(), rate)
		return rate
	}
	for range b.N {
		one := measure("1 replica (core 0)", a1, a1) // both server lines on the one replica: the same HAProxy path
		two := measure("2 replicas (cores 0 and 1)", a1, a2)
		b.Logf("throughput ratio, 2 one-core replicas / 1: %.2f", two/one)
		b.ReportMetric(one, "req/s-1-replica")
		b.ReportMetric(two, "req/s-2-replicas")
		b.ReportMetric(two/one, "ratio")
	}
	r1.stop(b)
	r2.stop(b)
}
