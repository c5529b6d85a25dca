//go:build cgo

package ort

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/onnx"
	"github.com/precedent/precedent/platform"
)

// Session is one exported model on ONNX Runtime. Run is safe for
// concurrent use (ONNX Runtime's sessions are).
type Session struct {
	s      *ort.DynamicAdvancedSession
	output string
}

// NewSession builds a session over the serialized ONNX model onnxModel
// (package ml/onnx's inputs, one output named output) with one intra-op
// thread per physical core and all graph optimizations. Load must have
// succeeded first.
func NewSession(onnxModel []byte, output string) (*Session, error) {
	if err := loaded(); err != nil {
		return nil, err
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: session options: %w", err)
	}
	defer opts.Destroy()
	for _, set := range []func() error{
		func() error { return opts.SetIntraOpNumThreads(platform.PhysicalCores()) },
		func() error { return opts.SetInterOpNumThreads(1) },
		func() error { return opts.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll) },
	} {
		if err := set(); err != nil {
			return nil, fmt.Errorf("onnxruntime: session options: %w", err)
		}
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(onnxModel,
		[]string{onnx.InputIDs, onnx.TokenTypeIDs, onnx.AttentionMask}, []string{output}, opts)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: build session: %w", err)
	}
	return &Session{s: s, output: output}, nil
}

// Run computes the output for batch b (at its own shape: no padding) and
// returns it flat with its shape.
func (s *Session) Run(b model.Batch) ([]float32, []int, error) {
	if err := b.Validate(); err != nil {
		return nil, nil, err
	}
	shape := ort.NewShape(int64(b.Rows), int64(b.Len))
	var inputs []ort.Value
	defer func() {
		for _, v := range inputs {
			v.Destroy()
		}
	}()
	for _, col := range [][]int32{b.IDs, b.TypeIDs, b.Mask} {
		data := make([]int64, len(col))
		for i, v := range col {
			data[i] = int64(v)
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, nil, fmt.Errorf("onnxruntime: input tensor: %w", err)
		}
		inputs = append(inputs, t)
	}
	outputs := []ort.Value{nil}
	if err := s.s.Run(inputs, outputs); err != nil {
		return nil, nil, fmt.Errorf("onnxruntime: run [%d, %d] batch: %w", b.Rows, b.Len, err)
	}
	defer outputs[0].Destroy()
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, nil, fmt.Errorf("onnxruntime: output %q is a %T, want a float32 tensor", s.output, outputs[0])
	}
	dims := make([]int, len(t.GetShape()))
	for i, d := range t.GetShape() {
		dims[i] = int(d)
	}
	return append([]float32(nil), t.GetData()...), dims, nil
}

// Close releases the session.
func (s *Session) Close() error {
	if err := s.s.Destroy(); err != nil {
		return fmt.Errorf("onnxruntime: close session: %w", err)
	}
	return nil
}
