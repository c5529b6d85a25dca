package serve

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigDefaults(t *testing.T) {
	def := DefaultConfig()
	assert.Equal(t, DefaultAddr, def.Addr)
	assert.Equal(t, 64, def.MaxBatch)
	assert.Equal(t, 256, def.MaxTexts)
	assert.Equal(t, 5*time.Second, def.DrainDelay)
	noDrain := def
	noDrain.DrainDelay = 0
	tests := []struct {
		name string
		in   Config
		want Config
	}{
		{"zero takes every default but the drain: none", Config{}, noDrain},
		{"the defaults are complete", def, def},
		{"given values are kept", Config{Addr: "localhost:9000", MaxBatch: 8, MaxWait: time.Millisecond, QueueSize: 4, MaxTexts: 10, MaxBodyBytes: 1 << 10,
			RequestTimeout: time.Second, ReadTimeout: time.Second, DrainDelay: time.Second, ShutdownGrace: time.Second},
			Config{Addr: "localhost:9000", MaxBatch: 8, MaxWait: time.Millisecond, QueueSize: 4, MaxTexts: 10, MaxBodyBytes: 1 << 10,
				RequestTimeout: time.Second, ReadTimeout: time.Second, DrainDelay: time.Second, ShutdownGrace: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name      string
		in        Config
		wantField string // "" = valid
		wantMsg   string
	}{
		{"zero is valid", Config{}, "", ""},
		{"the defaults", DefaultConfig(), "", ""},
		{"negative batch", Config{MaxBatch: -1}, "MaxBatch", "MaxBatch -1: want pairs per model call, 1 or more (0 = 64)"},
		{"negative wait", Config{MaxWait: -time.Millisecond}, "MaxWait", "MaxWait -1ms: want a duration, 0 or more (0 = 5ms)"},
		{"negative queue", Config{QueueSize: -1}, "QueueSize", "QueueSize -1"},
		{"negative texts", Config{MaxTexts: -256}, "MaxTexts", "(0 = 256)"},
		{"negative body", Config{MaxBodyBytes: -1}, "MaxBodyBytes", "MaxBodyBytes -1"},
		{"negative timeout", Config{RequestTimeout: -time.Second}, "RequestTimeout", "(0 = 30s)"},
		{"negative read timeout", Config{ReadTimeout: -time.Second}, "ReadTimeout", "ReadTimeout -1s"},
		{"negative drain", Config{DrainDelay: -time.Second}, "DrainDelay", "DrainDelay -1s: want a duration, 0 (none) or more"},
		{"negative grace", Config{ShutdownGrace: -time.Second}, "ShutdownGrace", "ShutdownGrace -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.wantField == "" {
				assert.NoError(t, err)
				return
			}
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tt.wantField, oe.Field)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
	// Exposure is Check's, after the ranges; New refuses both.
	assert.ErrorIs(t, Config{Addr: "0.0.0.0:1"}.Validate(), ErrExposed)
	_, err := New(&fakeModel{}, Config{QueueSize: -1})
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "QueueSize", oe.Field)
}
