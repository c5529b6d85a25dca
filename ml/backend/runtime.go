package backend

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/gomlx/compute"
)

// Runtime is how this process computes, decided once in main and passed
// down to whatever opens a backend: the backend an empty name opens,
// whether ONNX Runtime is enabled, the Go memory limit main set, and the one
// cache of opened backends. GoMLX tensors (hence a model's weights) are
// bound to the backend instance that first ran them, so every part of a
// process must open its backends from the same Runtime: build one per main.
//
// A nil *Runtime is Default(). A Runtime is safe for concurrent use.
type Runtime struct {
	choice string // what an empty name opens
	from   string // where choice came from, for display
	ort    ORTAttach

	mu       sync.Mutex
	opened   map[string]entry
	memLimit int // MiB set by LimitMemory; 0 = left alone
}

// Config says what NewRuntime builds; the zero Config is a runtime with the
// automatic backend (or $PRECEDENT_BACKEND), no ONNX Runtime and the Go
// memory limit left alone.
type Config struct {
	// Backend is what an empty backend name opens: "auto", "go[:options]",
	// "xla:PLUGIN[,options]" or "ort". "" reads EnvVar, then DefaultName.
	Backend string
	// ORT enables backend "ort" and auto's ONNX Runtime fallback: a main
	// passes ort.Enable() (package ml/ort). nil leaves ONNX Runtime off.
	ORT ORTAttach
	// MemoryLimitMB, when positive, is set as the Go runtime's soft memory
	// limit by NewRuntime (LimitMemory); 0 leaves the limit alone.
	MemoryLimitMB int
}

// NewRuntime builds the runtime c describes. It opens no backend (the first
// Backend call does) and changes nothing in the process except the memory
// limit, and that only when c asks for one.
func NewRuntime(c Config) *Runtime {
	r := &Runtime{ort: c.ORT, opened: map[string]entry{}}
	switch env := strings.TrimSpace(os.Getenv(EnvVar)); {
	case strings.TrimSpace(c.Backend) != "":
		r.choice, r.from = strings.TrimSpace(c.Backend), "set at start"
	case env != "":
		r.choice, r.from = env, "$"+EnvVar
	default:
		r.choice, r.from = DefaultName, "default"
	}
	r.limitMemory(c.MemoryLimitMB)
	return r
}

// Default is the runtime of code no main gave one to — tests, and tools
// such as the bench harness when called without one: the zero Config, built
// on first use. A main builds its own with NewRuntime instead.
func Default() *Runtime { return defaultRuntime() }

var defaultRuntime = sync.OnceValue(func() *Runtime { return NewRuntime(Config{}) })

// New is Default().Backend(name), for tests and tools that have no Runtime.
func New(name string) (compute.Backend, Info, error) { return Default().Backend(name) }

func (r *Runtime) resolve() *Runtime {
	if r == nil {
		return Default()
	}
	return r
}

// Backend returns the backend named by name: "auto", "go[:options]" (as in
// GOMLX_BACKEND: "go:parallelism=2", "go:ops_sequential"),
// "xla:PLUGIN[,options]" with PLUGIN cpu, cuda, metal or a plugin file
// path, or "ort". An empty name is DefaultBackend. The same name always
// returns the same instance; a failure is not cached, so it can be retried.
func (r *Runtime) Backend(name string) (compute.Backend, Info, error) {
	r = r.resolve()
	if name == "" {
		name = r.choice
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.opened[name]; ok {
		return e.b, e.info, nil
	}
	e, err := r.open(name)
	if err != nil {
		return nil, Info{}, err
	}
	r.opened[name] = e
	return e.b, e.info, nil
}

// DefaultBackend is the backend name an empty name opens: Config.Backend,
// else $PRECEDENT_BACKEND when r was built, else DefaultName.
func (r *Runtime) DefaultBackend() string { return r.resolve().choice }

// ORT reports whether r enables ONNX Runtime (Config.ORT); whether its
// library loads is known only once backend "ort" or "auto" is opened.
func (r *Runtime) ORT() bool { return r.resolve().ort != nil }

// LimitMemory sets the Go runtime's soft memory limit to mb MiB when mb is
// positive (debug.SetMemoryLimit: the garbage collector works harder near
// it instead of letting the heap grow until the system kills the process);
// mb ≤ 0 leaves the current limit alone. Only a main calls it, with the
// limit the user chose (the project's Settings.MemoryLimitMB).
func (r *Runtime) LimitMemory(mb int) { r.resolve().limitMemory(mb) }

func (r *Runtime) limitMemory(mb int) {
	if mb <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	debug.SetMemoryLimit(int64(mb) << 20)
	r.memLimit = mb
}

// MemoryLimitMB is the Go memory limit r set, in MiB; 0 when it set none.
func (r *Runtime) MemoryLimitMB() int {
	r = r.resolve()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.memLimit
}

// String describes r, with the process's Go memory limit, for display
// beside the backend, e.g.
// "default backend auto (default), ONNX Runtime enabled, Go memory limit 4096 MiB".
func (r *Runtime) String() string {
	r = r.resolve()
	ort := "ONNX Runtime not enabled"
	if r.ort != nil {
		ort = "ONNX Runtime enabled"
	}
	mem := "no Go memory limit"
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 { // GOMEMLIMIT counts too
		mem = fmt.Sprintf("Go memory limit %d MiB", limit>>20)
	}
	return fmt.Sprintf("default backend %s (%s), %s, %s", r.choice, r.from, ort, mem)
}
