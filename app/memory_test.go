package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTrainingBudget(t *testing.T) {
	for _, c := range []struct {
		name          string
		runMB, settMB int
		total, want   int64
	}{
		{"the run's --max-memory first", 2048, 4096, 16 << 30, 2048 << 20},
		{"then the project setting", 0, 4096, 16 << 30, 4096 << 20},
		{"else three quarters of the machine", 0, 0, 16 << 30, 12 << 30},
		{"unknown machine, no limit", 0, 0, 0, 0},
	} {
		assert.Equal(t, c.want, trainingBudget(c.runMB, c.settMB, c.total), c.name)
	}
}
