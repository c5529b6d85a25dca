package platform

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCA is a CA and a server certificate for 127.0.0.1 and hub.test.
type testCA struct {
	caPEM []byte
	cert  tls.Certificate
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Corp TLS Inspection Root"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "hub.test"}, DNSNames: []string{"hub.test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	return testCA{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		cert: tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}}
}

// fakeHub serves a hub API for one repository over TLS.
type fakeHub struct {
	srv      *httptest.Server
	files    map[string][]byte
	corrupt  map[string]bool // serve other bytes than the metadata says
	cutOnce  map[string]bool // first download breaks half-way
	ranges   atomic.Int32    // Range requests seen
	mu       sync.Mutex
	requests []string
}

func newFakeHub(t *testing.T, ca testCA, files map[string][]byte) *fakeHub {
	h := &fakeHub{files: files, corrupt: map[string]bool{}, cutOnce: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/models/org/tiny/revision/{rev}", func(w http.ResponseWriter, r *http.Request) {
		h.log(r)
		type lfs struct {
			OID  string `json:"oid"`
			Size int    `json:"size"`
		}
		type sib struct {
			Name   string `json:"rfilename"`
			Size   int    `json:"size"`
			BlobID string `json:"blobId"`
			LFS    *lfs   `json:"lfs,omitempty"`
		}
		var sibs []sib
		for name, b := range h.files {
			s := sib{Name: name, Size: len(b)}
			if strings.HasSuffix(name, ".safetensors") {
				sum := sha256.Sum256(b)
				s.LFS = &lfs{OID: hex.EncodeToString(sum[:]), Size: len(b)}
			} else {
				g := sha1.New()
				fmt.Fprintf(g, "blob %d\x00", len(b))
				g.Write(b)
				s.BlobID = hex.EncodeToString(g.Sum(nil))
			}
			sibs = append(sibs, s)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "org/tiny", "sha": "0123abcd", "siblings": sibs})
	})
	mux.HandleFunc("GET /org/tiny/resolve/{rev}/{file}", func(w http.ResponseWriter, r *http.Request) {
		h.log(r)
		name := r.PathValue("file")
		b, ok := h.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if h.corrupt[name] {
			b = append([]byte(nil), b...)
			b[0] ^= 1
		}
		start := 0
		if rg := r.Header.Get("Range"); rg != "" {
			h.ranges.Add(1)
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			if err != nil || n >= len(b) {
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				return
			}
			start = n
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(b)-1, len(b)))
			w.Header().Set("Content-Length", strconv.Itoa(len(b)-n))
			w.WriteHeader(http.StatusPartialContent)
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		}
		h.mu.Lock()
		cut := h.cutOnce[name]
		h.cutOnce[name] = false
		h.mu.Unlock()
		if cut {
			_, _ = w.Write(b[start : start+(len(b)-start)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // the connection drops mid-file
			}
			return
		}
		_, _ = w.Write(b[start:])
	})
	h.srv = httptest.NewUnstartedServer(mux)
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.cert}}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHub) log(r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, r.Method+" "+r.URL.Path)
	h.mu.Unlock()
}

func (h *fakeHub) download(t *testing.T, hub Hub, dir string) error {
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
	ca := newTestCA(t)
	h := newFakeHub(t, ca, testFiles())

	// Without the CA bundle: refused, saying what to do.
	err := h.download(t, Hub{Endpoint: h.srv.URL, Client: NewHTTPClient(nil)}, t.TempDir())
	require.ErrorIs(t, err, ErrUntrusted)
	assert.Contains(t, err.Error(), "--ca-bundle")
	assert.Contains(t, err.Error(), CABundleEnv)

	// With it: every file arrives and verifies.
	dir := t.TempDir()
	hub := Hub{Endpoint: h.srv.URL, Client: NewHTTPClient(poolWith(t, ca.caPEM))}
	require.NoError(t, h.download(t, hub, dir))
	for name, want := range h.files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
}

func TestHubDownloadResumes(t *testing.T) {
	ca := newTestCA(t)
	h := newFakeHub(t, ca, testFiles())
	h.cutOnce["model.safetensors"] = true
	dir := t.TempDir()
	hub := Hub{Endpoint: h.srv.URL, Client: NewHTTPClient(poolWith(t, ca.caPEM))}
	require.NoError(t, h.download(t, hub, dir))
	assert.Equal(t, int32(1), h.ranges.Load(), "the second request resumed with Range")
	got, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	require.NoError(t, err)
	assert.Equal(t, h.files["model.safetensors"], got)
	assert.NoFileExists(t, filepath.Join(dir, "model.safetensors.partial"))
}

func TestHubDownloadChecksumFailure(t *testing.T) {
	ca := newTestCA(t)
	for _, name := range []string{"model.safetensors", "config.json"} { // sha256 (LFS) and git blob SHA-1
		t.Run(name, func(t *testing.T) {
			h := newFakeHub(t, ca, testFiles())
			h.corrupt[name] = true
			dir := t.TempDir()
			err := h.download(t, Hub{Endpoint: h.srv.URL, Client: NewHTTPClient(poolWith(t, ca.caPEM))}, dir)
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
	ca := newTestCA(t)
	h := newFakeHub(t, ca, testFiles())
	proxy, hosts, mu := connectProxy(t, h.srv.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("NO_PROXY", "")
	_, port, _ := net.SplitHostPort(h.srv.Listener.Addr().String())
	// hub.test resolves nowhere: only the proxy can reach it.
	hub := Hub{Endpoint: "https://hub.test:" + port, Client: NewHTTPClient(poolWith(t, ca.caPEM))}
	require.NoError(t, h.download(t, hub, t.TempDir()))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, *hosts)
	assert.Equal(t, "hub.test:"+port, (*hosts)[0])

	t.Setenv("NO_PROXY", ".test")
	err := h.download(t, Hub{Endpoint: "https://hub.test:" + port, Client: NewHTTPClient(poolWith(t, ca.caPEM))}, t.TempDir())
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
