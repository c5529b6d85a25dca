package train

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/platform/fsutil"
)

// curveFile is the JSON Lines log of a run, one Point per step.
const curveFile = "curve.jsonl"

// Point is one step of the training curve; Val is set on steps that ran a validation.
type Point struct {
	Step           int      `json:"step"`
	Epoch          int      `json:"epoch"`
	Loss           float64  `json:"loss"`
	LR             float64  `json:"lr"`
	ExamplesPerSec float64  `json:"examples_per_sec"`
	Val            *float64 `json:"val,omitempty"`
}

// curveLog appends Points to Dir/curve.jsonl; a nil *curveLog (no Dir) only keeps them in memory.
type curveLog struct {
	path string
	f    *os.File
}

// openCurve creates the log for a fresh run (truncating), or, for a resumed
// run, rewrites it with the given points so that steps logged after the
// checkpoint are not duplicated.
func openCurve(dir string, points []Point) (*curveLog, error) {
	if dir == "" {
		return nil, nil
	}
	c := &curveLog{path: filepath.Join(dir, curveFile)}
	err := fsutil.WriteFileAtomicFunc(c.path, 0o644, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		for _, p := range points {
			if err := writePoint(w, p); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		return nil, fmt.Errorf("curve %s: %w", c.path, err)
	}
	if c.f, err = os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return nil, fmt.Errorf("curve %s: %w", c.path, err)
	}
	return c, nil
}

// append writes one point; the file stays valid JSONL after each call.
func (c *curveLog) append(p Point) error {
	if c == nil {
		return nil
	}
	if err := writePoint(c.f, p); err != nil {
		return fmt.Errorf("curve %s step %d: %w", c.path, p.Step, err)
	}
	return nil
}

// close releases the file.
func (c *curveLog) close() error {
	if c == nil {
		return nil
	}
	return c.f.Close()
}

func writePoint(w interface{ Write([]byte) (int, error) }, p Point) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// ReadCurve reads the points of Dir/curve.jsonl, skipping a torn last line.
func ReadCurve(dir string) ([]Point, error) {
	path := filepath.Join(dir, curveFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("curve %s: %w", path, err)
	}
	defer f.Close()
	var points []Point
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var p Point
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			if !sc.Scan() { // a crash mid-write leaves at most the last line torn
				break
			}
			return nil, fmt.Errorf("curve %s line %d: %w", path, line, err)
		}
		points = append(points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("curve %s: %w", path, err)
	}
	return points, nil
}
