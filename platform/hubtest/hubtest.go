// Package hubtest serves a fake Hugging Face hub over TLS on loopback, signed
// by a certificate authority made for the test, for tests of model pulls
// through trust pools and proxies.
package hubtest

import (
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
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// CA is a test certificate authority and a server certificate it signed
// for 127.0.0.1 and hub.test.
type CA struct {
	PEM  []byte // the CA certificate, to put in a trust bundle
	Cert tls.Certificate
}

// NewCA makes a CA valid for an hour around now.
func NewCA(t testing.TB) CA {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Corp TLS Inspection Root"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	must(err)
	caCert, err := x509.ParseCertificate(caDER)
	must(err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "hub.test"}, DNSNames: []string{"hub.test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	must(err)
	return CA{PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Cert: tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}}
}

// Hub serves one repository (Repo, at commit Commit) with the hub's API:
// GET /api/models/REPO/revision/REV (files with sizes, lfs.oid sha256 for
// .safetensors, git blob IDs for the rest) and GET /REPO/resolve/REV/FILE
// with Range support.
type Hub struct {
	Repo, Commit string
	Files        map[string][]byte
	Server       *httptest.Server
	Ranges       atomic.Int32 // Range requests answered

	mu      sync.Mutex
	corrupt map[string]bool
	cutOnce map[string]bool
}

// NewHub starts the hub over TLS with ca's server certificate; it stops
// when the test ends.
func NewHub(t testing.TB, ca CA, repo string, files map[string][]byte) *Hub {
	h := &Hub{Repo: repo, Commit: "0123abcd", Files: files, corrupt: map[string]bool{}, cutOnce: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/models/"+repo+"/revision/{rev}", h.meta)
	mux.HandleFunc("GET /"+repo+"/resolve/{rev}/{file}", h.resolve)
	h.Server = httptest.NewUnstartedServer(mux)
	h.Server.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Cert}}
	h.Server.StartTLS()
	t.Cleanup(h.Server.Close)
	return h
}

// Corrupt makes the hub serve other bytes for name than its metadata says.
func (h *Hub) Corrupt(name string) { h.mu.Lock(); h.corrupt[name] = true; h.mu.Unlock() }

// CutOnce makes the next download of name break half-way.
func (h *Hub) CutOnce(name string) { h.mu.Lock(); h.cutOnce[name] = true; h.mu.Unlock() }

// Port is the port the hub listens on (at 127.0.0.1).
func (h *Hub) Port() string {
	_, port, _ := net.SplitHostPort(h.Server.Listener.Addr().String())
	return port
}

func (h *Hub) meta(w http.ResponseWriter, r *http.Request) {
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
	for name, b := range h.Files {
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
	_ = json.NewEncoder(w).Encode(map[string]any{"id": h.Repo, "sha": h.Commit, "siblings": sibs})
}

func (h *Hub) resolve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := h.Files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	corrupt, cut := h.corrupt[name], h.cutOnce[name]
	h.cutOnce[name] = false
	h.mu.Unlock()
	if corrupt {
		b = append([]byte(nil), b...)
		b[0] ^= 1
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" {
		h.Ranges.Add(1)
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
	if cut {
		_, _ = w.Write(b[start : start+(len(b)-start)/2])
		w.(http.Flusher).Flush()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close() // the connection drops mid-file
		}
		return
	}
	_, _ = w.Write(b[start:])
}
