package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/ml/pairtext"
)

// checkExport tests an export of the project's evaluated best run: the
// files, the serving config, the manifest, and that serving renders and
// scores pairs exactly as evaluation does. Called by TestPipelineEndToEnd,
// which trains the run.
func checkExport(t *testing.T, p *Project, out string) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "precedent.json", "report.html",
		"model_card.json", "README.md", ManifestFile} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	sc, err := ReadServingConfig(out)
	require.NoError(t, err)
	require.NotNil(t, sc.Format)
	assert.NotEmpty(t, sc.IDPresets, "the export records the project's ID patterns")
	assert.Equal(t, VisibilityAsOfQuery, sc.Visibility)
	card, ok, err := ReadModelCard(out)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotNil(t, card.Eval, "the evaluated run's metrics are on the card")
	assert.Positive(t, card.Examples)
	assert.NotEmpty(t, card.Windows)
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "95% CI")

	run, err := p.findRun("best")
	require.NoError(t, err)
	served, err := LoadReranker(out, RerankerOptions{Backend: "go"})
	require.NoError(t, err)
	defer served.Close()
	assert.True(t, served.Info().IDMasked)
	assert.True(t, served.Info().Verified)
	long := Pair{QueryText: "phishing mail", DocText: strings.Repeat("quarantined the sender ", 400)}
	_, err = served.EncodeWith([]Pair{{QueryText: "q", DocText: "d"}, long}, EncodeOptions{NoTruncate: true})
	var tl *TooLongError
	require.ErrorAs(t, err, &tl, "truncate: false refuses a pair over max_len")
	assert.Equal(t, 1, tl.Index)
	cut, err := served.EncodeWith([]Pair{long}, EncodeOptions{DocTokens: 8, NoTruncate: true})
	require.NoError(t, err, "8 document tokens fit")
	assert.Equal(t, served.Encode([]Pair{{QueryText: long.QueryText}})[0].Len()+8, cut[0].Len(), "max_tokens_per_doc keeps 8 document tokens")

	// Evaluation's own reranker over the run's model.
	ck, err := hf.Load(run.ModelDir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	b, _, err := Backend("go")
	require.NoError(t, err)
	format, err := p.pairFormat(run.Options.PairFormat)
	require.NoError(t, err)
	rr, err := newReranker(m, ck.TokenizerPath, b, format, run.Options.MaxLen, model.F32)
	require.NoError(t, err)
	defer rr.Close()

	a, err := p.loadArchive()
	require.NoError(t, err)
	qcs, err := p.Candidates("test")
	require.NoError(t, err)
	qcs = qcs[:min(3, len(qcs))]
	lists, err := rr.rank(ctx, a, qcs, 5, nil)
	require.NoError(t, err)
	masked := 0
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		for _, s := range lists[i] {
			d, _ := a.get(s.ID)
			pair := Pair{Query: &q, Doc: &d}
			eq, ed := rr.render(q, d)
			sq, sd := served.Render(pair)
			assert.Equal(t, eq, sq, "query side of %s/%s", q.ID, d.ID)
			assert.Equal(t, ed, sd, "document side of %s/%s", q.ID, d.ID)
			if strings.Contains(sd, idMaskToken) {
				masked++
			}
			got, err := served.Score(ctx, served.Encode([]Pair{pair}))
			require.NoError(t, err)
			assert.InDelta(t, s.Score, float64(got[0]), 1e-5, "served score of %s/%s equals eval's", q.ID, d.ID)
		}
	}
	assert.Positive(t, masked, "candidates citing ticket IDs are served with the IDs masked, as in training")

	// A tampered or truncated file is refused, named.
	for _, tc := range []struct {
		file   string
		damage func(path string) error
	}{
		{"model.safetensors", func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 0xff
			return os.WriteFile(path, b, 0o644)
		}},
		{"tokenizer.json", func(path string) error {
			st, err := os.Stat(path)
			if err != nil {
				return err
			}
			return os.Truncate(path, st.Size()/2)
		}},
		{"precedent.json", os.Remove},
	} {
		dir := filepath.Join(t.TempDir(), "copy")
		require.NoError(t, copyTree(out, dir))
		require.NoError(t, tc.damage(filepath.Join(dir, tc.file)))
		_, err := LoadReranker(dir, RerankerOptions{Backend: "go"})
		require.ErrorIs(t, err, ErrManifest, tc.file)
		assert.Contains(t, err.Error(), tc.file)
	}
}

