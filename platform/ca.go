package platform

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ErrNoCertificates is returned when a CA bundle holds no PEM certificate.
var ErrNoCertificates = errors.New("no PEM certificates found")

// LoadCABundle reads a PEM bundle of extra root certificates (a corporate
// proxy's CA) and returns the system roots plus those certificates, with the
// subject of each certificate the bundle added. Blocks that are not
// certificates (keys, parameters) are skipped; a certificate block that does
// not parse fails the whole bundle, naming its position, so a half-broken
// bundle is never trusted silently.
func LoadCABundle(path string) (*x509.CertPool, []string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("CA bundle %s: %w", path, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool() // no system roots here (e.g. a minimal container): the bundle alone
	}
	var subjects []string
	rest := raw
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("CA bundle %s: PEM block %d: %w", path, n, err)
		}
		pool.AddCert(cert)
		subjects = append(subjects, cert.Subject.String())
	}
	if len(subjects) == 0 {
		return nil, nil, fmt.Errorf("CA bundle %s: %w (expected -----BEGIN CERTIFICATE----- blocks)", path, ErrNoCertificates)
	}
	return pool, subjects, nil
}
