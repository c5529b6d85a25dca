package platform

// mallocNote describes the constructor's outcome (see malloc_glibc.go).
func mallocNote(state int) MallocInfo {
	switch state {
	case 1:
		return MallocInfo{Tuned: true, Note: "glibc heap kept for reuse: 1 arena, no per-block mmap, trim above 1 GiB (" + MallocEnvVar + "=system for glibc's defaults)"}
	case 2:
		return MallocInfo{Note: "glibc defaults (" + MallocEnvVar + "=system)"}
	case 3:
		return MallocInfo{Note: "glibc defaults with the GLIBC_TUNABLES of the environment"}
	case -1:
		return MallocInfo{Note: "glibc refused the heap settings; its defaults apply"}
	default:
		return MallocInfo{Note: "the C library's defaults"}
	}
}
