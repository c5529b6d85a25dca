package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
// an exported encoder needs, encoded by hand: field numbers below are the
// proto's own. onnx.proto is proto2, so repeated scalars are written
// unpacked, which every parser accepts.

// Element types of TensorProto.DataType.
const (
	typeFloat = 1
	typeInt64 = 7
)

// AttributeProto.AttributeType values.
const (
	attrFloat  = 1
	attrInt    = 2
	attrTensor = 4
	attrInts   = 7
)

// tensor is a TensorProto: float32 or int64 values stored as raw_data.
type tensor struct {
	name     string
	dims     []int64
	dataType int32
	raw      []byte
}

func floatTensor(name string, dims []int64, values []float32) tensor {
	raw := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return tensor{name: name, dims: dims, dataType: typeFloat, raw: raw}
}

func int64Tensor(name string, dims []int64, values []int64) tensor {
	raw := make([]byte, 8*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return tensor{name: name, dims: dims, dataType: typeInt64, raw: raw}
}

func (t tensor) encode() []byte {
	var b []byte
	for _, d := range t.dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = appendVarintField(b, 2, uint64(t.dataType))
	b = appendStringField(b, 8, t.name)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, t.raw)
}

// attribute is an AttributeProto of one of the kinds above.
type attribute struct {
	name  string
	kind  int
	f     float32
	i     int64
	ints  []int64
	value *tensor
}

func (a attribute) encode() []byte {
	b := appendStringField(nil, 1, a.name)
	switch a.kind {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = appendVarintField(b, 3, uint64(a.i))
	case attrTensor:
		b = appendMessageField(b, 5, a.value.encode())
	case attrInts:
		for _, v := range a.ints {
			b = appendVarintField(b, 8, uint64(v))
		}
	}
	return appendVarintField(b, 20, uint64(a.kind))
}

// node is a NodeProto of the default (ai.onnx) domain.
type node struct {
	op      string
	name    string
	inputs  []string
	outputs []string
	attrs   []attribute
}

func (n node) encode() []byte {
	var b []byte
	for _, in := range n.inputs {
		b = appendStringField(b, 1, in)
	}
	for _, out := range n.outputs {
		b = appendStringField(b, 2, out)
	}
	b = appendStringField(b, 3, n.name)
	b = appendStringField(b, 4, n.op)
	for _, a := range n.attrs {
		b = appendMessageField(b, 5, a.encode())
	}
	return b
}

// valueInfo is a ValueInfoProto of a tensor whose dimensions are named
// (symbolic, e.g. "batch") or fixed (a positive number in dims).
type valueInfo struct {
	name     string
	elemType int32
	dims     []any // string or int
}

func (v valueInfo) encode() []byte {
	var shape []byte
	for _, d := range v.dims {
		var dim []byte
		switch d := d.(type) {
		case string:
			dim = appendStringField(nil, 2, d)
		case int:
			dim = appendVarintField(nil, 1, uint64(d))
		}
		shape = appendMessageField(shape, 1, dim)
	}
	tensorType := appendVarintField(nil, 1, uint64(v.elemType))
	tensorType = appendMessageField(tensorType, 2, shape)
	typ := appendMessageField(nil, 1, tensorType)
	return appendMessageField(appendStringField(nil, 1, v.name), 2, typ)
}

// graph is a GraphProto.
type graph struct {
	name         string
	nodes        []node
	initializers []tensor
	inputs       []valueInfo
	outputs      []valueInfo
}

func (g graph) encode() []byte {
	var b []byte
	for _, n := range g.nodes {
		b = appendMessageField(b, 1, n.encode())
	}
	b = appendStringField(b, 2, g.name)
	for _, t := range g.initializers {
		b = appendMessageField(b, 5, t.encode())
	}
	for _, v := range g.inputs {
		b = appendMessageField(b, 11, v.encode())
	}
	for _, v := range g.outputs {
		b = appendMessageField(b, 12, v.encode())
	}
	return b
}

// IR version 8 goes with opset 17 (onnx/helper.py VERSION_TABLE, ONNX 1.12).
const (
	irVersion = 8
	opset     = 17
)

// encodeModel returns the ModelProto holding g.
func encodeModel(g graph, producer string) []byte {
	b := appendVarintField(nil, 1, irVersion)
	b = appendStringField(b, 2, producer)
	b = appendMessageField(b, 7, g.encode())
	opsetID := appendStringField(nil, 1, "")
	opsetID = appendVarintField(opsetID, 2, opset)
	return appendMessageField(b, 8, opsetID)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendStringField(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessageField(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
