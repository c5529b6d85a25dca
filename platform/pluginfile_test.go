package platform

import (
	"debug/macho"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform/machofixture"
)

func TestCheckMachOPlugin(t *testing.T) {
	entry := machofixture.Exported("_GetPjrtApi")
	good := machofixture.Build(macho.CpuArm64, macho.TypeDylib, []machofixture.Symbol{{Name: "_helper", Type: 0x0e}, entry, machofixture.Exported("_other")}, true)
	cases := []struct {
		name    string
		content []byte
		wantErr string // "" = accepted
	}{
		{"arm64 dylib exporting GetPjrtApi", good, ""},
		{"without LC_DYSYMTAB", machofixture.Build(macho.CpuArm64, macho.TypeDylib, []machofixture.Symbol{entry}, false), ""},
		{"x86_64 build", machofixture.Build(macho.CpuAmd64, macho.TypeDylib, []machofixture.Symbol{entry}, true), "built for x86_64 (Intel), this needs arm64"},
		{"executable, not a dylib", machofixture.Build(macho.CpuArm64, macho.TypeExec, []machofixture.Symbol{entry}, true), "want a dynamic library"},
		{"entry point only imported", machofixture.Build(macho.CpuArm64, macho.TypeDylib, []machofixture.Symbol{{Name: "_GetPjrtApi", Type: 0x01}}, false), "without the exported GetPjrtApi"},
		{"entry point local, not exported", machofixture.Build(macho.CpuArm64, macho.TypeDylib, []machofixture.Symbol{{Name: "_GetPjrtApi", Type: 0x0e}}, false), "without the exported GetPjrtApi"},
		{"another library", machofixture.Build(macho.CpuArm64, macho.TypeDylib, []machofixture.Symbol{machofixture.Exported("_main")}, true), "without the exported GetPjrtApi"},
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
