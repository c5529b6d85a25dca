package retrieve

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

func workers(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return max(n, 1)
}

// parallel splits [0, n) into contiguous chunks over w goroutines.
func parallel(n, w int, f func(lo, hi int)) {
	if n == 0 {
		return
	}
	w = min(w, n)
	var wg sync.WaitGroup
	for i := range w {
		lo, hi := i*n/w, (i+1)*n/w
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// batch runs item i of n on w goroutines, each with its own state made by
// newWorker; it stops early when ctx ends and reports progress roughly every
// 1% from one goroutine at a time.
func batch(ctx context.Context, n, w int, progress func(done, total int), newWorker func() func(i int)) error {
	var next, done atomic.Int64
	var mu sync.Mutex
	reported := 0
	step := int64(max(n/100, 1))
	var wg sync.WaitGroup
	for range min(w, max(n, 1)) {
		wg.Go(func() {
			run := newWorker()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				run(int(i))
				if d := done.Add(1); progress != nil && (d%step == 0 || d == int64(n)) {
					mu.Lock()
					if int(d) > reported { // keep reports monotonic
						reported = int(d)
						progress(reported, n)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}
