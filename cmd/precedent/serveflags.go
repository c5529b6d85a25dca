package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/precedent/precedent/serve"
)

// serveOptions are `precedent serve`'s flags, defined once: serve parses
// them, and `service install` parses the same set and writes every one into
// the unit (serviceArgs), so the service runs with exactly what was given
// and a new serve flag reaches the service without a second list.
type serveOptions struct {
	fs                                                  *flag.FlagSet
	dir, addr, backend, precision, tokenFile, cert, key *string
	maxBatch, queue, maxTexts                           *int
	maxWait, timeout, readTimeout, drainDelay           *time.Duration
	liftPlain                                           *bool
}

// defaultServePrecision is f32, so served scores equal those of the
// export's other loaders (sentence-transformers, to 1e-6); bf16 is opt-in.
const defaultServePrecision = "f32"

// servePathFlags hold files; service install makes them absolute.
var servePathFlags = map[string]bool{"model": true, "token-file": true, "tls-cert": true, "tls-key": true}

func addServeFlags(fs *flag.FlagSet) *serveOptions {
	def := serve.DefaultConfig()
	return &serveOptions{fs: fs,
		dir:         fs.String("model", "", "model folder (exported; plain Hugging Face folders are served unverified)"),
		addr:        fs.String("addr", def.Addr, "listen address"),
		backend:     fs.String("backend", "", "compute backend (default: the fastest available)"),
		precision:   fs.String("precision", defaultServePrecision, "products: f32 scores as sentence-transformers and the export's other loaders do (to 1e-6); bf16 is faster where the CPU multiplies it in hardware and differs by up to ~0.01 logit; auto picks bf16 there"),
		tokenFile:   fs.String("token-file", "", "file holding the bearer token (never pass the token itself on the command line)"),
		cert:        fs.String("tls-cert", "", "PEM certificate (chain) for HTTPS"),
		key:         fs.String("tls-key", "", "PEM private key for HTTPS"),
		maxBatch:    fs.Int("max-batch", def.MaxBatch, "pairs per model call"),
		maxWait:     fs.Duration("max-wait", def.MaxWait, "how long a batch waits for more requests"),
		queue:       fs.Int("queue", def.QueueSize, "requests waiting for the model before 429"),
		maxTexts:    fs.Int("max-texts", def.MaxTexts, "texts or candidates per request (413 above)"),
		timeout:     fs.Duration("timeout", def.RequestTimeout, "per-request deadline, queueing included (504 after it)"),
		readTimeout: fs.Duration("read-timeout", def.ReadTimeout, "time to read a request, body included (408 after it)"),
		liftPlain:   fs.Bool("lift-plain", false, "render plain-text documents and queries as tickets in the model's pair format (header fields written as \"rule: x\", entities extracted) instead of passing them through"),
		drainDelay:  fs.Duration("drain-delay", def.DrainDelay, "on SIGTERM, how long /health answers 503 while requests are still served, before the listener closes (a load balancer's checks must see it within this)"),
	}
}

// config is the server configuration the flags give, with token.
func (o *serveOptions) config(token string) serve.Config {
	return serve.Config{Addr: *o.addr, Token: token, TLSCert: *o.cert, TLSKey: *o.key, MaxBatch: *o.maxBatch, MaxWait: *o.maxWait,
		QueueSize: *o.queue, MaxTexts: *o.maxTexts, RequestTimeout: *o.timeout, ReadTimeout: *o.readTimeout, DrainDelay: *o.drainDelay}
}

// configFlags name the flag that sets each serve.Config field, for
// configError.
var configFlags = map[string]string{"Addr": "addr", "TLSCert": "tls-cert", "TLSKey": "tls-key", "MaxBatch": "max-batch", "MaxWait": "max-wait",
	"QueueSize": "queue", "MaxTexts": "max-texts", "RequestTimeout": "timeout", "ReadTimeout": "read-timeout", "DrainDelay": "drain-delay"}

// validate reports a field of cfg out of range (a *serve.OptionError) as a
// usage error naming its flag; a configuration that would expose the model
// (serve.Config.Check) fails as before, and nil passes.
func validate(f *flags, cfg serve.Config) error {
	err := cfg.Validate()
	var oe *serve.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	fmt.Fprintf(os.Stderr, "precedent %s: %s\n", f.Name(), oe.Named(func(field string) string {
		if name, ok := configFlags[field]; ok {
			return "--" + name
		}
		return field
	}))
	return errUsage
}

// serviceArgs is the `precedent serve` command line that reproduces every
// serve flag of o (paths made absolute, empty ones left out).
func (o *serveOptions) serviceArgs() ([]string, error) {
	args := []string{"serve"}
	var err error
	o.fs.VisitAll(func(f *flag.Flag) {
		if _, ours := serveFlagNames[f.Name]; !ours || err != nil {
			return
		}
		v := f.Value.String()
		if v == "" {
			return
		}
		if servePathFlags[f.Name] {
			if v, err = filepath.Abs(v); err != nil {
				err = fmt.Errorf("--%s: %w", f.Name, err)
				return
			}
		}
		args = append(args, "--"+f.Name+"="+v) // one word each: a bool flag takes no separate value
	})
	return args, err
}

// serveFlagNames are the flags addServeFlags defines.
var serveFlagNames = func() map[string]struct{} {
	fs := flag.NewFlagSet("names", flag.ContinueOnError)
	addServeFlags(fs)
	names := map[string]struct{}{}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = struct{}{} })
	return names
}()
