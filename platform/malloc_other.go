//go:build !linux || !cgo

package platform

func mallocInfo() MallocInfo { return mallocNote(0) }

func releaseMemory() {}
