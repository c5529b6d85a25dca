package pairtext

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchKeys(t *testing.T) {
	tests := []struct {
		name string
		in   EntitySet
		want []string
	}{
		{"domain account and dotted name meet", EntitySet{{User, `ACME\enielsen`}, {User, "e.nielsen"}}, []string{"user:enielsen"}},
		{"email gives user and domain", EntitySet{{Email, "john.smith@acme-corp.com"}}, []string{"user:johnsmith", "user:jsmith", "domain:acmecorpcom"}},
		{"arn user", EntitySet{{User, "arn:aws:iam::1234:user/j.smith"}}, []string{"user:jsmith"}},
		{"host short name", EntitySet{{Host, "srv-prn01.corp.acme.local"}, {Host, "SRV-PRN01"}}, []string{"host:srvprn01"}},
		{"ip", EntitySet{{IP, "203.0.113.7"}}, []string{"ip:203x0x113x7"}},
		{"too short is dropped", EntitySet{{User, "ab"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MatchKeys(tc.in))
		})
	}
}
