package platform

import (
	"bufio"
	"context"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform/hubtest"
)

type fakeHub struct{ *hubtest.Hub }

func newFakeHub(t *testing.T, ca hubtest.CA, files map[string][]byte) fakeHub {
	return fakeHub{hubtest.NewHub(t, ca, "org/tiny", files)}
}

func (h fakeHub) download(t *testing.T, hub Hub, dir string) error {
	commit, files, err := hub.Files(context.Background(), "org/tiny", "main")
	if err != nil {
		return err
	}
	assert.Equal(t, "0123abcd", commit)
	for _, f := range files {
		if err := hub.Download(context.Background(), "org/tiny", commit, f, filepath.Join(dir, f.Name), nil); err != nil {
			return err
		}
	}
	return nil
}

func testFiles() map[string][]byte {
	w := make([]byte, 300_000)
	for i := range w {
		w[i] = byte(i * 7)
	}
	return map[string][]byte{"config.json": []byte(`{"model_type":"bert"}`), "model.safetensors": w}
}

func poolWith(t *testing.T, caPEM []byte) *x509.CertPool {
	dir := t.TempDir()
	f := filepath.Join(dir, "corp.pem")
	require.NoError(t, os.WriteFile(f, caPEM, 0o644))
	tp, err := LoadTrustPool(f, time.Now())
	require.NoError(t, err)
	return tp.Pool
}

func TestHubDownloadTLSAndCA(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	ca := hubtest.NewCA(t)
	h := newFakeHub(t, ca, testFiles())

	// Without the CA bundle: refused, saying what to do.
	err := h.download(t, Hub{Endpoint: h.Server.URL, Client: NewHTTPClient(nil)}, t.TempDir())
	require.ErrorIs(t, err, ErrUntrusted)
	assert.Contains(t, err.Error(), "--ca-bundle")
	assert.Contains(t, err.Error(), CABundleEnv)

	// With it: every file arrives and verifies.
	dir := t.TempDir()
	hub := Hub{Endpoint: h.Server.URL, Client: NewHTTPClient(poolWith(t, ca.PEM))}
	require.NoError(t, h.download(t, hub, dir))
	for name, want := range h.Files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
}

func TestHubDownloadResumes(t *testing.T) {
	ca := hubtest.NewCA(t)
	h := newFakeHub(t, ca, testFiles())
	h.CutOnce("model.safetensors")
	dir := t.TempDir()
	hub := Hub{Endpoint: h.Server.URL, Client: NewHTTPClient(poolWith(t, ca.PEM))}
	require.NoError(t, h.download(t, hub, dir))
	assert.Equal(t, int32(1), h.Ranges.Load(), "the second request resumed with Range")
	got, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	require.NoError(t, err)
	assert.Equal(t, h.Files["model.safetensors"], got)
	assert.NoFileExists(t, filepath.Join(dir, "model.safetensors.partial"))
}

func TestHubDownloadChecksumFailure(t *testing.T) {
	ca := hubtest.NewCA(t)
	for _, name := range []string{"model.safetensors", "config.json"} { // sha256 (LFS) and git blob SHA-1
		t.Run(name, func(t *testing.T) {
			h := newFakeHub(t, ca, testFiles())
			h.Corrupt(name)
			dir := t.TempDir()
			err := h.download(t, Hub{Endpoint: h.Server.URL, Client: NewHTTPClient(poolWith(t, ca.PEM))}, dir)
			require.ErrorIs(t, err, ErrChecksum)
			assert.Contains(t, err.Error(), name)
			assert.NoFileExists(t, filepath.Join(dir, name))
			assert.NoFileExists(t, filepath.Join(dir, name+".partial"), "a corrupt download is not kept")
		})
	}
}

// connectProxy is a CONNECT proxy that sends every tunnel to target and
// records the hosts asked for.
func connectProxy(t *testing.T, target string) (string, *[]string, *sync.Mutex) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var hosts []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil || req.Method != http.MethodConnect {
					return
				}
				mu.Lock()
				hosts = append(hosts, req.Host)
				mu.Unlock()
				up, err := net.DialTimeout("tcp", target, 5*time.Second)
				if err != nil {
					return
				}
				defer up.Close()
				_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &hosts, &mu
}

func TestHubThroughHTTPSProxy(t *testing.T) {
	ca := hubtest.NewCA(t)
	h := newFakeHub(t, ca, testFiles())
	proxy, hosts, mu := connectProxy(t, h.Server.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("NO_PROXY", "")
	_, port, _ := net.SplitHostPort(h.Server.Listener.Addr().String())
	// hub.test resolves nowhere: only the proxy can reach it.
	hub := Hub{Endpoint: "https://hub.test:" + port, Client: NewHTTPClient(poolWith(t, ca.PEM))}
	require.NoError(t, h.download(t, hub, t.TempDir()))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, *hosts)
	assert.Equal(t, "hub.test:"+port, (*hosts)[0])

	t.Setenv("NO_PROXY", ".test")
	err := h.download(t, Hub{Endpoint: "https://hub.test:" + port, Client: NewHTTPClient(poolWith(t, ca.PEM))}, t.TempDir())
	assert.Error(t, err, "NO_PROXY sends it direct, where hub.test does not resolve")
}

func TestNoProxy(t *testing.T) {
	e := proxyEnv{https: "http://proxy:3128", noProxy: []string{".corp.example", "10.0.0.0/8", "mirror:8443"}}
	for _, tc := range []struct {
		url   string
		proxy bool
	}{
		{"https://huggingface.co/x", true},
		{"https://a.corp.example/x", false},
		{"https://corp.example/x", false},
		{"https://10.1.2.3/x", false},
		{"https://mirror:8443/x", false},
		{"https://mirror:443/x", true},
		{"https://127.0.0.1/x", true},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		u, err := e.proxyFor(req)
		require.NoError(t, err)
		assert.Equal(t, tc.proxy, u != nil, tc.url)
	}
}

func TestParseRepoRef(t *testing.T) {
	for _, tc := range []struct{ ref, repo, rev, err string }{
		{"BAAI/bge-reranker-base", "BAAI/bge-reranker-base", "main", ""},
		{"cross-encoder/ms-marco-MiniLM-L6-v2@v1.0", "cross-encoder/ms-marco-MiniLM-L6-v2", "v1.0", ""},
		{"nope", "", "", "ORG/NAME"},
		{"../etc/passwd", "", "", "ORG/NAME"},
		{"a/b@x y", "", "", "revision"},
	} {
		repo, rev, err := ParseRepoRef(tc.ref)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.ref)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.repo, repo)
		assert.Equal(t, tc.rev, rev)
	}
}
