package platform

import (
	"os"
	"path/filepath"
)

// PyRefEnv names the folder of the Python reference environment: PyPI's
// torch (with MKL, what a Python user installs) and sentence-transformers,
// set up by `make pyref` (scripts/setup-pyref.sh).
const PyRefEnv = "PRECEDENT_PYREF"

// PyRefPython is the python of the reference environment:
// $PRECEDENT_PYREF/bin/python, by default under the user's cache folder
// (~/.cache/precedent/pyref). It may not exist; callers say how to make it.
func PyRefPython() string {
	dir := os.Getenv(PyRefEnv)
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "precedent", "pyref")
	}
	return filepath.Join(dir, "bin", "python")
}
