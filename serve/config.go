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

// Config configures a Server; zero values take DefaultConfig's, but for
// DrainDelay, where zero is none (Validate says which values are out of
// range).
type Config struct {
	Addr           string        // listen address
	Token          string        // bearer token; "" = no authentication (loopback only)
	TLSCert        string        // PEM certificate file; with TLSKey, serve HTTPS
	TLSKey         string        // PEM key file
	MaxBatch       int           // pairs per model call
	MaxWait        time.Duration // how long a batch waits for company
	QueueSize      int           // requests waiting for the model before 429
	MaxTexts       int           // texts or candidates per request
	MaxBodyBytes   int64         // request body limit
	RequestTimeout time.Duration // per request, queueing included
	ReadTimeout    time.Duration // to read a request, body included; 408 after it
	DrainDelay     time.Duration // on shutdown, how long /health answers 503 while requests are still served (0: none)
	ShutdownGrace  time.Duration // how long shutdown waits for requests in flight
}

// DefaultAddr is where Precedent serves unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8088"

// DefaultConfig is how `precedent serve` (and the service it installs)
// serves unless told otherwise: on DefaultAddr, batches of up to 64 pairs
// waiting 5ms for company, 64 requests queued, 256 texts and 4 MiB per
// request, 30s to read and to answer one, 30s for requests in flight at
// shutdown, and a 5s drain before it (a load balancer's health checks
// must see the 503 within it). A zero DrainDelay is none, so a server
// built from a zero Config, as in tests, stops at once.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, MaxBatch: 64, MaxWait: 5 * time.Millisecond, QueueSize: 64, MaxTexts: 256, MaxBodyBytes: 4 << 20,
		RequestTimeout: 30 * time.Second, ReadTimeout: 30 * time.Second, DrainDelay: 5 * time.Second, ShutdownGrace: 30 * time.Second}
}

// ErrExposed refuses a non-loopback address without a token and TLS.
var ErrExposed = errors.New("a non-loopback address needs a bearer token and TLS")

// OptionError is a Config field out of range, as Validate reports it.
type OptionError struct {
	Field string // the Config field, e.g. "MaxBatch"
	Value any    // the value refused
	Want  string // what the field accepts
}

func (e *OptionError) Error() string { return e.Named(func(field string) string { return field }) }

// Named is the message with the field named name(Field), e.g. its flag.
func (e *OptionError) Named(name func(field string) string) string {
	return fmt.Sprintf("%s %v: want %s", name(e.Field), e.Value, e.Want)
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	for _, f := range []struct{ v, d *int }{{&c.MaxBatch, &d.MaxBatch}, {&c.QueueSize, &d.QueueSize}, {&c.MaxTexts, &d.MaxTexts}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	for _, f := range []struct{ v, d *time.Duration }{{&c.MaxWait, &d.MaxWait}, {&c.RequestTimeout, &d.RequestTimeout},
		{&c.ReadTimeout, &d.ReadTimeout}, {&c.ShutdownGrace, &d.ShutdownGrace}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	return c
}

// Validate says which field is out of range (an *OptionError naming it),
// then whether the configuration would expose the model unprotected
// (Check), or returns nil. Zero values are valid: they take
// DefaultConfig's (DrainDelay: none). New refuses what it refuses.
func (c Config) Validate() error {
	d := DefaultConfig()
	for _, f := range []struct {
		field string
		ok    bool
		value any
		want  string
	}{
		{"MaxBatch", c.MaxBatch >= 0, c.MaxBatch, fmt.Sprintf("pairs per model call, 1 or more (0 = %d)", d.MaxBatch)},
		{"MaxWait", c.MaxWait >= 0, c.MaxWait, fmt.Sprintf("a duration, 0 or more (0 = %s)", d.MaxWait)},
		{"QueueSize", c.QueueSize >= 0, c.QueueSize, fmt.Sprintf("requests, 1 or more (0 = %d)", d.QueueSize)},
		{"MaxTexts", c.MaxTexts >= 0, c.MaxTexts, fmt.Sprintf("texts per request, 1 or more (0 = %d)", d.MaxTexts)},
		{"MaxBodyBytes", c.MaxBodyBytes >= 0, c.MaxBodyBytes, fmt.Sprintf("bytes, 1 or more (0 = %d)", d.MaxBodyBytes)},
		{"RequestTimeout", c.RequestTimeout >= 0, c.RequestTimeout, fmt.Sprintf("a duration, 0 or more (0 = %s)", d.RequestTimeout)},
		{"ReadTimeout", c.ReadTimeout >= 0, c.ReadTimeout, fmt.Sprintf("a duration, 0 or more (0 = %s)", d.ReadTimeout)},
		{"DrainDelay", c.DrainDelay >= 0, c.DrainDelay, "a duration, 0 (none) or more"},
		{"ShutdownGrace", c.ShutdownGrace >= 0, c.ShutdownGrace, fmt.Sprintf("a duration, 0 or more (0 = %s)", d.ShutdownGrace)},
	} {
		if !f.ok {
			return &OptionError{Field: f.field, Value: f.value, Want: f.want}
		}
	}
	return c.Check()
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
