package rerank

import (
	"cmp"
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

// IDMaskToken replaces ticket IDs in pair text, in training and serving alike.
const IDMaskToken = "[ID]"

// ServingFile is the serving config's file name in a model folder.
const ServingFile = "precedent.json"

// WriteServingConfig writes c as dir's precedent.json.
func WriteServingConfig(dir string, c ServingConfig) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ServingFile), append(b, '\n'), 0o644)
}

// ReadServingConfig reads precedent.json from a model folder; a plain
// Hugging Face folder without it gets the structured format, no ID masking
// and 256 tokens.
func ReadServingConfig(dir string) (ServingConfig, error) {
	c := ServingConfig{PairFormat: "structured", MaxLen: 256}
	path := filepath.Join(dir, ServingFile)
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
		f.Mask = IDMask(m, cmp.Or(c.IDMask, IDMaskToken))
	}
	return f, nil
}

// IDMask hides what m matches behind token: the one ID mask training,
// evaluation and serving share.
func IDMask(m *mining.Matcher, token string) func(string) string {
	return func(s string) string { return m.Replace(s, token) }
}
