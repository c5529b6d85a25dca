package mining

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompilePatternsErrors(t *testing.T) {
	tests := []struct {
		name    string
		presets []string
		custom  []string
		want    string
	}{
		{"broken custom", nil, []string{`INC(\d{7}`}, `pattern "INC(\\d{7}": error parsing regexp: missing closing ): ` + "`INC(\\d{7}`"},
		{"unknown preset", []string{"remedy"}, nil, `pattern preset "remedy": unknown`},
		{"empty match", nil, []string{`\d*`}, `matches the empty string`},
		{"nothing", nil, nil, `none given`},
		{"broken after good", []string{"jira"}, []string{`[A-Z`}, `pattern "[A-Z": error parsing regexp: missing closing ]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := CompilePatterns(tc.presets, tc.custom)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMatcherFind(t *testing.T) {
	tests := []struct {
		name    string
		presets []string
		custom  []string
		text    string
		want    []string // canonical IDs
	}{
		{"several in one note", []string{"servicenow"}, nil, "dup of INC0012345; see INC0012346 and INC0012347.", []string{"INC0012345", "INC0012346", "INC0012347"}},
		{"8-digit lookalike", []string{"servicenow"}, nil, "ref INC00123456 and XINC0012345", nil},
		{"lower case", []string{"servicenow"}, nil, "same as inc0012345", []string{"INC0012345"}},
		{"inside URL", []string{"servicenow"}, nil, "https://x.service-now.com/incident.do?sysparm_query=number=INC0012345&x=1", []string{"INC0012345"}},
		{"jira in URL", []string{"jira"}, nil, "https://jira.example.com/browse/SEC-2231?focus=1", []string{"SEC-2231"}},
		{"jira mixed case", []string{"jira"}, nil, "see Sec-12", []string{"SEC-12"}},
		{"servicenow-any foreign", []string{"servicenow-any"}, nil, "CHG0001234 KB0000088 RITM0012345", []string{"CHG0001234", "KB0000088", "RITM0012345"}},
		{"overlap keeps one", []string{"servicenow", "servicenow-any"}, nil, "INC0012345", []string{"INC0012345"}},
		{"generic", []string{"generic"}, nil, "see #123, not abc#9x", []string{"#123"}},
		{"cve", []string{"cve"}, nil, "patched cve-2024-12345 today", []string{"CVE-2024-12345"}},
		{"custom keeps case", nil, []string{`tkt\d+`}, "see Tkt42", []string{"Tkt42"}},
		{"later match not hidden", nil, []string{`\d{3}`}, "1234 567", []string{"567"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := CompilePatterns(tc.presets, tc.custom)
			require.NoError(t, err)
			var got []string
			for _, mm := range m.Find(tc.text) {
				got = append(got, mm.ID)
				assert.Equal(t, mm.Raw, tc.text[mm.Start:mm.End])
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMatcherReplace(t *testing.T) {
	m, err := CompilePatterns([]string{"servicenow", "jira"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "see [ID] and [ID] (not INC00123456)", m.Replace("see inc0012345 and SEC-1 (not INC00123456)", "[ID]"))
	assert.Equal(t, "nothing here", m.Replace("nothing here", "[ID]"))
}
