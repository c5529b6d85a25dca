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
// $PRECEDENT_PJRT_DIR, $PJRT_PLUGIN_LIBRARY_PATH, the folders beside the
// executable (see besideExecutable; inside a macOS .app bundle, its
// Contents/Frameworks), third_party/pjrt above the working directory (a
// source checkout), and <data dir>/pjrt. The first plugin of each name wins.
func PJRTPlugins() []Plugin {
	var dirs []string
	for _, env := range []string{PJRTDirEnv, "PJRT_PLUGIN_LIBRARY_PATH"} {
		if v := os.Getenv(env); v != "" {
			dirs = append(dirs, filepath.SplitList(v)...)
		}
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, besideExecutable(exe)...)
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
	return pluginsIn(dirs, pluginExt())
}

// PluginFile is the file name PJRTPlugins looks for to find the plugin
// name on this OS: pjrt_c_api_<name>_plugin.so, .dylib on macOS.
func PluginFile(name string) string { return "pjrt_c_api_" + name + "_plugin" + pluginExt() }

func pluginExt() string {
	if runtime.GOOS == "darwin" {
		return ".dylib"
	}
	return ".so"
}

// besideExecutable are the plugin folders that travel with the program:
// pjrt/ beside it and ../third_party/pjrt (bin/ of a source checkout), and,
// when it runs from a macOS bundle (X.app/Contents/MacOS/exe), the bundle's
// Contents/Frameworks and Contents/Resources/pjrt, where `make app` puts
// the Metal plugin.
func besideExecutable(exe string) []string {
	d := filepath.Dir(exe)
	dirs := []string{filepath.Join(d, "pjrt"), filepath.Join(d, "..", "third_party", "pjrt")}
	if filepath.Base(d) == "MacOS" && filepath.Base(filepath.Dir(d)) == "Contents" {
		contents := filepath.Dir(d)
		dirs = append([]string{filepath.Join(contents, "Frameworks"), filepath.Join(contents, "Resources", "pjrt")}, dirs...)
	}
	return dirs
}

// pluginsIn lists the non-empty pjrt_c_api_<name>_plugin<ext> files of
// dirs, the first of each name winning.
func pluginsIn(dirs []string, ext string) []Plugin {
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
