package app

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// Settings are a project's choices, persisted in its store.
type Settings struct {
	IDPresets     []string `json:"id_presets"`      // mining ID pattern presets, e.g. servicenow
	IDPatterns    []string `json:"id_patterns"`     // custom ID regular expressions
	QueryFields   []string `json:"query_fields"`    // extra query fields beside title+description: rule, host, user
	PairFormat    string   `json:"pair_format"`     // "structured" (default) or "plain"
	FirstStage    string   `json:"first_stage"`     // "bm25" (default), "bi-encoder", "vectors"
	BiEncoder     string   `json:"bi_encoder"`      // folder of a bi-encoder checkpoint
	VectorsPath   string   `json:"vectors_path"`    // imported vectors (JSONL or .npy)
	StartModel    string   `json:"start_model"`     // folder of the checkpoint training starts from
	Backend       string   `json:"backend"`         // "" = auto; "xla:cpu", "go"...
	Precision     string   `json:"precision"`       // inference products: "" = auto, "f32", "bf16"
	CABundle      string   `json:"ca_bundle"`       // extra PEM roots for the corporate proxy
	MemoryLimitMB int      `json:"memory_limit_mb"` // soft limit for the Go runtime, and the budget training fits batch × max length into; 0 = no Go limit, training plans for 3/4 of RAM
	// Visibility remembers the user's choices of which imported columns
	// were known when a ticket opened ("open") or only once it was worked
	// on or closed ("close"); later imports reuse them.
	Visibility map[string]string `json:"visibility,omitempty"`
}

// DefaultSettings are what a new project starts with.
func DefaultSettings() Settings {
	return Settings{
		IDPresets:   []string{"servicenow"},
		QueryFields: []string{"rule", "host", "user"},
		PairFormat:  "structured",
		FirstStage:  "bm25",
	}
}

// pick resolves one of a job's choices — backend, precision, pair format,
// first stage, starting model, memory budget: the job's option when set,
// else the project's setting (read from the job's SettingsSnapshot), else
// the default. Unset is the zero value ("", 0). Every such choice is
// resolved through it, so the order is written once.
func pick[T comparable](option, setting, def T) T { return cmp.Or(option, setting, def) }

// clone returns a copy of s that shares no slice or map with it.
func (s Settings) clone() Settings {
	s.IDPresets = slices.Clone(s.IDPresets)
	s.IDPatterns = slices.Clone(s.IDPatterns)
	s.QueryFields = slices.Clone(s.QueryFields)
	s.Visibility = maps.Clone(s.Visibility)
	return s
}

// MinMemoryLimitMB is the smallest Settings.MemoryLimitMB other than 0 (no
// limit): below it the model alone does not fit and the Go runtime would
// spend its time collecting garbage.
const MinMemoryLimitMB = 256

// CheckMemoryLimit says why mb cannot be Settings.MemoryLimitMB, or nil.
func CheckMemoryLimit(mb int) error {
	switch {
	case mb < 0:
		return fmt.Errorf("memory limit %d MiB: give a whole number of MiB, 0 for no limit", mb)
	case mb > 0 && mb < MinMemoryLimitMB:
		return fmt.Errorf("memory limit %d MiB: at least %d MiB, or 0 for no limit", mb, MinMemoryLimitMB)
	}
	return nil
}
