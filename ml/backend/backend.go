// Package backend chooses, once at start, which GoMLX compute backend runs the
// models, and describes it for display. Pipeline code receives the
// compute.Backend and never asks which one it is.
//
// A Runtime, built once in each main (NewRuntime) and passed down, holds
// that choice: the backend an empty name opens, whether ONNX Runtime is
// enabled, the Go memory limit, and the one cache of opened backends.
//
// "auto" (the default) takes the fastest backend this machine has: XLA
// through a PJRT plugin (CUDA, Metal or CPU, searched by
// platform.PJRTPlugins) when one is installed and loads; else ONNX Runtime
// for inference with the pure-Go backend for training ("ort", when the
// runtime enables it — Config.ORT — and the library of platform.ORTLibrary
// loads); else the pure-Go backend — saying why in Info.Note.
package backend

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"

	"github.com/precedent/precedent/platform"
)

// EnvVar names the environment variable NewRuntime reads for the backend an
// empty name opens, when its Config names none.
const EnvVar = "PRECEDENT_BACKEND"

// DefaultName is the backend an empty name opens when neither Config.Backend
// nor EnvVar says otherwise.
const DefaultName = "auto"

// Info describes a backend for display in the CLI and the settings panel.
type Info struct {
	Name        string // configuration that built it, e.g. "xla:cpu" or "go"
	Description string // human-readable, e.g. "XLA CPU (PJRT plugin …)"
	Accelerated bool   // XLA rather than the portable pure-Go backend
	Note        string // why auto chose it (set on every automatic choice), e.g. "no PJRT plugin found"
	Inference   string // "ort" when Scorers and Embedders run on ONNX Runtime, "" when on the backend itself
	// FastBF16 is true when inference graphs run faster with bfloat16
	// products on this backend and CPU; BF16Note says why or why not.
	FastBF16 bool
	BF16Note string
}

// newXLA builds an XLA backend from a PJRT plugin file; nil when XLA is not
// linked into this build (no cgo, or the noxla build tag).
var newXLA func(pluginPath, options string) (compute.Backend, error)

type entry struct {
	b    compute.Backend
	info Info
}

// open builds the backend named name, uncached (Runtime.Backend caches).
func (r *Runtime) open(name string) (entry, error) {
	kind, options, _ := strings.Cut(name, ":")
	switch kind {
	case "auto":
		return r.openAuto()
	case gobackend.BackendName:
		return openGo(name, options)
	case ORTName:
		return r.openORT(name)
	case "xla":
		plugin, opts, _ := strings.Cut(options, ",")
		if plugin == "" {
			plugin = "cpu"
		}
		return openXLA(name, plugin, opts)
	default:
		return entry{}, fmt.Errorf("backend %q: unknown backend %q (available: %s)", name, kind, strings.Join(r.Available(), ", "))
	}
}

func openGo(name, options string) (entry, error) {
	b, err := gobackend.New(options)
	if err != nil {
		return entry{}, fmt.Errorf("backend %q: %w", name, err)
	}
	return entry{b: b, info: Info{Name: name, Description: b.Description(), BF16Note: "the pure-Go backend multiplies in float32"}}, nil
}

func openXLA(name, plugin, options string) (entry, error) {
	if newXLA == nil {
		return entry{}, fmt.Errorf("backend %q: XLA is not linked into this build (built without cgo or with -tags noxla)", name)
	}
	path := plugin
	if !strings.ContainsAny(plugin, `/\`) {
		path = ""
		for _, p := range platform.PJRTPlugins() {
			if p.Name == plugin {
				path = p.Path
				break
			}
		}
		if path == "" {
			return entry{}, fmt.Errorf("backend %q: no PJRT %s plugin found (run `make pjrt`, or set %s to a folder holding %s)",
				name, plugin, platform.PJRTDirEnv, platform.PluginFile(plugin))
		}
	}
	// dlopen of a wrong-arch or truncated dylib fails with dyld's terse
	// message, or worse; the Mach-O check names what is wrong with the file.
	if strings.HasSuffix(path, ".dylib") {
		if err := platform.CheckMachOPlugin(path); err != nil {
			return entry{}, fmt.Errorf("backend %q: %w", name, err)
		}
	}
	b, err := newXLA(path, options)
	if err != nil {
		return entry{}, fmt.Errorf("backend %q: %w", name, err)
	}
	info := Info{Name: name, Description: "XLA " + plugin + " — " + b.Description(), Accelerated: true}
	bf16Note(&info, plugin)
	return entry{b: b, info: info}, nil
}

// openAuto tries the PJRT plugins found, fastest first, then ONNX Runtime
// (when r enables it), then pure Go.
func (r *Runtime) openAuto() (entry, error) {
	var notes []string
	if newXLA == nil {
		notes = append(notes, "XLA not linked into this build")
	} else {
		found := map[string]bool{}
		for _, p := range platform.PJRTPlugins() {
			found[p.Name] = true
		}
		for _, plugin := range []string{"cuda", "metal", "cpu"} {
			if !found[plugin] {
				continue
			}
			e, err := openXLA("xla:"+plugin, plugin, "")
			if err == nil {
				e.info.Name = "auto → xla:" + plugin
				e.info.Note = autoReason(plugin, notes)
				e.info.Description += " (" + e.info.Note + ")"
				return e, nil
			}
			notes = append(notes, err.Error())
		}
		if len(found) == 0 {
			setUp := "CPU" // what `make pjrt` installs here
			if runtime.GOOS == "darwin" {
				setUp = "Metal"
			}
			notes = append(notes, "no PJRT plugin found (run `make pjrt` for the XLA "+setUp+" plugin)")
		}
	}
	// No XLA: ONNX Runtime runs inference far faster than pure Go, which
	// keeps training.
	e, err := r.openORT(ORTName)
	if err == nil {
		e.info.Name = "auto → ort + go"
		e.info.Note = "auto: " + e.info.Note + " (" + strings.Join(notes, "; ") + ")"
		e.info.Description += " (CPU fallback: " + strings.Join(notes, "; ") + ")"
		return e, nil
	}
	notes = append(notes, err.Error())
	e, err = openGo(gobackend.BackendName, "")
	if err != nil {
		return entry{}, err
	}
	e.info.Name = "auto → go"
	e.info.Note = strings.Join(notes, "; ")
	e.info.Description += " (portable fallback: " + e.info.Note + ")"
	return e, nil
}

// autoReason says why auto chose the XLA plugin named: the fastest found,
// after the faster ones that failed (skipped holds their errors).
func autoReason(plugin string, skipped []string) string {
	why := map[string]string{"cuda": "an NVIDIA GPU through the XLA CUDA plugin",
		"metal": "the Apple GPU through the XLA Metal plugin (jax-metal)", "cpu": "the XLA CPU plugin, faster than pure Go"}[plugin]
	if why == "" {
		why = "the XLA " + plugin + " plugin"
	}
	if len(skipped) > 0 {
		return "auto: " + why + "; skipped: " + strings.Join(skipped, "; ")
	}
	return "auto: " + why
}

// Available lists the backend kinds r can open: those linked into this
// build, "ort" when r enables ONNX Runtime.
func (r *Runtime) Available() []string {
	kinds := []string{"auto"}
	if newXLA != nil {
		kinds = append(kinds, "xla")
	}
	kinds = append(kinds, gobackend.BackendName)
	if r.resolve().ort != nil {
		kinds = append(kinds, ORTName)
	}
	return kinds
}
