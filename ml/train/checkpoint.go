package train

import (
	"bufio"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/precedent/precedent/ml/safetensors"
)

// Folder and file names inside Config.Dir.
const (
	checkpointDir = "checkpoint"
	bestDir       = "best"
	stateFile     = "state.json"
	varsFile      = "variables.gob"
	weightsFile   = "model.safetensors"
)

// ErrNoCheckpoint means Resume found no checkpoint in Config.Dir.
var ErrNoCheckpoint = errors.New("no checkpoint")

// ErrRunExists means Train was pointed at a folder that already holds a run;
// Resume it or choose an empty folder.
var ErrRunExists = errors.New("run folder already holds a run")

// state is everything besides variables that a resumed run needs to
// continue exactly where the saved one stopped.
type state struct {
	Config      Config
	Contrastive *ContrastiveOptions `json:",omitempty"` // set for a TrainContrastive run
	TrainLen    int
	PosWeight   float64
	TotalSteps  int
	Step        int // updates done
	Epoch       int // epoch of the next batch
	Batch       int // index of the next batch within its epoch
	HasBest     bool
	BestMetric  float64
	BestStep    int
	SinceBest   int  // validations without improvement since the best
	PendingEval bool // the validation due at Step was interrupted
	LastLoss    float64
	LastLR      float64
	LastVal     float64 // metric of the last validation
	Stopped     string  // set once the run finished or stopped early
	Vars        []savedVar
}

// savedVar records what a Variable's value alone does not say.
type savedVar struct {
	Path      string
	Trainable bool
}

// weightsExporter is implemented by models that can name their weights the
// Hugging Face way (ml/model.Model does); best/ then also holds a
// model.safetensors that ml/hf and ml/model load.
type weightsExporter interface {
	Weights() (map[string]safetensors.Tensor, error)
}

// isBestVar selects the variables a best snapshot keeps: the model's own,
// without optimizer moments or the dropout RNG.
func isBestVar(v *gmodel.Variable) bool {
	return !isOptimizerVar(v.Path()) && v.Path() != rngPath
}

// isCheckpointVar selects the variables a checkpoint keeps: all but the
// gradient accumulators, which are zero between updates (a resumed run
// creates them again, zero, on its first pass).
func isCheckpointVar(v *gmodel.Variable) bool {
	return !isAccumulator(v.Path())
}

// rngPath is where the store keeps its random-number state (dropout).
var rngPath = gmodel.JoinPath("/", gmodel.RNGStateVariableName)

// saveFolder writes the store's variables selected by keep and st into
// dir/name atomically: everything goes to a temporary sibling first, which
// then replaces dir/name by renames, so a crash leaves the previous or the
// new folder (see openFolder for the window between the two renames).
func saveFolder(dir, name string, store *gmodel.Store, st state, keep func(*gmodel.Variable) bool, extra func(tmp string) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(dir, "."+name+"-tmp-")
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	defer os.RemoveAll(tmp) // no-op once renamed
	st.Vars = nil
	var vars []*gmodel.Variable
	for v := range store.IterVariables() {
		if keep(v) && v.HasValue() {
			vars = append(vars, v)
			st.Vars = append(st.Vars, savedVar{Path: v.Path(), Trainable: v.Trainable})
		}
	}
	if err := writeVars(filepath.Join(tmp, varsFile), vars); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err := writeJSON(filepath.Join(tmp, stateFile), st); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if extra != nil {
		if err := extra(tmp); err != nil {
			return fmt.Errorf("save %s: %w", name, err)
		}
	}
	final := filepath.Join(dir, name)
	old := filepath.Join(dir, "."+name+"-old")
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err := os.Rename(final, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	syncDir(dir)
	return os.RemoveAll(old)
}

// openFolder returns dir/name, or its previous version when a crash
// happened between saveFolder's two renames.
func openFolder(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, "."+name+"-old")} {
		if _, err := os.Stat(filepath.Join(p, stateFile)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("open %s: %w", filepath.Join(dir, name), ErrNoCheckpoint)
}

// loadFolder reads a folder written by saveFolder and sets the variables in
// store whose path keep accepts, creating those that do not exist yet
// (optimizer moments, RNG).
func loadFolder(folder string, store *gmodel.Store, keep func(path string) bool) (state, error) {
	var st state
	data, err := os.ReadFile(filepath.Join(folder, stateFile))
	if err != nil {
		return st, fmt.Errorf("load %s: %w", folder, err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("load %s: %w", filepath.Join(folder, stateFile), err)
	}
	path := filepath.Join(folder, varsFile)
	values, err := readVars(path, len(st.Vars))
	if err != nil {
		return st, fmt.Errorf("load %s: %w", path, err)
	}
	for i, sv := range st.Vars {
		if !keep(sv.Path) {
			continue
		}
		value := values[i]
		v := store.GetVariable(sv.Path)
		if v == nil {
			if v, err = store.CreateVariable(sv.Path, value); err != nil {
				return st, fmt.Errorf("load %s variable %s: %w", path, sv.Path, err)
			}
		} else {
			if !v.Shape().Equal(value.Shape()) {
				return st, fmt.Errorf("load %s variable %s: saved shape %s, model has %s", path, sv.Path, value.Shape(), v.Shape())
			}
			if err := v.SetValue(value); err != nil {
				return st, fmt.Errorf("load %s variable %s: %w", path, sv.Path, err)
			}
		}
		v.SetTrainable(sv.Trainable)
	}
	return st, nil
}

// writeVars gob-encodes each variable's value, in order, to path.
func writeVars(path string, vars []*gmodel.Variable) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := gob.NewEncoder(w)
	for _, v := range vars {
		value, err := v.Value()
		if err == nil {
			err = value.GobSerialize(enc)
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("variable %s: %w", v.Path(), err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readVars decodes n tensors written by writeVars.
func readVars(path string, n int) ([]*tensors.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	out := make([]*tensors.Tensor, n)
	for i := range out {
		if out[i], err = tensors.GobDeserialize(dec); err != nil {
			return nil, fmt.Errorf("tensor %d of %d: %w", i, n, err)
		}
	}
	return out, nil
}

// writeJSON writes v indented and synced.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory's entries; best effort, as not every OS allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// LoadWeights sets the model variables of store from a folder written by
// Train: Config.Dir/best (Result.BestDir) or Config.Dir/checkpoint.
func LoadWeights(store *gmodel.Store, folder string) error {
	_, err := loadFolder(folder, store, func(path string) bool {
		return !isOptimizerVar(path) && path != rngPath
	})
	return err
}
