package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// PJRTDirEnv names the environment variable pointing at a folder of PJRT plugins.
const PJRTDirEnv = "PRECEDENT_PJRT_DIR"

// Plugin is a PJRT plugin found on this machine (pjrt_c_api_<Name>_plugin.so).
type Plugin struct {
	Name string // "cpu", "cuda", "metal"...
	Path string
}

// PJRTPlugins lists the PJRT plugins found, searching in order:
// $PRECEDENT_PJRT_DIR, $PJRT_PLUGIN_LIBRARY_PATH, third_party/pjrt beside
// the executable or above the working directory (a source checkout), and
// <data dir>/pjrt. The first plugin of each name wins.
func PJRTPlugins() []Plugin {
	var dirs []string
	for _, env := range []string{PJRTDirEnv, "PJRT_PLUGIN_LIBRARY_PATH"} {
		if v := os.Getenv(env); v != "" {
			dirs = append(dirs, filepath.SplitList(v)...)
		}
	}
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(d, "pjrt"), filepath.Join(d, "..", "third_party", "pjrt"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, "third_party", "pjrt"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if d, err := DataDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "pjrt"))
	}
	ext := ".so"
	if runtime.GOOS == "darwin" {
		ext = ".dylib"
	}
	seen := map[string]bool{}
	var out []Plugin
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "pjrt_c_api_*_plugin"+ext))
		for _, m := range matches {
			name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "pjrt_c_api_"), "_plugin"+ext)
			if seen[name] {
				continue
			}
			if st, err := os.Stat(m); err != nil || st.Size() == 0 {
				continue
			}
			seen[name] = true
			abs, _ := filepath.Abs(m)
			out = append(out, Plugin{Name: name, Path: abs})
		}
	}
	return out
}
