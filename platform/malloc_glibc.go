//go:build linux && cgo

package platform

/*
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// 1: tuned; 0: not glibc; 2: PRECEDENT_MALLOC=system; 3: user's GLIBC_TUNABLES; -1: mallopt refused.
static int precedent_malloc_state = 0;

// Runs when the executable is loaded, before Go's runtime starts a thread,
// so that every thread's allocations share the one arena.
__attribute__((constructor)) static void precedent_tune_malloc(void) {
#if defined(__GLIBC__)
	const char *mode = getenv("PRECEDENT_MALLOC");
	if (mode != NULL && strcmp(mode, "system") == 0) {
		precedent_malloc_state = 2;
		return;
	}
	const char *tunables = getenv("GLIBC_TUNABLES");
	if (tunables != NULL && strstr(tunables, "glibc.malloc.") != NULL) {
		precedent_malloc_state = 3;
		return;
	}
	int ok = mallopt(M_ARENA_MAX, 1);
	ok = mallopt(M_MMAP_MAX, 0) && ok;
	ok = mallopt(M_TRIM_THRESHOLD, 1 << 30) && ok;
	precedent_malloc_state = ok ? 1 : -1;
#endif
}

static int precedent_malloc_get(void) { return precedent_malloc_state; }

static void precedent_malloc_release(void) {
#if defined(__GLIBC__)
	if (precedent_malloc_state == 1) {
		malloc_trim(0);
	}
#endif
}
*/
import "C"

func mallocInfo() MallocInfo {
	return mallocNote(int(C.precedent_malloc_get()))
}

func releaseMemory() { C.precedent_malloc_release() }
