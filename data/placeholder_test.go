package data

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlaceholder(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"", true}, {"  ", true}, {"?", true}, {"-", true}, {"N/A", true}, {"n/a", true}, {"#N/A", true},
		{"none", true}, {"None", true}, {"NULL", true}, {"null", true}, {"unknown", true}, {" Unknown ", true},
		{"—", true}, {"(not set)", true},
		{"WS-FIN-0231", false}, {"jdoe", false}, {"none.example.com", false}, {"nancy", false}, {"10.0.0.1", false},
		{"?x", false}, {"n/a2", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Placeholder(tt.v), "%q", tt.v)
	}
}
