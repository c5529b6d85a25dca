package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/precedent/precedent/platform"
)

// Job is one piece of background work: cancellable, observable, waited on.
type Job struct {
	Name   string
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Cancel asks the job to stop; steps stop at their next safe point and leave
// what they did resumable.
func (j *Job) Cancel() { j.cancel() }

// Wait blocks until the job ends and returns its error.
func (j *Job) Wait() error { <-j.done; return j.err }

// Done is closed when the job ends.
func (j *Job) Done() <-chan struct{} { return j.done }

// Jobs runs at most one job per name at a time.
type Jobs struct {
	mu      sync.Mutex
	running map[string]*Job
}

// Start runs fn in the background under name; it fails if a job of that name
// is still running.
func (js *Jobs) Start(parent context.Context, name string, fn func(ctx context.Context) error) (*Job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.running == nil {
		js.running = map[string]*Job{}
	}
	if _, ok := js.running[name]; ok {
		return nil, fmt.Errorf("%s is already running", name)
	}
	ctx, cancel := context.WithCancel(parent)
	j := &Job{Name: name, cancel: cancel, done: make(chan struct{})}
	js.running[name] = j
	go func() {
		defer close(j.done)
		defer cancel()
		j.err = fn(ctx)
		js.mu.Lock()
		delete(js.running, name)
		idle := len(js.running) == 0
		js.mu.Unlock()
		if idle {
			// The C heap keeps freed tensors for the next step's reuse
			// (platform.Malloc); with no job left, give them back.
			platform.ReleaseMemory()
		}
	}()
	return j, nil
}

// Running lists the names of the jobs still running.
func (js *Jobs) Running() []string {
	js.mu.Lock()
	defer js.mu.Unlock()
	var out []string
	for n := range js.running {
		out = append(out, n)
	}
	return out
}

// CancelAll cancels every running job and waits for them to end.
func (js *Jobs) CancelAll() {
	js.mu.Lock()
	jobs := make([]*Job, 0, len(js.running))
	for _, j := range js.running {
		jobs = append(jobs, j)
	}
	js.mu.Unlock()
	for _, j := range jobs {
		j.Cancel()
		_ = j.Wait()
	}
}
