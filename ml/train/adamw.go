package train

import (
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX house style for graph code.
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// optimizerScope holds the Adam moments, mirroring the model's variable
// tree: the moments of "/encoder/x/weight" are "/adamw/m/encoder/x/weight"
// and "/adamw/v/encoder/x/weight".
const optimizerScope = "/adamw"

// decays reports whether AdamW weight decay applies to the variable at
// path: not to biases, nor to LayerNorm (or any other norm) weights.
func decays(path string) bool {
	p := strings.ToLower(path)
	return !strings.Contains(p, "bias") && !strings.Contains(p, "norm")
}

// isOptimizerVar reports whether path is one of Train's own variables.
func isOptimizerVar(path string) bool {
	return path == optimizerScope || strings.HasPrefix(path, optimizerScope+"/")
}

// trainables lists the store's trainable model variables read by g, in creation order.
func trainables(store *gmodel.Store, g *Graph) []*gmodel.Variable {
	var vars []*gmodel.Variable
	for v := range store.IterVariables() {
		if v.Trainable && !isOptimizerVar(v.Path()) && v.InUseByGraph(g) {
			vars = append(vars, v)
		}
	}
	return vars
}

// adamWUpdate builds one AdamW step on every trainable variable g reads,
// from the gradients of loss: lossGradients, then applyAdamW.
func adamWUpdate(store *gmodel.Store, loss, lr, t *Node, cfg Config) (gradNorm *Node) {
	vars, grads := lossGradients(store, loss)
	return applyAdamW(store, vars, grads, lr, t, cfg)
}

// lossGradients returns the trainable variables loss's graph reads and the
// float32 gradients of loss with respect to them.
func lossGradients(store *gmodel.Store, loss *Node) ([]*gmodel.Variable, []*Node) {
	g := loss.Graph()
	vars := trainables(store, g)
	if len(vars) == 0 {
		exceptions.Panicf("train: the loss depends on no trainable variable of the model's store")
	}
	values := make([]*Node, len(vars))
	for i, v := range vars {
		values[i] = v.NodeValue(g)
	}
	grads := Gradient(loss, values...)
	for i := range grads {
		grads[i] = ConvertDType(grads[i], dtypes.Float32)
	}
	return vars, grads
}

// applyAdamW updates each of vars by its float32 gradient grads[i]:
// gradients clipped to cfg.ClipNorm global L2 norm (as
// torch.nn.utils.clip_grad_norm_), then
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	p ← p − lr·wd·p − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
//
// as torch.optim.AdamW, with wd = 0 for biases and norm weights. lr and t
// (the 1-based update count) are float32 scalars fed per step, so the
// schedule never recompiles the graph. It returns the pre-clipping norm.
func applyAdamW(store *gmodel.Store, vars []*gmodel.Variable, grads []*Node, lr, t *Node, cfg Config) (gradNorm *Node) {
	g := lr.Graph()
	grads = slices.Clone(grads)
	sumSq := ScalarZero(g, dtypes.Float32)
	for _, gr := range grads {
		sumSq = Add(sumSq, ReduceAllSum(Square(gr)))
	}
	gradNorm = Sqrt(sumSq)
	if cfg.ClipNorm > 0 {
		scale := MinScalar(Div(Scalar(g, dtypes.Float32, cfg.ClipNorm), AddScalar(gradNorm, 1e-6)), 1.0)
		for i := range grads {
			grads[i] = Mul(grads[i], scale)
		}
	}

	beta1 := Scalar(g, dtypes.Float32, cfg.Beta1)
	beta2 := Scalar(g, dtypes.Float32, cfg.Beta2)
	debias1 := OneMinus(Pow(beta1, t))
	debias2 := OneMinus(Pow(beta2, t))
	for i, v := range vars {
		shape := v.Shape().Clone()
		shape.DType = dtypes.Float32
		mVar := store.VariableWithShape(optimizerScope+"/m"+v.Path(), shape, initializer.Zero).SetTrainable(false)
		vVar := store.VariableWithShape(optimizerScope+"/v"+v.Path(), shape, initializer.Zero).SetTrainable(false)
		grad := grads[i]
		m := Add(Mul(beta1, mVar.NodeValue(g)), Mul(OneMinus(beta1), grad))
		sq := Add(Mul(beta2, vVar.NodeValue(g)), Mul(OneMinus(beta2), Square(grad)))
		mVar.SetNodeValue(m)
		vVar.SetNodeValue(sq)

		p := ConvertDType(v.NodeValue(g), dtypes.Float32)
		step := Div(Div(m, debias1), AddScalar(Sqrt(Div(sq, debias2)), cfg.Epsilon))
		if cfg.WeightDecay > 0 && decays(v.Path()) {
			step = Add(step, MulScalar(p, cfg.WeightDecay))
		}
		updated := Sub(p, Mul(lr, step))
		v.SetNodeValue(ConvertDType(updated, v.DType()))
	}
	return gradNorm
}
