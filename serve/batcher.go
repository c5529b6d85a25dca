package serve

import (
	"context"
	"sync"
	"time"

	"github.com/precedent/precedent/ml/tokenizer"
)

// batcher gathers the encodings of concurrent requests into one model call:
// the first waiting request opens a batch, which closes at maxBatch pairs or
// after maxWait, whichever comes first. The queue holds at most its
// capacity of requests; submit never blocks on a full one.
type batcher struct {
	score    func(context.Context, []tokenizer.Encoding) ([]float32, error)
	maxBatch int
	maxWait  time.Duration
	onBatch  func(pairs int)

	mu     sync.RWMutex // guards closed against submit's send
	closed bool
	queue  chan *job
	done   chan struct{}
}

type job struct {
	ctx    context.Context
	encs   []tokenizer.Encoding
	result chan jobResult // buffered: the worker never waits for a client that left
}

type jobResult struct {
	scores []float32
	err    error
}

func newBatcher(score func(context.Context, []tokenizer.Encoding) ([]float32, error), maxBatch, queue int, maxWait time.Duration, onBatch func(int)) *batcher {
	b := &batcher{score: score, maxBatch: maxBatch, maxWait: maxWait, onBatch: onBatch,
		queue: make(chan *job, queue), done: make(chan struct{})}
	go b.run()
	return b
}

// depth is how many requests wait for the model.
func (b *batcher) depth() int { return len(b.queue) }

// submit queues encs and waits for their scores, the context's end, or
// refuses at once when the queue is full (errOverloaded) or closed.
func (b *batcher) submit(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error) {
	j := &job{ctx: ctx, encs: encs, result: make(chan jobResult, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return nil, errStopping
	}
	select {
	case b.queue <- j:
	default:
		b.mu.RUnlock()
		return nil, errOverloaded
	}
	b.mu.RUnlock()
	select {
	case r := <-j.result:
		return r.scores, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close stops accepting, scores what is queued, and returns when the
// worker has finished.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *batcher) run() {
	defer close(b.done)
	for first := range b.queue {
		batch := []*job{first}
		n := len(first.encs)
		timer := time.NewTimer(b.maxWait)
	gather:
		for n < b.maxBatch {
			select {
			case j, ok := <-b.queue:
				if !ok {
					break gather
				}
				batch = append(batch, j)
				n += len(j.encs)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		b.flush(batch)
	}
}

// flush scores the live jobs of a batch in one call and hands each its slice.
func (b *batcher) flush(batch []*job) {
	var encs []tokenizer.Encoding
	live := batch[:0]
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.result <- jobResult{err: err} // its client gave up or timed out: skip the work
			continue
		}
		live = append(live, j)
		encs = append(encs, j.encs...)
	}
	if len(live) == 0 {
		return
	}
	if b.onBatch != nil {
		b.onBatch(len(encs))
	}
	scores, err := b.score(context.Background(), encs)
	off := 0
	for _, j := range live {
		if err != nil {
			j.result <- jobResult{err: err}
			continue
		}
		j.result <- jobResult{scores: scores[off : off+len(j.encs)]}
		off += len(j.encs)
	}
}
