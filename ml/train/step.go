package train

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	"github.com/gomlx/gomlx/core/tensors"
	gmodel "github.com/gomlx/gomlx/ml/model"
)

// Model is the cross-encoder Train fits; ml/model.Model implements it.
type Model interface {
	// Store holds the model's variables; Train adds its optimizer state under /adamw.
	Store() *gmodel.Store
	// LogitsGraph maps int32 ids, typeIDs and mask [rows, len] to float32
	// logits [rows], with dropout when scope.IsTraining(g).
	LogitsGraph(scope *gmodel.Scope, ids, typeIDs, mask *Node) *Node
}

// maxCompiled bounds the compiled step graphs kept, one per length bucket.
const maxCompiled = 16

// stepper runs one compiled training step per padded input shape.
type stepper struct {
	exec *gmodel.Exec
}

// newStepper builds (lazily compiling per shape) the graph that computes the
// loss, its gradients and the AdamW update of every trainable variable.
func newStepper(backend compute.Backend, m Model, cfg Config, posWeight float64) (*stepper, error) {
	fn := func(scope *gmodel.Scope, inputs []*Node) []*Node {
		ids, typeIDs, mask, labels, weights, lr, t := inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5], inputs[6]
		scope.Store().SetTraining(ids.Graph(), true)
		logits := m.LogitsGraph(scope, ids, typeIDs, mask)
		loss := BCEWithLogits(logits, labels, weights, posWeight)
		norm := adamWUpdate(scope.Store(), loss, lr, t, cfg)
		return []*Node{loss, norm}
	}
	exec, err := gmodel.NewExec(backend, m.Store(), fn)
	if err != nil {
		return nil, fmt.Errorf("train step: %w", err)
	}
	exec.SetMaxCache(maxCompiled)
	return &stepper{exec: exec}, nil
}

// run applies one update with learning rate lr as update number t (1-based)
// and returns the loss before the update and the unclipped gradient norm.
func (s *stepper) run(in stepInputs, lr float64, t int) (loss, gradNorm float64, err error) {
	out, err := s.exec.Call(in.ids, in.typeIDs, in.mask, in.labels, in.weights,
		tensors.FromScalar(float32(lr)), tensors.FromScalar(float32(t)))
	if err != nil {
		return 0, 0, fmt.Errorf("train step %d: %w", t, err)
	}
	if len(out) != 2 {
		return 0, 0, fmt.Errorf("train step %d: graph returned %d outputs, want 2", t, len(out))
	}
	loss = float64(tensors.ToScalar[float32](out[0]))
	gradNorm = float64(tensors.ToScalar[float32](out[1]))
	return loss, gradNorm, nil
}

// close frees the compiled graphs.
func (s *stepper) close() {
	s.exec.Finalize()
}
