package loadtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestOptionsDefaults(t *testing.T) {
	def := DefaultOptions()
	assert.Equal(t, Options{API: "tickets", Clients: 8, Duration: 20 * time.Second, MaxRequests: 100000, Candidates: 20}, def)
	got := Options{}.withDefaults()
	assert.NotNil(t, got.Client)
	got.Client = nil
	assert.Equal(t, def, got, "zero takes every default")
	given := Options{API: "tei", Clients: 2, Duration: time.Second, MaxRequests: 10, Candidates: 5}
	got = given.withDefaults()
	got.Client = nil
	assert.Equal(t, given, got, "given values are kept")
}
