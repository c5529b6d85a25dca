package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// PhysicalCores returns the number of physical CPU cores, the thread count
// that ONNX Runtime's intra-op pool runs best with (hyper-threads share a
// core's vector units). On Linux it counts distinct (package, core) pairs
// in sysfs; elsewhere, and when sysfs cannot be read, it returns
// runtime.NumCPU() (Apple silicon has no SMT, so the two agree there).
func PhysicalCores() int {
	if runtime.GOOS == "linux" {
		if n := sysfsCores("/sys/devices/system/cpu"); n > 0 {
			return min(n, runtime.NumCPU())
		}
	}
	return runtime.NumCPU()
}

// sysfsCores counts the distinct (physical_package_id, core_id) pairs of
// root/cpu*/topology, or returns 0.
func sysfsCores(root string) int {
	dirs, _ := filepath.Glob(filepath.Join(root, "cpu[0-9]*", "topology"))
	seen := map[string]bool{}
	for _, d := range dirs {
		pkg, err1 := os.ReadFile(filepath.Join(d, "physical_package_id"))
		core, err2 := os.ReadFile(filepath.Join(d, "core_id"))
		if err1 != nil || err2 != nil {
			return 0
		}
		seen[strings.TrimSpace(string(pkg))+"/"+strings.TrimSpace(string(core))] = true
	}
	return len(seen)
}
