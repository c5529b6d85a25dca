package platform

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtureSym is one nlist_64 entry of a hand-built Mach-O file.
type fixtureSym struct {
	name string
	typ  uint8 // n_type: 0x0e N_SECT, 0x01 N_EXT, 0x00 N_UNDF
}

// machOFixture builds the smallest 64-bit little-endian Mach-O file that
// debug/macho and dyld's symbol lookup agree on: a header, LC_SYMTAB and,
// when dysym is set, LC_DYSYMTAB marking the N_EXT symbols as the external
// definitions. It stands in for the 159 MB jax-metal plugin in CI.
func machOFixture(cpu macho.Cpu, typ macho.Type, syms []fixtureSym, dysym bool) []byte {
	const hdrSize, symtabSize, dysymtabSize, nlistSize = 32, 24, 80, 16
	ncmds, cmdsSize := uint32(1), uint32(symtabSize)
	if dysym {
		ncmds, cmdsSize = 2, symtabSize+dysymtabSize
	}
	strtab := []byte{0}
	var nlists bytes.Buffer
	iext, next := uint32(0), uint32(0)
	for i, s := range syms {
		if s.typ&0x01 != 0 {
			if next == 0 {
				iext = uint32(i)
			}
			next++
		}
		binary.Write(&nlists, binary.LittleEndian, struct {
			Strx  uint32
			Type  uint8
			Sect  uint8
			Desc  uint16
			Value uint64
		}{uint32(len(strtab)), s.typ, 1, 0, 0x4000 + uint64(i)*16})
		strtab = append(append(strtab, s.name...), 0)
	}
	symoff := uint32(hdrSize) + cmdsSize
	stroff := symoff + uint32(len(syms)*nlistSize)
	var b bytes.Buffer
	w := func(v ...uint32) {
		for _, x := range v {
			binary.Write(&b, binary.LittleEndian, x)
		}
	}
	w(macho.Magic64, uint32(cpu), 0, uint32(typ), ncmds, cmdsSize, 0, 0)
	w(uint32(macho.LoadCmdSymtab), symtabSize, symoff, uint32(len(syms)), stroff, uint32(len(strtab)))
	if dysym {
		w(uint32(macho.LoadCmdDysymtab), dysymtabSize, 0, 0, iext, next, 0, 0)
		w(make([]uint32, 12)...)
	}
	b.Write(nlists.Bytes())
	b.Write(strtab)
	return b.Bytes()
}

func TestCheckMachOPlugin(t *testing.T) {
	entry := fixtureSym{"_GetPjrtApi", 0x0f}
	good := machOFixture(macho.CpuArm64, macho.TypeDylib, []fixtureSym{{"_helper", 0x0e}, entry, {"_other", 0x0f}}, true)
	cases := []struct {
		name    string
		content []byte
		wantErr string // "" = accepted
	}{
		{"arm64 dylib exporting GetPjrtApi", good, ""},
		{"without LC_DYSYMTAB", machOFixture(macho.CpuArm64, macho.TypeDylib, []fixtureSym{entry}, false), ""},
		{"x86_64 build", machOFixture(macho.CpuAmd64, macho.TypeDylib, []fixtureSym{entry}, true), "built for x86_64 (Intel), this needs arm64"},
		{"executable, not a dylib", machOFixture(macho.CpuArm64, macho.TypeExec, []fixtureSym{entry}, true), "want a dynamic library"},
		{"entry point only imported", machOFixture(macho.CpuArm64, macho.TypeDylib, []fixtureSym{{"_GetPjrtApi", 0x01}}, false), "without the exported GetPjrtApi"},
		{"entry point local, not exported", machOFixture(macho.CpuArm64, macho.TypeDylib, []fixtureSym{{"_GetPjrtApi", 0x0e}}, false), "without the exported GetPjrtApi"},
		{"another library", machOFixture(macho.CpuArm64, macho.TypeDylib, []fixtureSym{{"_main", 0x0f}}, true), "without the exported GetPjrtApi"},
		{"truncated download", good[:40], "not a Mach-O library"},
		{"HTML error page", []byte("<html><body>502 Bad Gateway</body></html>"), "not a Mach-O library"},
		{"empty file", nil, "not a Mach-O library"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pjrt_c_api_metal_plugin.dylib")
			require.NoError(t, os.WriteFile(path, c.content, 0o644))
			err := CheckMachOPlugin(path)
			if c.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadPlugin)
			assert.Contains(t, err.Error(), c.wantErr)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
}

func TestCheckMachOPluginMissingFile(t *testing.T) {
	err := CheckMachOPlugin(filepath.Join(t.TempDir(), "absent.dylib"))
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, ErrBadPlugin, "a missing file is not a corrupt one")
}

// TestMetalPluginFile checks the real jax-metal plugin when
// PRECEDENT_METAL_PLUGIN names it (scripts/fetch-pjrt.sh sets it after a
// download, so a bad download fails set-up rather than the first training run).
func TestMetalPluginFile(t *testing.T) {
	path := os.Getenv(MetalPluginEnv)
	if path == "" {
		t.Skipf("%s not set: the real jax-metal plugin is checked after `make pjrt` on a Mac (or on Linux with PRECEDENT_PJRT_OS=darwin)", MetalPluginEnv)
	}
	require.NoError(t, CheckMachOPlugin(path))
}
