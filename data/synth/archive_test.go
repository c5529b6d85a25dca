package synth

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	incRe    = regexp.MustCompile(`^INC\d{7}$`)
	anyIncRe = regexp.MustCompile(`(?i)inc\d{7}`)
)

func generate(t testing.TB, cfg Config) *Archive {
	t.Helper()
	a, err := Generate(cfg)
	require.NoError(t, err)
	require.Len(t, a.Tickets, cfg.Tickets)
	require.Len(t, a.Truth, cfg.Tickets)
	return a
}

func TestGenerateConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"too few tickets", Config{Tickets: 99}, "Tickets 99"},
		{"negative tickets", Config{Tickets: -5}, "Tickets -5"},
		{"too many tickets", Config{Tickets: MaxTickets + 1}, "above"},
		{"span under a day", Config{Tickets: 200, Span: time.Hour}, "Span"},
		{"minimum", Config{Tickets: MinTickets}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Generate(tc.cfg)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrConfig)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, a.Tickets, tc.cfg.Tickets)
		})
	}
}

func TestGenerateDefaults(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, Config{Tickets: 20000, Seed: 1, Start: DefaultStart, Span: DefaultSpan}, cfg)
}

func TestGenerateCounts(t *testing.T) {
	for _, n := range []int{100, 1000, 7777} {
		a := generate(t, Config{Tickets: n, Seed: 5})
		c := a.Counts()
		assert.Equal(t, n, c.Tickets)
		assert.Equal(t, n, c.Related+c.Noise)
		assert.InDelta(t, 0.5, float64(c.Noise)/float64(n), 0.02, "noise share for %d", n)
		for i := range a.Tickets {
			require.Equal(t, a.Tickets[i].ID, a.Truth[i].ID, "truth order at %d", i)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := Config{Tickets: 1500, Seed: 42}
	a, b := generate(t, cfg), generate(t, cfg)
	assert.Equal(t, a, b)
	c := generate(t, Config{Tickets: 1500, Seed: 43})
	assert.NotEqual(t, a.Tickets[0].Title+a.Tickets[1].Title, c.Tickets[0].Title+c.Tickets[1].Title)
}

func TestTimeOrderAndIDs(t *testing.T) {
	start := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	cfg := Config{Tickets: 3000, Seed: 9, Start: start, Span: 90 * 24 * time.Hour}
	a := generate(t, cfg)
	end := start.Add(cfg.Span)
	gaps := 0
	for i, tk := range a.Tickets {
		require.Regexp(t, incRe, tk.ID)
		assert.False(t, tk.Opened.Before(start), tk.ID)
		assert.True(t, tk.Opened.Before(end), tk.ID)
		assert.True(t, tk.Closed.After(tk.Opened), tk.ID)
		assert.Equal(t, time.UTC, tk.Opened.Location())
		assert.Zero(t, tk.Opened.Nanosecond())
		for _, s := range []string{tk.Rule, tk.Severity, tk.Title, tk.Description, tk.CloseNotes} {
			assert.NotEmpty(t, s, tk.ID)
		}
		if i == 0 {
			continue
		}
		prev := a.Tickets[i-1]
		assert.False(t, tk.Opened.Before(prev.Opened), "ticket %s opened before %s", tk.ID, prev.ID)
		assert.Greater(t, tk.ID, prev.ID)
		if tk.ID[3:] != incID(mustAtoi(t, prev.ID[3:]) + 1)[3:] {
			gaps++
		}
	}
	assert.Greater(t, gaps, len(a.Tickets)/2, "IDs should not be contiguous")
}

func mustAtoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', s)
		n = n*10 + int(c-'0')
	}
	return n
}

