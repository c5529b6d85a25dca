package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/ml/pairtext"
)

// ServingConfig is written beside a model (precedent.json) so whoever serves
// it builds exactly the pair text the model was trained on: the pair format
// with every field it shows, the ticket-ID patterns masked out of the text,
// what of a candidate is visible, and the token budget.
type ServingConfig struct {
	PairFormat string           `json:"pair_format"`
	Format     *pairtext.Format `json:"format,omitempty"`      // the full format; wins over PairFormat when present
	IDPresets  []string         `json:"id_presets,omitempty"`  // mining.Presets names whose matches are masked
	IDPatterns []string         `json:"id_patterns,omitempty"` // custom ID expressions whose matches are masked
	IDMask     string           `json:"id_mask,omitempty"`     // what an ID becomes ("[ID]")
	Visibility string           `json:"visibility,omitempty"`  // VisibilityAsOfQuery
	MaxLen     int              `json:"max_len"`
	Run        string           `json:"run,omitempty"`
}

// VisibilityAsOfQuery is the one visibility rule (data.Ticket.AsOf), in
// training and serving alike: a candidate shows what was written before the
// query opened — all of it for a ticket closed before then, which is every
// archived ticket when a live alert is scored; a query without an opened
// time sees everything. The query itself is what was known at opening.
const VisibilityAsOfQuery = "as-of-query-opened"

// idMaskToken replaces ticket IDs in pair text, in training and serving alike.
const idMaskToken = "[ID]"

const servingFile = "precedent.json"

func writeServingConfig(dir string, c ServingConfig) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, servingFile), append(b, '\n'), 0o644)
}

// ReadServingConfig reads precedent.json from a model folder; a plain
// Hugging Face folder without it gets the structured format, no ID masking
// and 256 tokens.
func ReadServingConfig(dir string) (ServingConfig, error) {
	c := ServingConfig{PairFormat: "structured", MaxLen: 256}
	path := filepath.Join(dir, servingFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := c.PairText(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if c.MaxLen <= 0 {
		return c, fmt.Errorf("%s: max_len %d: want a positive token budget", path, c.MaxLen)
	}
	return c, nil
}

// PairText is the pair format the config describes, with its ID mask.
func (c ServingConfig) PairText() (pairtext.Format, error) {
	var f pairtext.Format
	if c.Format != nil {
		f = *c.Format
		if err := f.Validate(); err != nil {
			return f, fmt.Errorf("format: %w", err)
		}
	} else {
		var err error
		if f, err = pairtext.ByName(c.PairFormat); err != nil {
			return f, err
		}
	}
	if len(c.IDPresets)+len(c.IDPatterns) > 0 {
		m, err := mining.CompilePatterns(c.IDPresets, c.IDPatterns)
		if err != nil {
			return f, fmt.Errorf("id patterns: %w", err)
		}
		f.Mask = idMask(m, firstNonEmpty(c.IDMask, idMaskToken))
	}
	return f, nil
}

// idMask hides what m matches behind token: the one ID mask training,
// evaluation and serving share.
func idMask(m *mining.Matcher, token string) func(string) string {
	return func(s string) string { return m.Replace(s, token) }
}

// servingConfigFor is the full serving config of a run as the project would
// render its pairs today: the run's format and the project's ID patterns.
func (p *Project) servingConfigFor(r RunRecord) (ServingConfig, error) {
	f, err := p.pairFormat(r.Options.PairFormat)
	if err != nil {
		return ServingConfig{}, err
	}
	presets, patterns := p.idPatterns()
	f.Mask = nil
	return ServingConfig{
		PairFormat: f.Name, Format: &f, IDPresets: presets, IDPatterns: patterns, IDMask: idMaskToken,
		Visibility: VisibilityAsOfQuery, MaxLen: r.Options.MaxLen, Run: r.ID,
	}, nil
}

// idPatterns are the project's ID presets and custom expressions as the last
// mining used them (the settings' when nothing was mined yet).
func (p *Project) idPatterns() (presets, patterns []string) {
	o := p.mineDefaults(MineOptions{})
	if r, ok, err := p.LastMine(); err == nil && ok {
		o = r.Options
	}
	return o.Presets, o.Patterns
}
