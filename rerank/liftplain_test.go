package rerank

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/precedent/precedent/data"
)

func TestLiftPlain(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want data.Ticket
	}{
		{"Phishing reported. User forwarded a mail from evil.example asking for a password",
			data.Ticket{Title: "Phishing reported.", Description: "User forwarded a mail from evil.example asking for a password"}},
		{"Impossible travel\nrule: Impossible travel | user: j.smith | host: WS-042\nLogins from 10.0.0.7 and 203.0.113.9",
			data.Ticket{Rule: "Impossible travel", User: "j.smith", Host: "WS-042", Title: "Impossible travel", Description: "Logins from 10.0.0.7 and 203.0.113.9"}},
		{"Severity=high; beacon to c2.example.net from ws-7",
			data.Ticket{Severity: "high", Title: "beacon to c2.example.net from ws-7"}},
		{"", data.Ticket{}},
	} {
		assert.Equal(t, tc.want, LiftPlain(tc.in), tc.in)
	}
}
