//go:build !linux && !darwin

package platform

func totalMemory() int64 { return 0 }
