package platform

import (
	"os"
	"strconv"
	"strings"
)

func totalMemory() int64 {
	total := memTotal(readFile("/proc/meminfo"))
	if lim, err := strconv.ParseInt(strings.TrimSpace(readFile("/sys/fs/cgroup/memory.max")), 10, 64); err == nil && lim > 0 && (total == 0 || lim < total) {
		total = lim
	}
	return total
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// memTotal reads the MemTotal line of /proc/meminfo ("MemTotal: 16318480 kB") in bytes.
func memTotal(meminfo string) int64 {
	for _, line := range strings.Split(meminfo, "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
