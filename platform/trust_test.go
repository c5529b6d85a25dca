package platform

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
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

func certPEM(t *testing.T, cn string, isCA bool, notBefore, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter,
		IsCA: isCA, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestTrustPoolWarnings(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	good := certPEM(t, "Good Root", true, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	dir := t.TempDir()
	write := func(name string, parts ...[]byte) {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	write("a.pem", good, certPEM(t, "Old Root", true, now.AddDate(-3, 0, 0), now.AddDate(-1, 0, 0)))
	write("b.crt", certPEM(t, "Future Root", true, now.AddDate(1, 0, 0), now.AddDate(3, 0, 0)), good)
	write("c.cer", certPEM(t, "server.corp", false, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)))
	write("empty.pem")
	write("notes.txt", []byte("ignored: not a certificate file name"))

	tp, err := LoadTrustPool(dir, now)
	require.NoError(t, err)
	var names []string
	for _, c := range tp.Added {
		names = append(names, c.Subject)
	}
	assert.Equal(t, []string{"CN=Good Root", "CN=Old Root", "CN=Future Root", "CN=server.corp"}, names, "the duplicate is kept once")
	all := strings.Join(tp.Warnings, "\n")
	for _, want := range []string{"expired on 2025-06-01", "not valid before 2027-06-01", "not a CA certificate", "duplicates the certificate in " + filepath.Join(dir, "a.pem"), "empty.pem: no PEM certificate"} {
		assert.Contains(t, all, want)
	}
	assert.Len(t, tp.Warnings, 5)

	combined, err := tp.Combined()
	require.NoError(t, err)
	assert.Equal(t, len(tp.Added), strings.Count(string(combined), "BEGIN CERTIFICATE")-countSystem(tp), "user certificates follow the system roots")
}

func countSystem(tp *TrustPool) int {
	if tp.System == "" {
		return 0
	}
	b, _ := os.ReadFile(tp.System)
	return strings.Count(string(b), "BEGIN CERTIFICATE")
}

func TestTrustPoolErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err := LoadTrustPool(empty, time.Now())
	assert.ErrorIs(t, err, ErrNoCertificates)
	broken := filepath.Join(dir, "broken.pem")
	require.NoError(t, os.WriteFile(broken, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), 0o644))
	_, err = LoadTrustPool(broken, time.Now())
	assert.ErrorContains(t, err, "broken.pem: PEM block 1")
	_, err = LoadTrustPool(filepath.Join(dir, "missing.pem"), time.Now())
	assert.Error(t, err)
	tp, err := LoadTrustPool("", time.Now())
	require.NoError(t, err)
	assert.Empty(t, tp.Added)
}

func TestEnvLines(t *testing.T) {
	assert.Equal(t, []string{
		"export SSL_CERT_FILE=/etc/corp/bundle.pem",
		"export REQUESTS_CA_BUNDLE=/etc/corp/bundle.pem",
		"export CURL_CA_BUNDLE=/etc/corp/bundle.pem",
		"export NODE_EXTRA_CA_CERTS=/etc/corp/bundle.pem",
	}, EnvLines("/etc/corp/bundle.pem"))
	assert.Equal(t, "export SSL_CERT_FILE='/My Certs/it'\\''s.pem'", EnvLines("/My Certs/it's.pem")[0])
}
