//go:build linux

package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// resetPeakRSS lowers the kernel's resident-set high-water mark (VmHWM) to
// the current resident set, so the next readPeakRSS reports the peak of
// what ran in between. It reports whether the reset took; without it the
// peak is the process's.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// readPeakRSS returns the resident-set high-water mark in bytes, and its
// scope: "step" after a successful reset, else "process".
func readPeakRSS(reset bool) (int64, string, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, "", fmt.Errorf("peak RSS: %w", err)
	}
	defer f.Close()
	kb, err := parseVmHWM(bufio.NewScanner(f))
	if err != nil {
		return 0, "", fmt.Errorf("peak RSS: /proc/self/status: %w", err)
	}
	scope := "process"
	if reset {
		scope = "step"
	}
	return kb * 1024, scope, nil
}

// parseVmHWM finds "VmHWM:  <n> kB" in /proc/<pid>/status and returns n.
func parseVmHWM(sc *bufio.Scanner) (int64, error) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("VmHWM line %q: want \"<n> kB\"", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmHWM line %q: %w", sc.Text(), err)
		}
		return kb, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM line")
}
