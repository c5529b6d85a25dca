package pairtext

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/precedent/precedent/data"
)

func TestExtract(t *testing.T) {
	sha := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		name string
		text string
		want []Entity
	}{
		{"ipv4 with port", "beacon to 198.51.100.23:443", []Entity{{IP, "198.51.100.23"}}},
		{"not an ip: version or out of range", "agent 1.2.3.4.5 and 300.1.1.1 and 10.0.0", nil},
		{"ipv6 canonical", "login from 2001:DB8:0:0:8a2e:370:7334:1 and fe80::1", []Entity{{IP, "2001:db8::8a2e:370:7334:1"}, {IP, "fe80::1"}}},
		{"clock and mac are not ipv6", "at 12:30:45 on 00:1a:2b:3c:4d:5e", nil},
		{"email, not domain + user", "from J.Smith@Acme-Corp.com today", []Entity{{Email, "j.smith@acme-corp.com"}}},
		{"domain and url host", "evil-c2.example.com and https://soc.example.org/cases/4411?tab=notes", []Entity{{Domain, "evil-c2.example.com"}, {Domain, "soc.example.org"}}},
		{"file names are no domains", "powershell.exe ran invoice_2024.xlsm and scrobj.dll", nil},
		{"internal fqdn is a host", "seen on ws-fin-0231.acme-corp.local", []Entity{{Host, "WS-FIN-0231"}}},
		{"hostnames", "WS-FIN-0231 talked to SRV-DC01 via \\\\FS-02\\share$", []Entity{{Host, "WS-FIN-0231"}, {Host, "SRV-DC01"}, {Host, "FS-02"}}},
		{"ids and standards are no hosts", "CVE-2021-44228 SHA-256 INC-12345 SEC-2231 utf-8 evil-c2.com", []Entity{{Domain, "evil-c2.com"}}},
		{"domain user", `logon by CORP\a.jones and ACME\jsmith`, []Entity{{User, "a.jones"}, {User, "jsmith"}}},
		{"paths are no domain users", `C:\Users\b.lee\Downloads\a.exe`, nil},
		{"builtin accounts ignored", `NT AUTHORITY\SYSTEM user=system`, nil},
		{"key value user", "pushes for user=jdoe2 and Account: svc_backup", []Entity{{User, "jdoe2"}, {User, "svc_backup"}}},
		{"dotted login", "User j.smith2 authenticated; e.g. not a user", []Entity{{User, "j.smith2"}}},
		{"hashes by length", "md5 D41D8CD98F00B204E9800998ECF8427E sha256 " + sha + " and 0123456789abcdef0", []Entity{{Hash, "d41d8cd98f00b204e9800998ecf8427e"}, {Hash, sha}}},
		{"countries", "from Madrid, Spain after United States; South Africa", []Entity{{Country, "Spain"}, {Country, "United States"}, {Country, "South Africa"}}},
		{"unicode around entities", "Zoë’s host WS-ÉTÉ-01 → 203.0.113.7", []Entity{{IP, "203.0.113.7"}}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, extract(tc.text))
		})
	}
}

func TestEntities(t *testing.T) {
	tests := []struct {
		name   string
		ticket data.Ticket
		want   EntitySet
	}{
		{
			name: "fields first, grouped by kind, deduplicated",
			ticket: data.Ticket{User: `CORP\J.Smith`, Host: "ws-fin-0231.corp.local",
				Title:       "Impossible travel for j.smith",
				Description: "From 203.0.113.7 on WS-FIN-0231; again 203.0.113.7 from Spain",
				Extra:       map[string]string{"src": "198.51.100.9"}},
			want: EntitySet{{User, "j.smith"}, {Host, "WS-FIN-0231"}, {IP, "203.0.113.7"}, {IP, "198.51.100.9"}, {Country, "Spain"}},
		},
		{
			name:   "upn user field is an email",
			ticket: data.Ticket{User: "John.Smith@acme-corp.com", Description: "mail from john.smith@acme-corp.com"},
			want:   EntitySet{{Email, "john.smith@acme-corp.com"}},
		},
		{
			name:   "close notes are not read",
			ticket: data.Ticket{Title: "alert", CloseNotes: "attacker 203.0.113.99 blocked, see SRV-DC01"},
			want:   EntitySet{},
		},
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

func TestEntitySetOps(t *testing.T) {
	a := EntitySet{{User, "j.smith"}, {IP, "203.0.113.7"}, {Host, "SRV-DC01"}}
	b := EntitySet{{IP, "203.0.113.7"}, {User, "j.smith"}, {Domain, "x.com"}}
	assert.Equal(t, EntitySet{{User, "j.smith"}, {IP, "203.0.113.7"}}, a.Shared(b))
	assert.Equal(t, EntitySet{{Host, "SRV-DC01"}}, a.Without(b))
	assert.Empty(t, a.Shared(nil))
	assert.Equal(t, "ip", IP.String())
	assert.Equal(t, "kind?", Kind(200).String())
}
