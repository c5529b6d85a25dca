package platform

// MallocEnvVar names the environment variable that, set to "system", leaves
// the C heap as the C library sets it up (see Malloc).
const MallocEnvVar = "PRECEDENT_MALLOC"

// MallocInfo says how the C heap of this process is set up. XLA takes every
// tensor and every step's scratch space from it.
type MallocInfo struct {
	// Tuned is true when Precedent set the heap up for XLA (glibc on Linux).
	Tuned bool
	// Note says what was set, or why nothing was, for display.
	Note string
}

// Malloc reports how the C heap was set up when the process started.
//
// On Linux with glibc, a constructor that runs before Go's runtime starts
// keeps freed blocks in one heap for reuse: one arena (M_ARENA_MAX 1), no
// block served by its own mmap (M_MMAP_MAX 0), and free memory returned to
// the system only above 1 GiB at the top of the heap (M_TRIM_THRESHOLD).
// glibc's defaults map every block over 32 MiB afresh and unmap it when it
// is freed, so each XLA step took page faults on tens of MiB of zeroed
// pages: a quarter to a third of a training step's time went to the kernel.
// ReleaseMemory hands the free memory back after a long job.
//
// Setting PRECEDENT_MALLOC=system, or glibc.malloc tunables of one's own in
// GLIBC_TUNABLES, leaves glibc's defaults.
func Malloc() MallocInfo { return mallocInfo() }

// ReleaseMemory returns the C heap's free memory to the system (glibc's
// malloc_trim) where Malloc tuned the heap; elsewhere it does nothing. Call
// it when a long job ends.
func ReleaseMemory() { releaseMemory() }
