package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/precedent/precedent/data"
)

// ErrTruth is wrapped by every malformed ground-truth line.
var ErrTruth = errors.New("synth: bad ground truth")

// ReadTruth reads a ground_truth.jsonl file; blank lines are skipped and a
// bad line fails with an error naming the file and line.
func ReadTruth(path string) ([]data.TruthRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	defer f.Close()
	var out []data.TruthRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var tr data.TruthRecord
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&tr); err != nil {
			return nil, fmt.Errorf("read truth %s line %d: %w: %w", path, line, ErrTruth, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("read truth %s line %d: %w: trailing data", path, line, ErrTruth)
		}
		if tr.ID == "" {
			return nil, fmt.Errorf("read truth %s line %d: %w: missing id", path, line, ErrTruth)
		}
		out = append(out, tr)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read truth %s: %w", path, err)
	}
	return out, nil
}
