package platform

import (
	"debug/macho"
	"errors"
	"fmt"
	"io/fs"
)

// PJRTEntryPoint is the C function every PJRT plugin exports; Mach-O
// prefixes C symbols with an underscore.
const PJRTEntryPoint = "GetPjrtApi"

// ErrBadPlugin is wrapped by every error CheckMachOPlugin returns for a file
// that is not a usable PJRT plugin (as opposed to one that cannot be read).
var ErrBadPlugin = errors.New("not a usable PJRT plugin")

// CheckMachOPlugin verifies, without loading it, that path is a Mach-O
// dynamic library for Apple silicon (arm64) that exports GetPjrtApi — what
// the jax-metal wheel ships as pjrt_plugin_metal_14.dylib. A truncated
// download, an HTML error page, a universal or x86-64 build, or a library
// without the PJRT entry point is refused with an error that names the file,
// says what was found and wraps ErrBadPlugin. Reading the symbol table of the
// real 159 MB plugin takes about a second.
func CheckMachOPlugin(path string) error {
	f, err := macho.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("PJRT plugin %s: %w", path, err)
		}
		return fmt.Errorf("PJRT plugin %s: not a Mach-O library (%v; a corrupt or partial download? run `make pjrt` again): %w", path, err, ErrBadPlugin)
	}
	defer f.Close()
	if f.Cpu != macho.CpuArm64 {
		return fmt.Errorf("PJRT plugin %s: built for %s, this needs arm64 (Apple silicon): %w", path, cpuName(f.Cpu), ErrBadPlugin)
	}
	if f.Type != macho.TypeDylib {
		return fmt.Errorf("PJRT plugin %s: Mach-O file of type %s, want a dynamic library (dylib): %w", path, f.Type, ErrBadPlugin)
	}
	if f.Symtab == nil {
		return fmt.Errorf("PJRT plugin %s: no symbol table, so no %s entry point: %w", path, PJRTEntryPoint, ErrBadPlugin)
	}
	for _, s := range exportedSymbols(f) {
		if s.Name == "_"+PJRTEntryPoint && s.Type&nTypeMask == nSect && s.Type&nExt != 0 {
			return nil
		}
	}
	return fmt.Errorf("PJRT plugin %s: arm64 dylib without the exported %s entry point (not a PJRT plugin): %w", path, PJRTEntryPoint, ErrBadPlugin)
}

// nlist n_type bits (<mach-o/nlist.h>).
const (
	nExt      = 0x01
	nTypeMask = 0x0e
	nSect     = 0x0e
)

// exportedSymbols narrows the symbol table to the externally defined
// symbols that LC_DYSYMTAB delimits, when it does so consistently.
func exportedSymbols(f *macho.File) []macho.Symbol {
	syms := f.Symtab.Syms
	if d := f.Dysymtab; d != nil && d.Nextdefsym > 0 && uint64(d.Iextdefsym)+uint64(d.Nextdefsym) <= uint64(len(syms)) {
		return syms[d.Iextdefsym : d.Iextdefsym+d.Nextdefsym]
	}
	return syms
}

// cpuName names a Mach-O CPU type the way a Mac user sees it (uname -m).
func cpuName(c macho.Cpu) string {
	switch c {
	case macho.CpuArm64:
		return "arm64"
	case macho.CpuAmd64:
		return "x86_64 (Intel)"
	case macho.CpuArm:
		return "32-bit arm"
	case macho.Cpu386:
		return "i386"
	}
	return c.String()
}

// MetalPluginEnv names a jax-metal plugin file for TestMetalPluginFile, which
// verifies the real download when it is set.
const MetalPluginEnv = "PRECEDENT_METAL_PLUGIN"
