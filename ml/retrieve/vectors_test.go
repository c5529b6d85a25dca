package retrieve

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/half"
)

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func TestReadVectorsJSONL(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr string
	}{
		{"ok with blank line", "{\"id\":\"a\",\"vector\":[1,2]}\n\n{\"id\":\"b\",\"vector\":[3,4.5]}\n", []string{"a", "b"}, ""},
		{"wrong dimension names the line", "{\"id\":\"a\",\"vector\":[1,2]}\n{\"id\":\"b\",\"vector\":[1,2,3]}\n", nil, "line 2 (b): bad vector file: dimension 3, expected 2"},
		{"duplicate id", "{\"id\":\"a\",\"vector\":[1]}\n{\"id\":\"a\",\"vector\":[2]}\n", nil, `line 2: bad vector file: duplicate id "a" (first on line 1)`},
		{"overflow to Inf", "{\"id\":\"a\",\"vector\":[1e39]}\n", nil, "line 1 (a): bad vector file: component 0 is 1e+39"},
		{"bad json", "{\"id\":\"a\",\"vector\":[1,}\n", nil, "line 1: bad vector file"},
		{"missing id", "{\"vector\":[1]}\n", nil, "line 1: bad vector file: missing id"},
		{"empty vector", "{\"id\":\"a\",\"vector\":[]}\n", nil, "empty vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, m, err := ReadVectorsJSONL(writeFile(t, "v.jsonl", []byte(tt.in)))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantIDs, ids)
			assert.Equal(t, Matrix{Rows: 2, Dim: 2, Data: []float32{1, 2, 3, 4.5}}, m)
		})
	}
}

// npy builds an .npy file image.
func npy(version byte, descr, order, shape string, data []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }", descr, order, shape)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := []byte("\x93NUMPY")
	b = append(b, version, 0)
	if version == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(h)))
	}
	return append(append(b, h...), data...)
}

func f32bytes(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func TestReadNPY(t *testing.T) {
	good := f32bytes(1, 2, 3, 4, 5, 6)
	var f16 []byte
	for _, v := range []float32{1, 2, 3, 4, 5, 6} {
		f16 = binary.LittleEndian.AppendUint16(f16, half.FromFloat32(v))
	}
	tests := []struct {
		name    string
		file    []byte
		ids     string
		wantErr string
	}{
		{"float32 v1", npy(1, "<f4", "False", "3, 2", good), "a\nb\nc\n", ""},
		{"float16 v2", npy(2, "<f2", "False", "3, 2", f16), "a\nb\nc\n\n", ""},
		{"truncated data", npy(1, "<f4", "False", "3, 2", good[:20]), "a\nb\nc\n", "truncated data: row 2 of 3 missing"},
		{"truncated header", npy(1, "<f4", "False", "3, 2", nil)[:30], "a\nb\nc\n", "truncated header"},
		{"bad magic", []byte("PK\x03\x04 not numpy"), "a\n", "bad magic"},
		{"big endian", npy(1, ">f4", "False", "3, 2", good), "a\nb\nc\n", `dtype ">f4"`},
		{"float64", npy(1, "<f8", "False", "3, 2", good), "a\nb\nc\n", `dtype "<f8"`},
		{"fortran order", npy(1, "<f4", "True", "3, 2", good), "a\nb\nc\n", "Fortran order"},
		{"1-D", npy(1, "<f4", "False", "6,", good), "a\nb\nc\n", "want 2-D"},
		{"bad header", append([]byte("\x93NUMPY\x01\x00\x05\x00"), "{..}\n"...), "a\n", "lacks descr"},
		{"trailing bytes", npy(1, "<f4", "False", "3, 2", append(good, 0)), "a\nb\nc\n", "trailing bytes"},
		{"id count", npy(1, "<f4", "False", "3, 2", good), "a\nb\n", "2 IDs for 3 rows"},
		{"duplicate id", npy(1, "<f4", "False", "3, 2", good), "a\nb\na\n", `line 3: bad vector file: duplicate id "a"`},
		{"blank id", npy(1, "<f4", "False", "3, 2", good), "a\n\nc\n", "line 2: bad vector file: blank ID"},
		{"NaN", npy(1, "<f4", "False", "3, 2", f32bytes(1, 2, 3, float32(math.NaN()), 5, 6)), "a\nb\nc\n", "row 1 (b): bad vector file: component 1 is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, m, err := ReadNPY(writeFile(t, "v.npy", tt.file), writeFile(t, "ids.txt", []byte(tt.ids)))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				assert.ErrorIs(t, err, ErrBadVectors)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"a", "b", "c"}, ids)
			assert.Equal(t, Matrix{Rows: 3, Dim: 2, Data: []float32{1, 2, 3, 4, 5, 6}}, m)
		})
	}
}

func TestCoverage(t *testing.T) {
	r := Coverage([]string{"a", "b", "x"}, []string{"a", "b", "c", "d"})
	assert.Equal(t, CoverageReport{Archive: 4, Vectors: 3, Missing: 2, Unknown: 1,
		MissingIDs: []string{"c", "d"}, UnknownIDs: []string{"x"}}, r)
}

func TestRecallAtK(t *testing.T) {
	c := func(ids ...string) []Candidate {
		out := []Candidate{}
		for i, id := range ids {
			out = append(out, Candidate{ID: id, Rank: i + 1})
		}
		return out
	}
	cands := [][]Candidate{c("a", "b", "c"), c("x", "y"), c("p")}
	rel := []map[string]bool{{"b": true, "z": true}, {"y": true}, {}}
	assert.InDelta(t, (0.5+1)/2, RecallAtK(cands, rel, 3), 1e-9)
	assert.InDelta(t, 0.0, RecallAtK(cands, rel, 1), 1e-9)
	assert.InDelta(t, 0.75, FirstStageRecall(cands, rel), 1e-9)
	assert.Zero(t, RecallAtK(nil, nil, 5))
}
