package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLICAExport(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Corp Root"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	dir := t.TempDir()
	bundle := filepath.Join(dir, "corp.pem")
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	out := filepath.Join(dir, "combined.pem")

	code, stdout := capture(t, "ca", "export", "--bundle", bundle, "--out", out)
	require.Equal(t, 0, code)
	assert.Equal(t, "export SSL_CERT_FILE="+out+"\nexport REQUESTS_CA_BUNDLE="+out+"\nexport CURL_CA_BUNDLE="+out+"\nexport NODE_EXTRA_CA_CERTS="+out+"\n", stdout)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(b), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))), "the corporate root ends the combined bundle")

	code, stdout = capture(t, "ca", "check", "--bundle", bundle, "--json")
	require.Equal(t, 0, code)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Len(t, res["added"], 1)

	code, _ = capture(t, "ca", "export", "--bundle", bundle)
	assert.Equal(t, 2, code, "--out is required")
	code, _ = capture(t, "ca", "check", "--bundle", filepath.Join(dir, "missing.pem"))
	assert.Equal(t, 1, code)
}

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(f, []byte("s3cret\n"), 0o600))
	tok, err := readToken(f)
	require.NoError(t, err)
	assert.Equal(t, "s3cret", tok)
	require.NoError(t, os.Chmod(f, 0o644))
	_, err = readToken(f)
	assert.ErrorContains(t, err, "readable by others")
	t.Setenv("PRECEDENT_SERVE_TOKEN", "from-env")
	tok, err = readToken("")
	require.NoError(t, err)
	assert.Equal(t, "from-env", tok)
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = readToken(empty)
	assert.ErrorContains(t, err, "empty")
}

func TestCLIServeRefusesExposure(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	t.Setenv("PRECEDENT_SERVE_TOKEN", "")
	code, _ := capture(t, "serve", "--model", t.TempDir(), "--addr", "0.0.0.0:8088")
	assert.Equal(t, 1, code, "a non-loopback address without token and TLS is refused before loading")
}
