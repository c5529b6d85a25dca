//go:build cgo

package ort

import (
	"fmt"
	"sync"
	"weak"

	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/onnx"
)

// sessionKey names a model's session for one output; the weak pointer lets
// a model that is no longer used be collected, its sessions with it.
type sessionKey struct {
	m     weak.Pointer[model.Model]
	embed bool
}

// cached is a session with the weights it was exported from.
type cached struct {
	mu    sync.Mutex
	stamp model.WeightsStamp
	s     *Session
}

var sessions = struct {
	sync.Mutex
	m map[sessionKey]*cached
}{m: map[sessionKey]*cached{}}

// Forward returns the model.Forward that runs m's logits (embed false) or
// embeddings (embed true) on ONNX Runtime, sharing one session per model
// and output across callers and re-exporting when m's weights changed.
func Forward(m *model.Model, embed bool) (model.Forward, error) {
	if m == nil {
		return nil, fmt.Errorf("onnxruntime: nil model")
	}
	if !embed && m.Head() != model.CrossEncoder {
		return nil, fmt.Errorf("onnxruntime: logits need a cross-encoder, this model is a %s", m.Head())
	}
	if err := loaded(); err != nil {
		return nil, err
	}
	c := session(m, embed)
	return func(b model.Batch) ([]float32, []int, error) {
		// Held while running, so a rebuild never closes a session in use.
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.current(m, embed)
		if err != nil {
			return nil, nil, err
		}
		return s.Run(b)
	}, nil
}

// session returns the cache entry of (m, embed), dropping those of
// collected models.
func session(m *model.Model, embed bool) *cached {
	sessions.Lock()
	defer sessions.Unlock()
	for k, c := range sessions.m {
		if k.m.Value() == nil {
			delete(sessions.m, k)
			c.close()
		}
	}
	k := sessionKey{weak.Make(m), embed}
	c, ok := sessions.m[k]
	if !ok {
		c = &cached{}
		sessions.m[k] = c
	}
	return c
}

// current returns the session of m's current weights, exporting m and
// building a session when there is none yet or the weights changed. The
// caller holds c.mu.
func (c *cached) current(m *model.Model, embed bool) (*Session, error) {
	if c.s != nil && c.stamp.Matches(m) {
		return c.s, nil
	}
	stamp := m.Stamp()
	out := onnx.OutputLogits
	if embed {
		out = onnx.OutputEmbeddings
	}
	buf, err := onnx.Export(m, out)
	if err != nil {
		return nil, err
	}
	s, err := NewSession(buf, out.Name())
	if err != nil {
		return nil, err
	}
	if c.s != nil {
		c.s.Close()
	}
	c.s, c.stamp = s, stamp
	return s, nil
}

func (c *cached) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s != nil {
		c.s.Close()
		c.s = nil
	}
}
