package platform

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// NewHTTPClient is the one HTTP client Precedent uses to reach another
// machine (only `precedent model pull` does): it trusts pool (nil = the
// system roots) and goes through the proxy the environment names
// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, upper or lower case), read when the
// client is made. Unlike Go's default it proxies loopback hosts too unless
// NO_PROXY lists them, as curl does.
func NewHTTPClient(pool *x509.CertPool) *http.Client {
	env := proxyEnvNow()
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 env.proxyFor,
			TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          4,
		},
	}
}

type proxyEnv struct {
	https, http string
	noProxy     []string
}

func getenvAny(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func proxyEnvNow() proxyEnv {
	e := proxyEnv{https: getenvAny("HTTPS_PROXY", "https_proxy"), http: getenvAny("HTTP_PROXY", "http_proxy")}
	for _, s := range strings.Split(getenvAny("NO_PROXY", "no_proxy"), ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			e.noProxy = append(e.noProxy, s)
		}
	}
	return e
}

func (e proxyEnv) proxyFor(r *http.Request) (*url.URL, error) {
	raw := e.http
	if r.URL.Scheme == "https" {
		raw = e.https
	}
	if raw == "" || e.bypass(r.URL) {
		return nil, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("proxy %q from the environment is not a URL", raw)
	}
	return u, nil
}

// bypass applies NO_PROXY: "*", a host, a domain suffix (".corp" or
// "corp"), host:port, an IP, or a CIDR block.
func (e proxyEnv) bypass(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	ip := net.ParseIP(host)
	for _, n := range e.noProxy {
		if n == "*" {
			return true
		}
		if _, cidr, err := net.ParseCIDR(n); err == nil {
			if ip != nil && cidr.Contains(ip) {
				return true
			}
			continue
		}
		h, p, err := net.SplitHostPort(n)
		if err != nil {
			h, p = n, ""
		}
		if p != "" && p != port {
			continue
		}
		h = strings.TrimPrefix(h, "*")
		if host == strings.TrimPrefix(h, ".") || strings.HasSuffix(host, "."+strings.TrimPrefix(h, ".")) {
			return true
		}
	}
	return false
}

// ErrUntrusted marks a TLS failure because no trusted authority signed the
// server's certificate — on a corporate network, usually a TLS-inspecting
// proxy whose root is not in the trust pool.
var ErrUntrusted = errors.New("the server's certificate is not signed by a trusted authority")

// ExplainTLS turns an unknown-authority failure into ErrUntrusted with what
// to do; other errors come back unchanged.
func ExplainTLS(err error) error {
	var ua x509.UnknownAuthorityError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &ua) || (errors.As(err, &cv) && errors.As(cv.Err, &ua)) {
		return fmt.Errorf("%w (%v): if a proxy inspects TLS on this network, give its root certificate with --ca-bundle FILE "+
			"or %s=FILE (a PEM file or a folder of them; `precedent ca export` checks it)", ErrUntrusted, err, CABundleEnv)
	}
	return err
}
