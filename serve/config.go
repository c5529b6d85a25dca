package serve

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Config configures a Server; zero values take the defaults below.
type Config struct {
	Addr           string        // listen address (default 127.0.0.1:8088)
	Token          string        // bearer token; "" = no authentication (loopback only)
	TLSCert        string        // PEM certificate file; with TLSKey, serve HTTPS
	TLSKey         string        // PEM key file
	MaxBatch       int           // pairs per model call (default 64)
	MaxWait        time.Duration // how long a batch waits for company (default 5ms)
	QueueSize      int           // requests waiting for the model before 429 (default 64)
	MaxTexts       int           // texts or candidates per request (default 256)
	MaxBodyBytes   int64         // request body limit (default 4 MiB)
	RequestTimeout time.Duration // per request, queueing included (default 30s)
	ReadTimeout    time.Duration // to read a request, body included; 408 after it (default 30s)
	DrainDelay     time.Duration // on shutdown, how long /health answers 503 while requests are still served (0: none)
	ShutdownGrace  time.Duration // how long shutdown waits for requests in flight (default 30s)
}

// DefaultAddr is where Precedent serves unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8088"

// ErrExposed refuses a non-loopback address without a token and TLS.
var ErrExposed = errors.New("a non-loopback address needs a bearer token and TLS")

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxBatch, 64)
	def(&c.QueueSize, 64)
	def(&c.MaxTexts, 256)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 4 << 20
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 5 * time.Millisecond
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	return c
}

// Check refuses a configuration that would expose the model unprotected:
// any address but loopback needs both a token and a certificate, and a
// certificate needs its key.
func (c Config) Check() error {
	c = c.withDefaults()
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	loop, err := IsLoopback(c.Addr)
	if err != nil {
		return err
	}
	if !loop && (c.Token == "" || c.TLSCert == "") {
		return fmt.Errorf("listen address %s: %w (give --token-file or $%s, and --tls-cert/--tls-key)", c.Addr, ErrExposed, TokenEnv)
	}
	return nil
}

// TokenEnv names the environment variable that may hold the bearer token.
const TokenEnv = "PRECEDENT_SERVE_TOKEN"

// IsLoopback reports whether a listen address only accepts local
// connections: localhost or a loopback IP. An empty host means every
// interface, which is not loopback.
func IsLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false, nil // a host name may resolve anywhere
	}
	return ip.IsLoopback(), nil
}

// TLSConfig loads the certificate and key (nil, nil without them), so a
// missing or unreadable file fails here, before anything listens. TLS 1.2
// is the oldest version offered.
func (c Config) TLSConfig() (*tls.Config, error) {
	if c.TLSCert == "" && c.TLSKey == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate and key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// loopbackHost reports whether a request's Host names this machine:
// localhost (or a name under .localhost) or a loopback IP, with or without
// a port. A token-less server answers only these, so a web page whose DNS
// name was rebound to 127.0.0.1 cannot reach it through a browser. An empty
// Host (HTTP/1.0, some health checkers) is not a browser's and is allowed.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
