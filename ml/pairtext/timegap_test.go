package pairtext

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTimeGap(t *testing.T) {
	q := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		doc  time.Time
		want string
	}{
		{"same hour", q.Add(-59 * time.Minute), "same hour"},
		{"same hour after", q.Add(10 * time.Minute), "same hour"},
		{"one hour", q.Add(-time.Hour), "1 hour earlier"},
		{"hours", q.Add(-5*time.Hour - 30*time.Minute), "5 hours earlier"},
		{"one day", q.Add(-25 * time.Hour), "1 day earlier"},
		{"days", q.AddDate(0, 0, -3), "3 days earlier"},
		{"months", q.AddDate(0, -2, -1), "2 months earlier"},
		{"years", q.AddDate(-3, 0, 0), "3 years earlier"},
		{"later", q.AddDate(0, 0, 4), "4 days later"},
		{"unknown", time.Time{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, TimeGap(q, tc.doc))
		})
	}
	assert.Empty(t, TimeGap(time.Time{}, q), "unknown query time")
}
