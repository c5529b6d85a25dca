package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/precedent/precedent/platform"
)

// Machine describes the CPU the numbers come from.
type Machine struct {
	CPU          string  `json:"cpu"`
	Cores        int     `json:"cores"`
	GHz          float64 `json:"ghz"`
	SIMD         string  `json:"simd"`
	FlopsPerCyc  int     `json:"fp32_flops_per_cycle"`
	PeakGFLOPS   float64 `json:"peak_gflops_estimate"`
	Load         string  `json:"load_average"`
	GoVersion    string  `json:"go"`
	OS           string  `json:"os"`
	PeakEstimate string  `json:"peak_note"`
	// Malloc says how the C heap the XLA and ONNX Runtime rows allocate from is set up (platform.Malloc).
	Malloc string `json:"malloc"`
}

// readMachine reads /proc/cpuinfo where there is one; the FLOP peak is
// cores × GHz × fp32 FLOPs per cycle (2 FMA units × 16 lanes × 2 with
// AVX-512, × 8 lanes with AVX2), with the clock measured with every core
// busy (measureClock) where it can be, else /proc/cpuinfo's. It is an
// estimate that overstates CPUs that split AVX-512 into two 256-bit halves.
func readMachine() Machine {
	m := Machine{CPU: runtime.GOARCH, Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, Load: readLoad(), Malloc: platform.Malloc().Note}
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		var flags string
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case k == "model name" && m.CPU == runtime.GOARCH:
				m.CPU = v
			case k == "cpu MHz" && m.GHz == 0:
				if mhz, err := strconv.ParseFloat(v, 64); err == nil {
					m.GHz = mhz / 1000
				}
			case k == "flags" && flags == "":
				flags = " " + v + " "
			}
		}
		switch {
		case strings.Contains(flags, " avx512f "):
			m.SIMD, m.FlopsPerCyc = "AVX-512", 64
		case strings.Contains(flags, " avx2 ") && strings.Contains(flags, " fma "):
			m.SIMD, m.FlopsPerCyc = "AVX2+FMA", 32
		case flags != "":
			m.SIMD, m.FlopsPerCyc = "SSE", 8
		}
	}
	clock := "/proc/cpuinfo's clock"
	if ghz := measureClock(); ghz > 0 {
		clock = "clock measured with every core busy"
		if m.GHz > 0 {
			clock += fmt.Sprintf("; /proc/cpuinfo says %.2f", m.GHz)
		}
		m.GHz = ghz
	}
	if m.GHz > 0 && m.FlopsPerCyc > 0 {
		m.PeakGFLOPS = float64(m.Cores) * m.GHz * float64(m.FlopsPerCyc)
		m.PeakEstimate = fmt.Sprintf("estimate: %d cores × %.2f GHz (%s) × %d fp32 FLOPs/cycle (%s)", m.Cores, m.GHz, clock, m.FlopsPerCyc, m.SIMD)
	} else {
		m.PeakEstimate = "unknown (no /proc/cpuinfo clock or SIMD flags)"
	}
	return m
}

func readLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return "unknown"
	}
	return strings.Join(fs[:3], " ")
}