func TestServingConfigPairText(t *testing.T) {
	d := data.Ticket{ID: "INC0000002", Title: "phish", CloseNotes: "same as INC0000001"}
	q := data.Ticket{ID: "INC0000003", Title: "phish again"}
	for _, tc := range []struct {
		name    string
		cfg     ServingConfig
		want    string
		wantErr string
	}{
		{name: "masked", cfg: ServingConfig{PairFormat: "plain", IDPresets: []string{"servicenow"}, MaxLen: 64}, want: "same as [ID]"},
		{name: "unmasked without patterns", cfg: ServingConfig{PairFormat: "plain", MaxLen: 64}, want: "same as INC0000001"},
		{name: "custom token", cfg: ServingConfig{PairFormat: "plain", IDPatterns: []string{`INC\d+`}, IDMask: "<T>", MaxLen: 64}, want: "same as <T>"},
		{name: "bad pattern", cfg: ServingConfig{PairFormat: "plain", IDPatterns: []string{`(`}}, wantErr: "id patterns"},
		{name: "bad format", cfg: ServingConfig{PairFormat: "fancy"}, wantErr: "fancy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.cfg.PairText()
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			rr := &reranker{format: f}
			_, doc := rr.render(q, d)
			assert.Contains(t, doc, tc.want)
		})
	}
}

func TestManifest(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte("{}"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.bin"), []byte("bytes"), 0o644))
	ok, err := VerifyManifest(dir)
	require.NoError(t, err)
	assert.False(t, ok, "no manifest: a plain checkpoint, not verified")
	require.NoError(t, writeManifest(dir))
	ok, err = VerifyManifest(dir)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.bin"), []byte("bytez"), 0o644))
	_, err = VerifyManifest(dir)
	assert.ErrorIs(t, err, ErrManifest)
	assert.ErrorContains(t, err, "sub/b.bin")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte("nonsense\n"), 0o644))
	_, err = VerifyManifest(dir)
	assert.ErrorContains(t, err, "line 1")
}

func TestBackendLabel(t *testing.T) {
	for in, want := range map[string]string{
		"XLA cpu — xla:/opt/pjrt/pjrt_c_api_cpu_plugin.so - PJRT plugin (/opt/pjrt/x.so) v0.1": "XLA cpu",
		"Go Portable Compute Backend (parallelism=4)":                                          "Go Portable Compute Backend (parallelism=4)",
		"plugin /a/b.so loaded": "plugin loaded",
	} {
		assert.Equal(t, want, backendLabel(in))
	}
}

func TestServingShape(t *testing.T) {
	for _, tc := range []struct{ n, longest, batch, maxLen, rows, length int }{
		{1, 10, 32, 256, 1, 64},
		{3, 64, 32, 256, 4, 64},
		{5, 65, 32, 256, 8, 128},
		{32, 200, 32, 256, 32, 256},
		{17, 256, 32, 256, 32, 256},
		{40, 300, 32, 256, 40, 300}, // more than a batch or longer than maxLen: never cut
	} {
		rows, length := servingShape(tc.n, tc.longest, tc.batch, tc.maxLen)
		assert.Equal(t, [2]int{tc.rows, tc.length}, [2]int{rows, length}, "%+v", tc)
	}
}

func TestExplain(t *testing.T) {
	opened := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	q := data.Ticket{ID: "INC0000009", Opened: opened, Rule: "Phish", Host: "WS-042", Title: "phishing mailbox quarantine", CloseNotes: "not shown"}
	d := data.Ticket{ID: "INC0000001", Opened: opened.AddDate(0, 0, -3), Closed: opened.AddDate(0, 0, -2), Rule: "Phish", Host: "WS-042",
		Title: "phishing mailbox reported", CloseNotes: "quarantine done"}
	e := (&Reranker{}).Explain(q, d)
	assert.Equal(t, []string{"rule", "host"}, e.SameFields)
	assert.Equal(t, "3 days earlier", e.TimeGap)
	assert.Contains(t, e.Terms, "phishing")
	assert.Contains(t, e.Terms, "quarantine", "the precedent's notes count: it closed before the query opened")
	d.Closed = opened.AddDate(0, 0, 1)
	assert.NotContains(t, (&Reranker{}).Explain(q, d).Terms, "quarantine", "notes written after the query opened are not evidence")

	assert.Equal(t, []string{"host WS-042"}, e.Shared)
	stopped := &Reranker{rr: &reranker{format: pairtext.Format{StopEntities: []pairtext.Entity{{Kind: pairtext.Host, Value: "WS-042"}}}}}
	assert.Empty(t, stopped.Explain(q, d).Shared, "a stop-entity is no shared evidence")
}
