package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/rerank"
)

// checkExport tests an export of the project's evaluated best run: the
// files, the serving config, the manifest, and that serving renders and
// scores pairs exactly as evaluation does. Called by TestPipelineEndToEnd,
// which trains the run.
func checkExport(t *testing.T, p *Project, out string) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "precedent.json", "report.html",
		"model_card.json", "README.md", rerank.ManifestFile} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	sc, err := rerank.ReadServingConfig(out)
	require.NoError(t, err)
	require.NotNil(t, sc.Format)
	assert.NotEmpty(t, sc.IDPresets, "the export records the project's ID patterns")
	assert.Equal(t, rerank.VisibilityAsOfQuery, sc.Visibility)
	card, ok, err := rerank.ReadModelCard(out)
	require.NoError(t, err)
	require.True(t, ok)
	parts, err := cardPartsOf(card)
	require.NoError(t, err)
	require.NotNil(t, parts.Eval, "the evaluated run's metrics are on the card")
	assert.Positive(t, card.Examples)
	assert.NotEmpty(t, parts.Windows)
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "95% CI")

	run, err := p.findRun("best")
	require.NoError(t, err)
	served, err := rerank.LoadReranker(out, rerank.RerankerOptions{Backend: "go"})
	require.NoError(t, err)
	defer served.Close()
	assert.True(t, served.Info().IDMasked)
	assert.True(t, served.Info().Verified)
	long := rerank.Pair{QueryText: "phishing mail", DocText: strings.Repeat("quarantined the sender ", 400)}
	_, err = served.EncodeWith([]rerank.Pair{{QueryText: "q", DocText: "d"}, long}, rerank.EncodeOptions{NoTruncate: true})
	var tl *rerank.TooLongError
	require.ErrorAs(t, err, &tl, "truncate: false refuses a pair over max_len")
	assert.Equal(t, 1, tl.Index)
	cut, err := served.EncodeWith([]rerank.Pair{long}, rerank.EncodeOptions{DocTokens: 8, NoTruncate: true})
	require.NoError(t, err, "8 document tokens fit")
	assert.Equal(t, served.Encode([]rerank.Pair{{QueryText: long.QueryText}})[0].Len()+8, cut[0].Len(), "max_tokens_per_doc keeps 8 document tokens")

	// Evaluation's own reranker over the run's model.
	ck, err := hf.Load(run.ModelDir)
	require.NoError(t, err)
	m, err := model.FromCheckpoint(ck, model.Options{Head: model.CrossEncoder})
	require.NoError(t, err)
	b, _, err := Backend("go")
	require.NoError(t, err)
	format, err := p.pairFormat(run.Options.PairFormat)
	require.NoError(t, err)
	rr, err := rerank.NewEngine(m, ck.TokenizerPath, b, format, run.Options.MaxLen, model.F32)
	require.NoError(t, err)
	defer rr.Close()

	a, err := p.loadArchive()
	require.NoError(t, err)
	qcs, err := p.Candidates("test")
	require.NoError(t, err)
	qcs = qcs[:min(3, len(qcs))]
	lists, err := rankLists(ctx, rr, a, qcs, 5, nil)
	require.NoError(t, err)
	masked := 0
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		for _, s := range lists[i] {
			d, _ := a.get(s.ID)
			pair := rerank.Pair{Query: &q, Doc: &d}
			eq, ed := rr.Render(q, d)
			sq, sd := served.Render(pair)
			assert.Equal(t, eq, sq, "query side of %s/%s", q.ID, d.ID)
			assert.Equal(t, ed, sd, "document side of %s/%s", q.ID, d.ID)
			if strings.Contains(sd, rerank.IDMaskToken) {
				masked++
			}
			got, err := served.Score(ctx, served.Encode([]rerank.Pair{pair}))
			require.NoError(t, err)
			assert.InDelta(t, s.Score, float64(got[0]), 1e-5, "served score of %s/%s equals eval's", q.ID, d.ID)
		}
	}
	assert.Positive(t, masked, "candidates citing ticket IDs are served with the IDs masked, as in training")

	// A run trained with a plain share still serves tickets in its pair
	// format, and its plain examples are what the export scores when a
	// pipeline sends the same pair as plain strings (/v2/rerank).
	assert.Equal(t, format.Name, sc.PairFormat)
	assert.Equal(t, run.Options.PlainShare, parts.Options.PlainShare)
	plainMasked := 0
	for i, qc := range qcs {
		q, _ := a.get(qc.Query)
		for _, s := range lists[i] {
			d, _ := a.get(s.ID)
			tq, td := rr.RenderPlain(q, d)
			sq, sd := served.Render(rerank.Pair{QueryText: rerank.PlainText(q, false, false), DocText: rerank.PlainText(d.AsOf(q.Opened), true, false)})
			assert.Equal(t, tq, sq, "plain query side of %s/%s", q.ID, d.ID)
			assert.Equal(t, td, sd, "plain document side of %s/%s", q.ID, d.ID)
			if strings.Contains(sd, rerank.IDMaskToken) {
				plainMasked++
			}
		}
	}
	assert.Positive(t, plainMasked, "plain strings are ID-masked in training as in serving")

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
		_, err := rerank.LoadReranker(dir, rerank.RerankerOptions{Backend: "go"})
		require.ErrorIs(t, err, rerank.ErrManifest, tc.file)
		assert.Contains(t, err.Error(), tc.file)
	}
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
