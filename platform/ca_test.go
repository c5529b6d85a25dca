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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSigned returns one PEM-encoded self-signed CA certificate named cn.
func selfSigned(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestLoadCABundle(t *testing.T) {
	two := append(selfSigned(t, "Proxy Root A"), selfSigned(t, "Proxy Root B")...)
	withKey := append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8}}), selfSigned(t, "Only Root")...)
	broken := append(selfSigned(t, "Good Root"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})...)
	tests := []struct {
		name     string
		content  []byte
		subjects []string
		errLike  string
	}{
		{"two certificates", two, []string{"CN=Proxy Root A,O=Example Corp", "CN=Proxy Root B,O=Example Corp"}, ""},
		{"non-certificate blocks skipped", withKey, []string{"CN=Only Root,O=Example Corp"}, ""},
		{"broken certificate names its block", broken, nil, "PEM block 2"},
		{"no PEM at all", []byte("hello\n"), nil, "no PEM certificates"},
		{"empty file", nil, nil, "no PEM certificates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bundle.pem")
			require.NoError(t, os.WriteFile(path, tc.content, 0o600))
			pool, subjects, err := LoadCABundle(path)
			if tc.errLike != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.errLike)
				assert.Contains(t, err.Error(), path)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, pool)
			assert.Equal(t, tc.subjects, subjects)
		})
	}
}

func TestLoadCABundleMissingFile(t *testing.T) {
	_, _, err := LoadCABundle(filepath.Join(t.TempDir(), "nope.pem"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadCABundleVerifies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bundle.pem")
	require.NoError(t, os.WriteFile(path, selfSigned(t, "Proxy Root"), 0o600))
	pool, _, err := LoadCABundle(path)
	require.NoError(t, err)
	block, _ := pem.Decode(selfSigned(t, "Other Root"))
	other, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	_, err = other.Verify(x509.VerifyOptions{Roots: pool})
	assert.Error(t, err, "a certificate the bundle does not hold must not verify")
}
