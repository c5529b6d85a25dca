package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/precedent/precedent/data/synth"
	"github.com/precedent/precedent/platform"
	"github.com/precedent/precedent/rerank"
	"github.com/precedent/precedent/serve"
	"github.com/precedent/precedent/serve/loadtest"
)

func init() {
	register(command{"loadtest", "serve a model on loopback and load it with N clients for a bounded time (throughput, p50/p95/p99, errors, RSS)", cmdLoadtest})
}

func cmdLoadtest(ctx context.Context, args []string) error {
	f := newFlags("loadtest", "--model DIR [flags]",
		"Starts `precedent serve` in this process on 127.0.0.1 (a free port), sends requests built from the\n"+
			"synthetic archive's tickets with N concurrent clients until the duration or the request count is\n"+
			"reached, and prints throughput, latency percentiles, errors by class and the process's RSS before\n"+
			"(model loaded, --warmup of the same load done) and after.", 0, 0)
	dir := f.String("model", "", "exported model folder")
	backendName := f.String("backend", "", "compute backend (default: the fastest available)")
	def, server := loadtest.DefaultOptions(), serve.DefaultConfig()
	o := def
	f.StringVar(&o.API, "api", def.API, "API to load: tickets, tei or cohere")
	f.IntVar(&o.Clients, "clients", def.Clients, "concurrent clients")
	f.DurationVar(&o.Duration, "duration", def.Duration, "how long to send requests")
	f.IntVar(&o.MaxRequests, "requests", def.MaxRequests, "stop after this many requests")
	f.IntVar(&o.Candidates, "candidates", def.Candidates, "candidates (texts) per request")
	maxBatch := f.Int("max-batch", server.MaxBatch, "server: pairs per model call")
	maxWait := f.Duration("max-wait", server.MaxWait, "server: how long a batch waits for more requests")
	queue := f.Int("queue", server.QueueSize, "server: requests waiting before 429")
	warmup := f.Duration("warmup", 10*time.Second, "load before measuring, so every batch shape is compiled (RSS before is taken after it)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "precedent loadtest: --model is required")
		return errUsage
	}
	cfg := serve.Config{MaxBatch: *maxBatch, MaxWait: *maxWait, QueueSize: *queue, MaxTexts: max(server.MaxTexts, o.Candidates)}
	if err := validate(f, cfg); err != nil {
		return err
	}
	arch, err := synth.Generate(synth.Config{Tickets: 2000, Seed: 7})
	if err != nil {
		return err
	}
	o.Tickets = arch.Tickets
	m, err := rerank.LoadReranker(*dir, rerank.RerankerOptions{Runtime: processRuntime(), Backend: *backendName, Batch: min(*maxBatch, 64)})
	if err != nil {
		return err
	}
	if err := m.Warmup(ctx); err != nil { // compile the full-batch shape before the first request
		m.Close()
		return err
	}
	s, err := serve.New(m, cfg)
	if err != nil {
		m.Close()
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return err
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(sctx, ln) }()
	o.URL = "http://" + ln.Addr().String()
	o.RSS = platform.RSS

	warm := o
	warm.Duration, warm.RSS = *warmup, nil
	if _, err := loadtest.Run(ctx, warm); err != nil {
		stop()
		<-served
		return err
	}
	runtime.GC()
	rep, err := loadtest.Run(ctx, o)
	stop()
	if serr := <-served; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if f.json() {
		return printJSON(map[string]any{"report": rep, "backend": m.Info().Backend, "cpus": runtime.NumCPU()})
	}
	fmt.Print(rep.Text())
	fmt.Printf("backend: %s, %d CPUs\n", m.Info().Backend, runtime.NumCPU())
	return nil
}
