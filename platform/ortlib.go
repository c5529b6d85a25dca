package platform

import (
	"os"
	"path/filepath"
	"runtime"
)

// ORTLibEnv names the environment variable that points at an ONNX Runtime
// shared library file, overriding the search of ORTLibrary.
const ORTLibEnv = "PRECEDENT_ORT_LIB"

// ORTLibraryFile is the file name ORTLibrary looks for on this OS, the one
// scripts/fetch-onnxruntime.sh installs: libonnxruntime.so, or
// libonnxruntime.dylib on macOS.
func ORTLibraryFile() string {
	if runtime.GOOS == "darwin" {
		return "libonnxruntime.dylib"
	}
	return "libonnxruntime.so"
}

// ORTLibrary returns the ONNX Runtime shared library to load, or "" when
// none is installed. $PRECEDENT_ORT_LIB wins when set (even if the file is
// missing, so that a wrong setting fails loudly at load time rather than
// silently picking another library); otherwise the first non-empty
// ORTLibraryFile() in: the folders beside the executable (onnxruntime/
// beside it, ../third_party/onnxruntime, and inside a macOS .app bundle its
// Contents/Frameworks), third_party/onnxruntime above the working directory
// (a source checkout), and <data dir>/onnxruntime. It does not load the
// library.
func ORTLibrary() string {
	if v := os.Getenv(ORTLibEnv); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			return v
		}
		return abs
	}
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, ortBesideExecutable(exe)...)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, "third_party", "onnxruntime"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if d, err := DataDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "onnxruntime"))
	}
	return firstLibrary(dirs, ORTLibraryFile())
}

// ortBesideExecutable are the folders that travel with the program, as for
// the PJRT plugins (besideExecutable): onnxruntime/ beside it,
// ../third_party/onnxruntime (bin/ of a source checkout) and, in a macOS
// bundle, Contents/Frameworks.
func ortBesideExecutable(exe string) []string {
	d := filepath.Dir(exe)
	dirs := []string{filepath.Join(d, "onnxruntime"), filepath.Join(d, "..", "third_party", "onnxruntime")}
	if filepath.Base(d) == "MacOS" && filepath.Base(filepath.Dir(d)) == "Contents" {
		dirs = append([]string{filepath.Join(filepath.Dir(d), "Frameworks")}, dirs...)
	}
	return dirs
}

// firstLibrary returns the absolute path of the first non-empty file named
// file in dirs, or "".
func firstLibrary(dirs []string, file string) string {
	for _, d := range dirs {
		p := filepath.Join(d, file)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			abs, err := filepath.Abs(p)
			if err != nil {
				return p
			}
			return abs
		}
	}
	return ""
}
