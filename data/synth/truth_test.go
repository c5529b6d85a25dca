package synth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTruth(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []data.TruthRecord
		wantErr string
	}{
		{"ok with blank lines", "{\"id\":\"INC0000001\",\"cause\":\"travel-00001\",\"kind\":\"travel\"}\n\n{\"id\":\"INC0000002\",\"cites\":[\"INC0000001\"]}\n",
			[]data.TruthRecord{{ID: "INC0000001", Cause: "travel-00001", Kind: "travel"}, {ID: "INC0000002", Cites: []string{"INC0000001"}}}, ""},
		{"empty file", "", nil, ""},
		{"broken json", "{\"id\":\"INC0000001\"}\n{\"id\":\"INC0000002\"}\n{\"id\": \n", nil, "line 3"},
		{"missing id", "{\"id\":\"INC0000001\"}\n{\"cause\":\"x\"}\n", nil, "line 2: synth: bad ground truth: missing id"},
		{"unknown field", "{\"id\":\"INC0000001\",\"colour\":\"red\"}\n", nil, "line 1"},
		{"wrong type", "{\"id\":\"INC0000001\",\"master\":\"yes\"}\n", nil, "line 1"},
		{"trailing data", "{\"id\":\"INC0000001\"} {\"id\":\"INC0000002\"}\n", nil, "line 1: synth: bad ground truth: trailing data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ground_truth.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(tc.body), 0o644))
			got, err := ReadTruth(path)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrTruth)
				assert.Contains(t, err.Error(), path)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReadTruthMissingFile(t *testing.T) {
	_, err := ReadTruth(filepath.Join(t.TempDir(), "nope.jsonl"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
