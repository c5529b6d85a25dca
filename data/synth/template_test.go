package synth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePhrasing(t *testing.T) {
	tests := []struct {
		tmpl    string
		want    string
		wantErr string
	}{
		{"Login by {user} from {country}", "Login by j.smith from Spain", ""},
		{"no slots", "no slots", ""},
		{"{host}", "WS-FIN-0231", ""},
		{"bad {colour}", "", "unknown slot"},
		{"open {user", "", "unclosed"},
	}
	var v [numSlots]string
	v[slotUser], v[slotCountry], v[slotHost] = "j.smith", "Spain", "WS-FIN-0231"
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			p, err := parsePhrasing(tc.tmpl)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			var b strings.Builder
			p.render(&b, &v)
			assert.Equal(t, tc.want, b.String())
		})
	}
}

func TestCatalogue(t *testing.T) {
	names := map[string]bool{}
	for _, r := range allRules() {
		assert.False(t, names[r.name], "duplicate rule %s", r.name)
		names[r.name] = true
	}
	assert.GreaterOrEqual(t, len(names), 200)
	families := map[string]int{}
	for _, tech := range techniques {
		families[tech.family]++
		assert.GreaterOrEqual(t, len(tech.titles), 2, tech.name)
		assert.GreaterOrEqual(t, len(tech.descs), 2, tech.name)
		assert.Contains(t, priorities, tech.severity, tech.name)
	}
	for _, f := range []string{"identity", "endpoint", "network", "email", "cloud", "dlp", "vuln"} {
		assert.Positive(t, families[f], f)
	}
	for _, k := range causeKinds {
		assert.NotEmpty(t, k.techs, k.name)
		assert.NotNil(t, k.setup, k.name)
		assert.NotNil(t, k.scene, k.name)
	}
}
