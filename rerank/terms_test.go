package rerank

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSharedTerms(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		n    int
		want []string
	}{
		{"in a's order, once each", "Mailbox rule created; mailbox forwarding", "forwarding set by a mailbox rule", 8, []string{"mailbox", "rule", "forwarding"}},
		{"a word ending a sentence still counts", "Password reset requested", "User asked for a password reset.", 8, []string{"password", "reset"}},
		{"short and stop words say nothing", "user alert from host WS1 via VPN", "user alert from host WS1 via VPN", 8, nil},
		{"case and punctuation ignored", "Beacon to EVIL.example.com!", "beacon to evil.example.com", 8, []string{"beacon", "evil.example.com"}},
		{"at most n", "alpha bravo charlie delta", "delta charlie bravo alpha", 2, []string{"alpha", "bravo"}},
		{"nothing shared", "lateral movement", "phishing email", 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SharedTerms(tt.a, tt.b, tt.n))
		})
	}
}
