package platform

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// CABundleEnv names the environment variable with the user's extra CA
// bundle (a PEM file or a folder of them); the Makefile's set-up reads it too.
const CABundleEnv = "PRECEDENT_CA_BUNDLE"

// TrustPool is what Precedent trusts for TLS: the system roots plus the
// certificates of a user-given PEM bundle (a corporate proxy's root).
type TrustPool struct {
	Pool     *x509.CertPool
	Added    []TrustedCert // the user's certificates, in file order, duplicates dropped
	Warnings []string      // expired, not yet valid, not a CA, duplicate, empty file
	System   string        // the system bundle file read for Combined ("" when none was found)

	userPEM   []byte
	systemPEM []byte
}

// TrustedCert is one certificate the user's bundle added.
type TrustedCert struct {
	Subject  string
	File     string
	NotAfter time.Time
}

// systemBundles are where operating systems keep their root bundle as PEM.
var systemBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+
	"/etc/ssl/cert.pem",                                 // macOS, Alpine, BSD
}

// LoadTrustPool builds the pool from the system roots and the PEM
// certificates under path (a file, or every .pem/.crt/.cer file of a
// folder; "" = none). Problems that leave the pool usable — an expired,
// not-yet-valid or non-CA certificate, a duplicate, a file with no
// certificate — are warnings; a file that cannot be read or a
// certificate block that does not parse is an error naming the file and
// block, so a half-broken bundle is never trusted silently.
func LoadTrustPool(path string, now time.Time) (*TrustPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	tp := &TrustPool{Pool: pool}
	if path == "" {
		return tp, nil
	}
	files, err := bundleFiles(path)
	if err != nil {
		return nil, err
	}
	seen := map[[32]byte]string{}
	var out bytes.Buffer
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("CA bundle %s: %w", f, err)
		}
		n, rest := 0, raw
		for block := 1; ; block++ {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			n++
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("CA bundle %s: PEM block %d: %w", f, block, err)
			}
			name := cert.Subject.String()
			sum := sha256.Sum256(cert.Raw)
			if prev, dup := seen[sum]; dup {
				tp.Warnings = append(tp.Warnings, fmt.Sprintf("%s: %q duplicates the certificate in %s; kept once", f, name, prev))
				continue
			}
			seen[sum] = f
			switch {
			case now.After(cert.NotAfter):
				tp.Warnings = append(tp.Warnings, fmt.Sprintf("%s: %q expired on %s; TLS through it will fail", f, name, cert.NotAfter.Format(time.DateOnly)))
			case now.Before(cert.NotBefore):
				tp.Warnings = append(tp.Warnings, fmt.Sprintf("%s: %q is not valid before %s (check the clock)", f, name, cert.NotBefore.Format(time.DateOnly)))
			}
			if !cert.IsCA {
				tp.Warnings = append(tp.Warnings, fmt.Sprintf("%s: %q is not a CA certificate (a server's own certificate?); it cannot sign others", f, name))
			}
			pool.AddCert(cert)
			tp.Added = append(tp.Added, TrustedCert{Subject: name, File: f, NotAfter: cert.NotAfter})
			_ = pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		}
		if n == 0 {
			tp.Warnings = append(tp.Warnings, fmt.Sprintf("%s: no PEM certificate in this file (expected -----BEGIN CERTIFICATE----- blocks)", f))
		}
	}
	if len(tp.Added) == 0 {
		return nil, fmt.Errorf("CA bundle %s: %w", path, ErrNoCertificates)
	}
	tp.userPEM = out.Bytes()
	return tp, nil
}

// bundleFiles is path itself, or the certificate files of a folder, sorted.
func bundleFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".pem", ".crt", ".cer":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("CA bundle %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("CA bundle %s: no .pem, .crt or .cer file in this folder", path)
	}
	slices.Sort(files)
	return files, nil
}

// Combined is one PEM bundle with the system roots (read from the system's
// bundle file, when there is one) and then the user's certificates: what
// tools that take a single CA file (Python requests, curl, pip) need.
func (tp *TrustPool) Combined() ([]byte, error) {
	if tp.systemPEM == nil {
		for _, f := range systemBundles {
			if b, err := os.ReadFile(f); err == nil && len(b) > 0 {
				tp.systemPEM, tp.System = b, f
				break
			}
		}
	}
	if tp.systemPEM == nil && len(tp.userPEM) == 0 {
		return nil, errors.New("no system CA bundle found and no user certificate given")
	}
	var b bytes.Buffer
	b.Write(tp.systemPEM)
	if len(tp.systemPEM) > 0 && !bytes.HasSuffix(tp.systemPEM, []byte("\n")) {
		b.WriteByte('\n')
	}
	b.Write(tp.userPEM)
	return b.Bytes(), nil
}

// EnvLines are the shell lines that make other tools trust bundle (an
// absolute path): OpenSSL-based tools and Go, Python requests, curl, Node.
func EnvLines(bundle string) []string {
	return []string{
		"export SSL_CERT_FILE=" + shellQuote(bundle),
		"export REQUESTS_CA_BUNDLE=" + shellQuote(bundle),
		"export CURL_CA_BUNDLE=" + shellQuote(bundle),
		"export NODE_EXTRA_CA_CERTS=" + shellQuote(bundle),
	}
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == '+' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
