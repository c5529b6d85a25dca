//go:build !linux && !windows && !plan9

package bench

import (
	"fmt"
	"runtime"
	"syscall"
)

// resetPeakRSS cannot lower the peak outside Linux: the peak is the
// process's.
func resetPeakRSS() bool { return false }

// readPeakRSS returns getrusage's maximum resident set in bytes, scoped to
// the whole process.
func readPeakRSS(bool) (int64, string, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, "", fmt.Errorf("peak RSS: getrusage: %w", err)
	}
	peak := int64(ru.Maxrss) // bytes on macOS, kilobytes on the BSDs
	if runtime.GOOS != "darwin" {
		peak *= 1024
	}
	return peak, "process", nil
}
