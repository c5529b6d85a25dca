package ui

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/app"
)

func writeCA(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	return path
}

func TestSettingsSave(t *testing.T) {
	d := newTestDesktop(t)
	sp := d.settings
	selectTab(d, sp)
	assert.Equal(t, d.proj.Dir, sp.dataDir.Text)

	// A broken bundle is named and refused.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a cert"), 0o644))
	sp.caPath.SetText(bad)
	assert.Contains(t, sp.caStatus.Text, "no PEM certificates")
	test.Tap(sp.saveBtn)
	require.NotNil(t, d.win.Canvas().Overlays().Top())
	d.win.Canvas().Overlays().Top().Hide()
	d.win.Canvas().Overlays().Remove(d.win.Canvas().Overlays().Top())
	assert.Empty(t, d.proj.SettingsSnapshot().CABundle)

	// A good one says what it adds, and is saved with the rest.
	good := writeCA(t, "Proxy Root")
	sp.caPath.SetText(good)
	assert.Contains(t, sp.caStatus.Text, "Adds 1 certificate(s)")
	assert.Contains(t, sp.caStatus.Text, "CN=Proxy Root")
	sp.memory.SetText("100")
	assert.Contains(t, sp.memErr.Text, "at least 256 MiB")
	sp.memory.SetText("4096")
	assert.Empty(t, sp.memErr.Text)
	sp.backend.SetSelected("go")
	sp.prec.SetSelected("bf16")
	test.Tap(sp.saveBtn)
	assert.Equal(t, "Saved.", sp.saved.Text)
	assert.Equal(t, "Scoring and embedding: bf16 (chosen)", sp.precNote.Text, "the panel shows what app resolves")

	dir := d.proj.Dir
	require.NoError(t, d.proj.Close())
	d.proj = nil
	p, err := app.Open(dir)
	require.NoError(t, err)
	defer p.Close()
	s := p.SettingsSnapshot()
	assert.Equal(t, good, s.CABundle)
	assert.Equal(t, 4096, s.MemoryLimitMB)
	assert.Equal(t, "go", s.Backend)
	assert.Equal(t, "bf16", s.Precision)
}

func TestThemeChoice(t *testing.T) {
	a := test.NewTempApp(t)
	for _, c := range []string{themeDark, themeLight, themeSystem} {
		applyTheme(a, c)
		assert.Equal(t, c, themeChoice(a))
	}
}

func TestParseTrainParams(t *testing.T) {
	tests := []struct {
		name                                   string
		lr, epochs, steps, batch, maxLen, keep string
		errLike                                string
	}{
		{"defaults", "1e-4", "1", "400", "16", "128", "2", ""},
		{"bad lr", "fast", "1", "400", "16", "256", "0", "learning rate"},
		{"zero lr", "0", "1", "400", "16", "256", "0", "learning rate"},
		{"zero epochs", "2e-5", "0", "400", "16", "256", "0", "epochs"},
		{"negative steps", "2e-5", "1", "-5", "16", "256", "0", "max steps"},
		{"huge batch", "2e-5", "1", "400", "5000", "256", "0", "batch size"},
		{"short max length", "2e-5", "1", "400", "16", "8", "0", "max length"},
		{"negative layers", "2e-5", "1", "400", "16", "256", "-1", "layers to keep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := parseTrainParams(tc.lr, tc.epochs, tc.steps, tc.batch, tc.maxLen, tc.keep)
			if tc.errLike != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.errLike)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, defaultTrainParams(), tp)
		})
	}
}

// TestSettingsSaveWhileJobRuns saves the Settings panel while a background
// job reads the project's settings, as training or evaluation does at its
// start: under -race it fails if the panel writes them unlocked.
func TestSettingsSaveWhileJobRuns(t *testing.T) {
	d := newTestDesktop(t)
	sp := d.settings
	selectTab(d, sp)
	stop := make(chan struct{})
	reads := 0
	job := d.run("reader", func(ctx context.Context, proj *app.Project, _ app.Progress) error {
		for {
			s := proj.SettingsSnapshot()
			_ = s.Backend + s.Precision + s.CABundle
			_ = s.MemoryLimitMB
			reads++
			select {
			case <-stop:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			default:
			}
		}
	}, nil, nil)
	require.NotNil(t, job)
	sp.backend.SetSelected("go")
	for i := range 20 {
		sp.memory.SetText(strconv.Itoa(1024 + i))
		test.Tap(sp.saveBtn)
		require.Equal(t, "Saved.", sp.saved.Text)
	}
	close(stop)
	require.NoError(t, waitJob(t, job))
	assert.Positive(t, reads)
	assert.Equal(t, 1043, d.proj.SettingsSnapshot().MemoryLimitMB)
	assert.Equal(t, "go", d.proj.SettingsSnapshot().Backend)
}
