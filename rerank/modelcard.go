package rerank

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// CardFile is the model card's file name in an exported model folder.
const CardFile = "model_card.json"

// ModelCard is an exported model's card (model_card.json) as a server reads
// it: where the training data came from (counts and date windows only —
// never ticket text), how it scored and how it was trained. Export writes
// it from the project's records; `precedent serve` returns it from GET
// /info and counts requests from rules outside Rules. The parts only the
// project interprets (hyper-parameters, windows, evaluation) are kept as
// the JSON export wrote, so /info passes them on unchanged. It is the one
// card type: app fills and reads those parts with its own types.
type ModelCard struct {
	Run        string          `json:"run"`
	Exported   time.Time       `json:"exported"`
	StartModel string          `json:"start_model"` // the checkpoint's folder name, or "scratch"
	Backend    string          `json:"backend"`
	Options    json.RawMessage `json:"hyper_parameters"`
	Steps      int             `json:"steps"`
	BestStep   int             `json:"best_step"`
	ValMRR10   float64         `json:"best_val_mrr@10"`
	Examples   int             `json:"examples"`
	Positives  int             `json:"positives"`
	Negatives  int             `json:"negatives"`
	Tickets    int             `json:"tickets"`
	Windows    json.RawMessage `json:"windows,omitempty"` // train / validation / test: dates and counts
	Eval       json.RawMessage `json:"eval,omitempty"`    // the test window, when the run was evaluated
	PairFormat string          `json:"pair_format"`
	MaxLen     int             `json:"max_len"`
	// Rules are the detection rules of the tickets opened before the end
	// of the validation window (names only): `serve` counts requests from
	// other rules on /metrics, a label-free drift signal.
	Rules []string `json:"rules,omitempty"`
}

// ReadModelCard reads model_card.json from a model folder; ok is false when
// there is none (a plain Hugging Face checkpoint).
func ReadModelCard(dir string) (c ModelCard, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, CardFile))
	if os.IsNotExist(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, false, fmt.Errorf("%s: %w", CardFile, err)
	}
	return c, true, nil
}
