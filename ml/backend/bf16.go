package backend

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// cpuBF16 says whether this CPU multiplies bfloat16 in hardware
// (AVX512-BF16 or AMX-BF16), and names the instructions.
func cpuBF16() (bool, string) {
	if runtime.GOARCH != "amd64" {
		return false, ""
	}
	switch {
	case cpu.X86.HasAMXBF16:
		return true, "AMX-BF16"
	case cpu.X86.HasAVX512BF16:
		return true, "AVX512-BF16"
	}
	return false, ""
}

// bf16Note fills info.FastBF16 and says why, for an XLA backend on plugin.
// Only the XLA CPU plugin on a CPU with bfloat16 instructions is known
// (measured) to run bfloat16 products faster; elsewhere float32 stays the
// default until measured.
func bf16Note(info *Info, plugin string) {
	if plugin != "cpu" {
		info.BF16Note = "bfloat16 not measured on XLA " + plugin + ": float32"
		return
	}
	if ok, what := cpuBF16(); ok {
		info.FastBF16 = true
		info.BF16Note = "the CPU has " + what + ": inference multiplies in bfloat16"
		return
	}
	info.BF16Note = "the CPU has no bfloat16 instructions: float32"
}
