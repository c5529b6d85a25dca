package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveOn starts s on a loopback listener; stop ends it and returns
// Serve's error.
func serveOn(t *testing.T, s *Server) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	var once bool
	stop = func() error {
		if once {
			return nil
		}
		once = true
		cancel()
		return <-served
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + ln.Addr().String(), stop
}

// A body that stops arriving gets 408 with a clean error, not the
// connection's "read tcp 127.0.0.1:...: i/o timeout".
func TestSlowBodyIs408(t *testing.T) {
	s, err := New(&fakeModel{}, Config{ReadTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	base, _ := serveOn(t, s)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "POST /rerank HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(body))
	assert.Contains(t, string(body), ClassRequestTimeout)
	for _, leak := range []string{"read tcp", "i/o timeout", "127.0.0.1"} {
		assert.NotContains(t, string(body), leak)
	}
}

// On shutdown /health answers 503 for DrainDelay while the listener is
// still open and requests are still scored, so a balancer sees the drain
// before connections are refused.
func TestDrainShowsUnhealthyBeforeClosing(t *testing.T) {
	s, err := New(&fakeModel{}, Config{DrainDelay: 2 * time.Second})
	require.NoError(t, err)
	base, stop := serveOn(t, s)
	get := func() int {
		resp, err := http.Get(base + "/health")
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, 200, get())
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	require.Eventually(t, func() bool { return get() == http.StatusServiceUnavailable }, 2*time.Second, 5*time.Millisecond,
		"/health shows 503 while the socket still accepts")
	resp, err := http.Post(base+"/rerank", "application/json", strings.NewReader(`{"query":"q","texts":["a"]}`))
	require.NoError(t, err, "requests are still accepted while draining")
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "and still scored")
	require.NoError(t, <-stopped)
	assert.Equal(t, -1, get(), "after the drain the listener is closed")
}

func TestMissingTLSFilesFailInNew(t *testing.T) {
	dir := t.TempDir()
	_, certFile, keyFile := writeTestCA(t, dir)
	for _, cfg := range []Config{
		{TLSCert: filepath.Join(dir, "missing.pem"), TLSKey: keyFile},
		{TLSCert: certFile, TLSKey: filepath.Join(dir, "missing.pem")},
		{TLSCert: keyFile, TLSKey: certFile},
	} {
		_, err := New(&fakeModel{}, cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	s, err := New(&fakeModel{}, Config{TLSCert: certFile, TLSKey: keyFile})
	require.NoError(t, err)
	s.Close()
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"": true, "localhost": true, "localhost:8088": true, "LOCALHOST.": true, "api.localhost:1": true,
		"127.0.0.1": true, "127.0.0.1:8088": true, "127.1.2.3": true, "[::1]:8088": true, "::1": true,
		"attacker.example": false, "attacker.example:8088": false, "10.0.0.1:8088": false, "[::]:8088": false,
		"localhost.attacker.example": false, "0.0.0.0": false,
	} {
		assert.Equal(t, want, loopbackHost(host), host)
	}
}
