package bench

import (
	"runtime"
	"sync"
	"time"
)

// chainAdds is how many dependent one-cycle integer adds addChain runs per loop.
const chainAdds = 16

// measureClock returns the clock, in GHz, that every core sustains while all
// of them are busy: each core runs a chain of dependent integer adds (one per
// cycle on every x86-64 and arm64 core) and the slowest core's best of five
// is taken. /proc/cpuinfo gives the base clock in a VM, not the boost one
// the CPU runs at, and a peak from it is too low (the embed row measured
// 102% of it on a 4.2 GHz EPYC whose cpuinfo said 2.6). 0 where no chain
// is written for the architecture.
func measureClock() float64 {
	if !haveAddChain {
		return 0
	}
	cores := runtime.NumCPU()
	best := make([]float64, cores)
	var wg sync.WaitGroup
	for c := range cores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			addChain(1e6) // reach the boost clock
			const n = 1e7
			for range 5 {
				start := time.Now()
				addChain(n)
				if s := time.Since(start).Seconds(); s > 0 {
					best[c] = max(best[c], n*chainAdds/s/1e9)
				}
			}
		}()
	}
	wg.Wait()
	ghz := best[0]
	for _, b := range best {
		ghz = min(ghz, b)
	}
	return ghz
}