func TestTruthConsistency(t *testing.T) {
	a := generate(t, Config{Tickets: 20000, Seed: 3})
	idx := map[string]int{}
	for i, tk := range a.Tickets {
		idx[tk.ID] = i
	}
	var cites, forward, typos, citing, notCites, links int
	masters := map[string]int{}
	for i, tr := range a.Truth {
		tk := a.Tickets[i]
		notes := strings.ToUpper(tk.NotesText())
		for _, l := range tk.Links {
			notes += "\n" + l.To
			links++
		}
		for _, id := range tr.NotCites {
			j, ok := idx[id]
			require.True(t, ok, "%s dismisses missing %s", tr.ID, id)
			assert.False(t, data.Related(tr, a.Truth[j]), "%s dismisses related %s", tr.ID, id)
			assert.Less(t, j, i, "%s dismisses a later %s", tr.ID, id)
			assert.Contains(t, notes, id, "%s notes should name %s", tr.ID, id)
			notCites++
		}
		if tr.Cause == "" {
			assert.Empty(t, tr.Kind, tr.ID)
			assert.Empty(t, tr.Cites, tr.ID)
			assert.Empty(t, tr.TrivialDupOf, tr.ID)
			assert.False(t, tr.Master, tr.ID)
		} else {
			assert.True(t, strings.HasPrefix(tr.Cause, tr.Kind+"-"), tr.ID)
		}
		if tr.Master {
			masters[tr.Cause]++
		}
		if len(tr.Cites) > 0 {
			citing++
		}
		for _, id := range tr.Cites {
			j, ok := idx[id]
			require.True(t, ok, "%s cites missing %s", tr.ID, id)
			assert.True(t, data.Related(tr, a.Truth[j]), "%s cites unrelated %s", tr.ID, id)
			assert.NotEqual(t, i, j, "%s cites itself", tr.ID)
			assert.Contains(t, notes, id, "%s notes should name %s", tr.ID, id)
			cites++
			if j > i {
				forward++
			}
		}
		for _, m := range anyIncRe.FindAllString(notes, -1) {
			if !containsString(tr.Cites, m) && !containsString(tr.NotCites, m) {
				typos++
			}
		}
		if tr.TrivialDupOf != "" {
			j, ok := idx[tr.TrivialDupOf]
			require.True(t, ok, tr.ID)
			assert.Less(t, j, i, tr.ID)
			assert.Equal(t, tr.Cause, a.Truth[j].Cause, tr.ID)
			assert.Equal(t, tk.Rule, a.Tickets[j].Rule, tr.ID)
			assert.Less(t, tk.Opened.Sub(a.Tickets[j].Opened), 2*time.Hour, tr.ID)
		}
	}
	for c, n := range masters {
		assert.Equal(t, 1, n, "cause %s has %d masters", c, n)
	}
	require.Positive(t, cites)
	assert.Positive(t, forward, "some see-also edits and work notes cite later tickets")
	assert.Less(t, float64(forward)/float64(cites), 0.1, "citations mostly go backwards")
	assert.InDelta(t, 0.07, float64(notCites)/float64(len(a.Tickets)), 0.03, "some notes dismiss a lookalike")
	assert.Positive(t, links, "some tickets carry link fields")
	assert.Positive(t, typos, "some notes mistype an ID")
	// Mistyped and wrong keys (TestCitationNoiseRates): a few percent of citations.
	assert.Less(t, float64(typos)/float64(citing), 0.1, "typos and wrong keys stay rare")
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestArchiveShape1k(t *testing.T) {
	a := generate(t, Config{Tickets: 1000, Seed: 1})
	assert.GreaterOrEqual(t, RuleCount(), 200)
	c := a.Counts()
	assert.Greater(t, c.Rules, 150, "a 1k archive uses most rules")
	assert.Greater(t, c.Causes, 20)
	var withEarlier, citingRelated int
	seen := map[string]bool{}
	for i, tr := range a.Truth {
		assert.NotEmpty(t, a.Tickets[i].CloseNotes)
		if tr.Cause == "" {
			continue
		}
		if seen[tr.Cause] {
			withEarlier++
			for _, id := range tr.Cites { // close-note citations: link fields and work notes come on top
				if strings.Contains(strings.ToUpper(a.Tickets[i].CloseNotes), id) {
					citingRelated++
					break
				}
			}
		}
		seen[tr.Cause] = true
	}
	share := float64(c.Citing) / float64(c.Tickets)
	assert.InDelta(t, 0.32, share, 0.1, "share of tickets citing another")
	missing := 1 - float64(citingRelated)/float64(withEarlier)
	assert.InDelta(t, 0.35, missing, 0.08, "related tickets whose close-notes cite nothing")
}

func TestNoteVariety(t *testing.T) {
	a := generate(t, Config{Tickets: 5000, Seed: 11})
	want := map[string]*regexp.Regexp{
		"change":      regexp.MustCompile(`CHG\d{7}`),
		"kb":          regexp.MustCompile(`KB\d{7}`),
		"jira":        regexp.MustCompile(`SEC-\d{4}`),
		"url":         regexp.MustCompile(`service-now\.com/nav_to\.do\?uri=incident\.do\?sysparm_query=number=INC\d{7}`),
		"lower":       regexp.MustCompile(`inc\d{7}`),
		"multi cite":  regexp.MustCompile(`INC\d{7}(, | and | / )INC\d{7}`),
		"master":      regexp.MustCompile(`(?i)master case`),
		"duplicate":   regexp.MustCompile(`(?i)duplicate of`),
		"multi-line":  regexp.MustCompile(`\n`),
		"cue: see":    regexp.MustCompile(`(?i)\bsee (also )?INC`),
		"cue: per":    regexp.MustCompile(`(?i)\bper INC`),
		"cue: same":   regexp.MustCompile(`(?i)same .* as INC`),
		"no citation": regexp.MustCompile(`^(False positive, closed\.|Benign, expected behaviour\.)$`),
	}
	for name, re := range want {
		found := false
		for _, tk := range a.Tickets {
			if re.MatchString(tk.CloseNotes) {
				found = true
				break
			}
		}
		assert.True(t, found, "no close-note shows %s", name)
	}
	var travelRules = map[string]bool{}
	for i, tr := range a.Truth {
		if tr.Kind == "travel" {
			travelRules[a.Tickets[i].Rule] = true
		}
	}
	assert.Greater(t, len(travelRules), 3, "a cause spans several rules")
}

func BenchmarkGenerate140k(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Config{Tickets: 140_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate20k(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Config{Tickets: 20_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
