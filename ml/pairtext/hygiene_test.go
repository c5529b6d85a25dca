package pairtext

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
)

func TestEntityHygiene(t *testing.T) {
	sha := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		name   string
		ticket data.Ticket
		want   EntitySet
	}{
		{"placeholder host and user", data.Ticket{Host: "?", User: "N/A"}, nil},
		{"more placeholders", data.Ticket{Host: "-", User: "unknown"}, nil},
		{"null and none", data.Ticket{Host: "null", User: "none"}, nil},
		{"placeholder extra", data.Ticket{Extra: map[string]string{"src_ip": "n/a", "dest": "-"}}, nil},
		{"assignment group mapped to host", data.Ticket{Host: "Service Desk"}, nil},
		{"queue name mapped to host", data.Ticket{Host: "SOC L2"}, nil},
		{"group column is not read", data.Ticket{Extra: map[string]string{"assignment_group": "Tier-2", "Queue": "soc-l2"}}, nil},
		{"a host looks like a host", data.Ticket{Host: "ws-fin-0231.corp.local"}, EntitySet{{Host, "WS-FIN-0231"}}},
		{"an address in the host field is an ip", data.Ticket{Host: "10.0.0.7"}, EntitySet{{IP, "10.0.0.7"}}},
		{"short host name", data.Ticket{Host: "mailsrv01"}, EntitySet{{Host, "MAILSRV01"}}},
		{"asset id that looks like a hash", data.Ticket{Extra: map[string]string{"asset_id": sha}}, EntitySet{{Asset, sha}}},
		{"bare asset id", data.Ticket{Extra: map[string]string{"dest_asset": "A-000123"}}, EntitySet{{Asset, "a-000123"}}},
		{"a hash elsewhere stays a hash", data.Ticket{Extra: map[string]string{"file_hash": sha}}, EntitySet{{Hash, sha}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Entities(tc.ticket)
			if len(tc.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestHostField(t *testing.T) {
	tests := []struct {
		v    string
		want Entity
		ok   bool
	}{
		{"WS-FIN-0231", Entity{Host, "WS-FIN-0231"}, true},
		{"srv_db01.acme.local.", Entity{Host, "SRV_DB01"}, true},
		{"fe80::1", Entity{IP, "fe80::1"}, true},
		{"Service Desk", Entity{}, false},
		{"SOC L2", Entity{}, false},
		{"Network/Firewall", Entity{}, false},
		{"-host", Entity{}, false},
		{"a..b", Entity{}, false},
		{"?", Entity{}, false},
		{"", Entity{}, false},
		{strings.Repeat("a", 64), Entity{}, false},
	}
	for _, tc := range tests {
		got, ok := hostField(tc.v)
		assert.Equal(t, tc.ok, ok, "%q", tc.v)
		assert.Equal(t, tc.want, got, "%q", tc.v)
	}
}

func TestFindStops(t *testing.T) {
	soar := Entity{User, "svc_soar"}
	portal := Entity{Domain, "portal.azure.com"}
	tests := []struct {
		name  string
		sets  func() []EntitySet
		share float64
		want  []Entity
	}{
		{"a domain on every ticket and the SOAR user on most", func() []EntitySet {
			var out []EntitySet
			for i := range 100 {
				s := EntitySet{portal, {Host, fmt.Sprintf("WS-%03d", i)}}
				if i%3 > 0 {
					s = append(s, soar)
				}
				out = append(out, s)
			}
			return out
		}, StopShare, []Entity{soar, portal}},
		{"a campaign's domain on 4% is no stop-entity", func() []EntitySet {
			var out []EntitySet
			for i := range 500 {
				s := EntitySet{{Host, fmt.Sprintf("WS-%03d", i)}}
				if i < 20 {
					s = append(s, Entity{Domain, "evil.example.com"})
				}
				out = append(out, s)
			}
			return out
		}, StopShare, nil},
		{"a small archive needs stopMinTickets", func() []EntitySet {
			return []EntitySet{{portal}, {portal}, {portal}}
		}, StopShare, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FindStops(tc.sets(), tc.share).List()
			if len(tc.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStopEntitiesAreShownNotShared(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	q := data.Ticket{ID: "Q", Opened: at, Title: "Sign-in to portal.azure.com", Description: "user jdoe from 203.0.113.7", User: "svc_soar"}
	d := data.Ticket{ID: "D", Opened: at.Add(-time.Hour), Title: "Sign-in to portal.azure.com", Description: "from 203.0.113.7", User: "svc_soar"}
	f := Structured()
	before := DocSide(q, d, f)
	assert.Contains(t, before, "shared: user svc_soar, ip 203.0.113.7, domain portal.azure.com")
	f.StopEntities = []Entity{{User, "svc_soar"}, {Domain, "portal.azure.com"}}
	after := DocSide(q, d, f)
	assert.Contains(t, after, "shared: ip 203.0.113.7")
	assert.NotContains(t, after, "shared: user svc_soar")
	assert.Contains(t, after, "portal.azure.com", "a stop-entity is still shown")
	assert.Equal(t, EntitySet{{IP, "203.0.113.7"}}, Entities(q).Shared(Entities(d)).Evidence(StopsOf(f.StopEntities)))
}

func TestEntityText(t *testing.T) {
	f := Structured()
	f.StopEntities = []Entity{{Domain, "api.github.com"}, {Asset, "a-1"}}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"stop_entities":["domain:api.github.com","asset:a-1"]`)
	var back Format
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, f.StopEntities, back.StopEntities)
	for _, bad := range []string{`"domain"`, `"planet:mars"`, `"user:"`} {
		var e Entity
		assert.Error(t, json.Unmarshal([]byte(bad), &e), bad)
	}
}
