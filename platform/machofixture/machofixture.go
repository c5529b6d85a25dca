// Package machofixture builds tiny Mach-O files for tests: the smallest
// 64-bit little-endian layout debug/macho reads, standing in for the 159 MB
// jax-metal plugin so that CI needs neither the download nor a Mac.
package machofixture

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
)

// Symbol is one nlist_64 entry.
type Symbol struct {
	Name string
	Type uint8 // n_type: 0x0e N_SECT, 0x01 N_EXT, 0x00 N_UNDF
}

// Exported is a symbol defined in a section and visible to dlsym (N_SECT|N_EXT).
func Exported(name string) Symbol { return Symbol{name, 0x0f} }

// Build returns a Mach-O file of the given CPU and type with a header,
// LC_SYMTAB and, when dysym is set, LC_DYSYMTAB marking the N_EXT symbols
// as the external definitions (which must then be contiguous).
func Build(cpu macho.Cpu, typ macho.Type, syms []Symbol, dysym bool) []byte {
	const hdrSize, symtabSize, dysymtabSize, nlistSize = 32, 24, 80, 16
	ncmds, cmdsSize := uint32(1), uint32(symtabSize)
	if dysym {
		ncmds, cmdsSize = 2, symtabSize+dysymtabSize
	}
	strtab := []byte{0}
	var nlists bytes.Buffer
	iext, next := uint32(0), uint32(0)
	for i, s := range syms {
		if s.Type&0x01 != 0 {
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
		}{uint32(len(strtab)), s.Type, 1, 0, 0x4000 + uint64(i)*16})
		strtab = append(append(strtab, s.Name...), 0)
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

// MetalPlugin is a minimal stand-in for jax-metal's plugin: an arm64 dylib
// exporting GetPjrtApi.
func MetalPlugin() []byte {
	return Build(macho.CpuArm64, macho.TypeDylib, []Symbol{{"_helper", 0x0e}, Exported("_GetPjrtApi")}, true)
}
