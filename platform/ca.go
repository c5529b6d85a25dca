package platform

import (
	"crypto/x509"
	"errors"
	"time"
)

// ErrNoCertificates is returned when a CA bundle holds no PEM certificate.
var ErrNoCertificates = errors.New("no PEM certificates found")

// LoadCABundle reads a PEM bundle of extra root certificates (a corporate
// proxy's CA) and returns the system roots plus those certificates, with the
// subject of each certificate the bundle added. It is LoadTrustPool without
// the warnings: blocks that are not certificates are skipped; a certificate
// block that does not parse fails the whole bundle, naming its position, so
// a half-broken bundle is never trusted silently.
func LoadCABundle(path string) (*x509.CertPool, []string, error) {
	if path == "" {
		return nil, nil, errors.New("CA bundle: no file or folder given")
	}
	tp, err := LoadTrustPool(path, time.Now())
	if err != nil {
		return nil, nil, err
	}
	subjects := make([]string, len(tp.Added))
	for i, c := range tp.Added {
		subjects[i] = c.Subject
	}
	return tp.Pool, subjects, nil
}
