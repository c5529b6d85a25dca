package model

import (
	"math"
	"strings"

	"github.com/precedent/precedent/ml/safetensors"
)

// refForward is a naive float64 forward pass, independent of GoMLX, used to
// check the graph when no PyTorch fixture is at hand. It returns the last
// hidden states of each row, [rows][len][hidden].
func refForward(a arch, w map[string]safetensors.Tensor, b Batch) [][][]float64 {
	h := a.hidden
	out := make([][][]float64, b.Rows)
	for r := range b.Rows {
		ids := b.IDs[r*b.Len : (r+1)*b.Len]
		types := b.TypeIDs[r*b.Len : (r+1)*b.Len]
		mask := b.Mask[r*b.Len : (r+1)*b.Len]
		x := make([][]float64, b.Len)
		cum := 0
		for t := range b.Len {
			pos := t
			if a.xlmr {
				cum += int(mask[t])
				pos = cum*int(mask[t]) + a.padID
			}
			x[t] = make([]float64, h)
			for j := range h {
				x[t][j] = float64(w["embeddings.word_embeddings.weight"].Data[int(ids[t])*h+j]) +
					float64(w["embeddings.position_embeddings.weight"].Data[pos*h+j]) +
					float64(w["embeddings.token_type_embeddings.weight"].Data[int(types[t])*h+j])
			}
			x[t] = refNorm(a, w, "embeddings.LayerNorm", x[t])
		}
		for l := range a.layers {
			x = refLayer(a, w, layerPrefix(l), x, mask)
		}
		out[r] = x
	}
	return out
}

func refLayer(a arch, w map[string]safetensors.Tensor, p string, x [][]float64, mask []int32) [][]float64 {
	n, hd := len(x), a.hidden/a.heads
	q, k, v := make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for t := range n {
		q[t] = refLinear(w, p+"attention.self.query", x[t])
		k[t] = refLinear(w, p+"attention.self.key", x[t])
		v[t] = refLinear(w, p+"attention.self.value", x[t])
	}
	ctx := make([][]float64, n)
	for t := range n {
		ctx[t] = make([]float64, a.hidden)
		for hh := range a.heads {
			scores := make([]float64, n)
			maxS := math.Inf(-1)
			for s := range n {
				if mask[s] == 0 {
					scores[s] = math.Inf(-1)
					continue
				}
				dot := 0.0
				for d := range hd {
					dot += q[t][hh*hd+d] * k[s][hh*hd+d]
				}
				scores[s] = dot / math.Sqrt(float64(hd))
				maxS = math.Max(maxS, scores[s])
			}
			sum := 0.0
			for s := range n {
				scores[s] = math.Exp(scores[s] - maxS)
				sum += scores[s]
			}
			for s := range n {
				for d := range hd {
					ctx[t][hh*hd+d] += scores[s] / sum * v[s][hh*hd+d]
				}
			}
		}
	}
	out := make([][]float64, n)
	for t := range n {
		attn := refLinear(w, p+"attention.output.dense", ctx[t])
		for j := range attn {
			attn[j] += x[t][j]
		}
		y := refNorm(a, w, p+"attention.output.LayerNorm", attn)
		inter := refLinear(w, p+"intermediate.dense", y)
		for j, z := range inter {
			inter[j] = z * 0.5 * (1 + math.Erf(z/math.Sqrt2))
		}
		o := refLinear(w, p+"output.dense", inter)
		for j := range o {
			o[j] += y[j]
		}
		out[t] = refNorm(a, w, p+"output.LayerNorm", o)
	}
	return out
}

// refRoundBF16 makes refLinear round the encoder layers' product inputs to
// bfloat16 (round to nearest even), as a BF16 Scorer does; the head stays exact.
var refRoundBF16 bool

func refLinear(w map[string]safetensors.Tensor, name string, x []float64) []float64 {
	W, B := w[name+".weight"], w[name+".bias"]
	outDim, inDim := W.Shape[0], W.Shape[1]
	round := func(v float64) float64 { return v }
	if refRoundBF16 && strings.HasPrefix(name, "encoder.") {
		round = func(v float64) float64 {
			b := math.Float32bits(float32(v))
			b += 0x7FFF + (b>>16)&1 // round to nearest, ties to even
			return float64(math.Float32frombits(b &^ 0xFFFF))
		}
	}
	y := make([]float64, outDim)
	for o := range outDim {
		s := float64(B.Data[o])
		for i := range inDim {
			s += round(float64(W.Data[o*inDim+i])) * round(x[i])
		}
		y[o] = s
	}
	return y
}

func refNorm(a arch, w map[string]safetensors.Tensor, name string, x []float64) []float64 {
	mean, vari := 0.0, 0.0
	for _, z := range x {
		mean += z
	}
	mean /= float64(len(x))
	for _, z := range x {
		vari += (z - mean) * (z - mean)
	}
	vari /= float64(len(x))
	y := make([]float64, len(x))
	for j, z := range x {
		y[j] = (z-mean)/math.Sqrt(vari+a.eps)*float64(w[name+".weight"].Data[j]) + float64(w[name+".bias"].Data[j])
	}
	return y
}

// refLogits applies the cross-encoder head to refForward's output.
func refLogits(a arch, w map[string]safetensors.Tensor, hidden [][][]float64) []float64 {
	out := make([]float64, len(hidden))
	for r, x := range hidden {
		var h []float64
		if a.xlmr {
			h = refLinear(w, "classifier.dense", x[0])
		} else {
			h = refLinear(w, "pooler.dense", x[0])
		}
		for j := range h {
			h[j] = math.Tanh(h[j])
		}
		var logits []float64
		if a.xlmr {
			logits = refLinear(w, "classifier.out_proj", h)
		} else {
			logits = refLinear(w, "classifier", h)
		}
		out[r] = logits[0]
		if len(logits) == 2 {
			out[r] = logits[1] - logits[0]
		}
	}
	return out
}

// refMeanEmbed mean-pools and L2-normalises refForward's output.
func refMeanEmbed(hidden [][][]float64, b Batch) [][]float64 {
	out := make([][]float64, len(hidden))
	for r, x := range hidden {
		v := make([]float64, len(x[0]))
		n := 0.0
		for t := range x {
			if b.Mask[r*b.Len+t] == 0 {
				continue
			}
			n++
			for j := range v {
				v[j] += x[t][j]
			}
		}
		norm := 0.0
		for j := range v {
			v[j] /= n
			norm += v[j] * v[j]
		}
		for j := range v {
			v[j] /= math.Sqrt(norm)
		}
		out[r] = v
	}
	return out
}
