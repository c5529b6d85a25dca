package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/data/mining"
	"github.com/precedent/precedent/ml/eval"
	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/platform/fsutil"
)

// biEncoderConfigFile records, in a saved bi-encoder folder, how Precedent
// embedded with it, so BiEncoderScores embeds the same way.
const biEncoderConfigFile = "precedent_biencoder.json"

// biEncoderConfig is the content of biEncoderConfigFile.
type biEncoderConfig struct {
	MaxLen int    `json:"max_len"`
	Run    string `json:"run"`
}

// rank scores the first depth candidates of each query by the cosine of
// their embeddings, embedding each distinct ticket once per side (biKey),
// and returns eval.Scored lists (ties broken by first-stage rank).
func (e *embedder) rank(ctx context.Context, p *Project, a *archive, mt *mining.Matcher, qcs []QueryCandidates, depth int, progress func(done, total int)) ([][]eval.Scored, error) {
	index := map[string]int{}
	var items []embedItem
	need := func(id string, side biSide) error {
		key := biKey(id, side)
		if _, ok := index[key]; ok {
			return nil
		}
		t, ok := a.get(id)
		if !ok {
			return fmt.Errorf("bi-encoder: ticket %s is not in the archive", id)
		}
		index[key] = len(items)
		items = append(items, embedItem{key, p.biEncoderText(t, side, mt)})
		return nil
	}
	for _, qc := range qcs {
		if err := need(qc.Query, biQuery); err != nil {
			return nil, fmt.Errorf("query %s: %w", qc.Query, err)
		}
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			if err := need(c.ID, biDocument); err != nil {
				return nil, fmt.Errorf("query %s candidate: %w", qc.Query, err)
			}
		}
	}
	vecs := make([][]float32, len(items))
	put := func(i int, v []float32) error {
		vecs[i] = v
		return nil
	}
	if err := e.embed(ctx, items, put, progress); err != nil {
		return nil, err
	}
	out := make([][]eval.Scored, len(qcs))
	for i, qc := range qcs {
		q := vecs[index[biKey(qc.Query, biQuery)]]
		for _, c := range qc.Candidates[:min(depth, len(qc.Candidates))] {
			out[i] = append(out[i], eval.Scored{ID: c.ID, Score: cosine(q, vecs[index[biKey(c.ID, biDocument)]]), Rank0: c.Rank})
		}
	}
	return out, nil
}

// cosine of two unit vectors is their dot product.
func cosine(a, b []float32) float64 {
	var s float64
	for i, x := range a {
		s += float64(x) * float64(b[i])
	}
	return s
}

// BiEncoderScores re-sorts stored candidate lists (from Candidates) with
// the bi-encoder in modelDir (a folder or a model name, as ResolveModel):
// each list's candidates scored by the cosine between the query's and the
// candidate's embeddings, each distinct ticket embedded once per side.
// Lists keep their order; every candidate of a list is scored, with
// Rank0 = its first-stage rank (eval.Order's tie break). The model embeds
// as it was trained (its precedent_biencoder.json), else 128 tokens; its
// vectors are kept in the project's cache, as the dense first stage's.
func (p *Project) BiEncoderScores(ctx context.Context, modelDir string, lists []QueryCandidates, progress Progress) ([][]eval.Scored, error) {
	return p.biEncoderScores(ctx, modelDir, lists, 0, 0, progress)
}

// biEncoderScores is BiEncoderScores with the tokens per ticket (0 = as
// the folder says) and the encoder layers kept (0 = all) overridden, for
// quick measurements. Vectors go through the project's cache for that
// model and setting (openEmbedder), so a repeated or resumed scoring
// embeds only new or changed texts.
func (p *Project) biEncoderScores(ctx context.Context, modelDir string, lists []QueryCandidates, maxLen, layers int, progress Progress) ([][]eval.Scored, error) {
	dir, err := p.ResolveModel(modelDir)
	if err != nil {
		return nil, err
	}
	if maxLen <= 0 {
		maxLen = embedMaxLen
		if buf, err := os.ReadFile(filepath.Join(dir, biEncoderConfigFile)); err == nil {
			var c biEncoderConfig
			if err := json.Unmarshal(buf, &c); err != nil || c.MaxLen <= 0 {
				return nil, fmt.Errorf("%s: max_len must be a positive number (%v)", filepath.Join(dir, biEncoderConfigFile), err)
			}
			maxLen = c.MaxLen
		}
	}
	a, err := p.loadArchive()
	if err != nil {
		return nil, err
	}
	mt, err := p.matcher()
	if err != nil {
		return nil, err
	}
	enc, err := p.openEmbedder(embedSpec{Model: dir, MaxLen: maxLen, Layers: layers})
	if err != nil {
		return nil, err
	}
	depth := 0
	for _, qc := range lists {
		depth = max(depth, len(qc.Candidates))
	}
	out, err := enc.rank(ctx, p, a, mt, lists, depth, embedProgress("bi-encoder", progress))
	if cerr := enc.Close(); err == nil && cerr != nil {
		return nil, cerr
	}
	return out, err
}

// stFiles are the sentence-transformers files copied from the starting
// folder, so the saved folder loads as a SentenceTransformer with the same
// pooling and normalisation.
var stFiles = []string{"modules.json", "config_sentence_transformers.json",
	filepath.Join("1_Pooling", "config.json"), filepath.Join("2_Normalize", "config.json")}

// saveBiEncoder writes m as a Hugging Face folder at dir with the starting
// folder's sentence-transformers layout (mean pooling and normalisation
// when the start had none) and the max length it was trained with.
func saveBiEncoder(m *model.Model, startDir, dir string, maxLen int, run string) error {
	if err := m.Save(dir); err != nil {
		return err
	}
	copied := 0
	for _, name := range stFiles {
		src := filepath.Join(startDir, name)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if err := copyInto(src, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("save bi-encoder %s: %w", dir, err)
		}
		copied++
	}
	if _, err := os.Stat(filepath.Join(startDir, "modules.json")); err != nil {
		// A plain encoder start: declare mean pooling and normalisation.
		modules := []map[string]any{
			{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
			{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
			{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
		}
		pooling := map[string]any{"word_embedding_dimension": m.Config().HiddenSize, "pooling_mode_mean_tokens": true}
		for name, v := range map[string]any{"modules.json": modules, filepath.Join("1_Pooling", "config.json"): pooling} {
			if err := writeJSONFile(filepath.Join(dir, name), v); err != nil {
				return fmt.Errorf("save bi-encoder %s: %w", dir, err)
			}
		}
	}
	if err := writeJSONFile(filepath.Join(dir, "sentence_bert_config.json"), map[string]any{"max_seq_length": maxLen, "do_lower_case": false}); err != nil {
		return fmt.Errorf("save bi-encoder %s: %w", dir, err)
	}
	if err := writeJSONFile(filepath.Join(dir, biEncoderConfigFile), biEncoderConfig{MaxLen: maxLen, Run: run}); err != nil {
		return fmt.Errorf("save bi-encoder %s: %w", dir, err)
	}
	return nil
}

// copyInto copies src to dst atomically, creating dst's folder.
func copyInto(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return fsutil.CopyFile(src, dst)
}

// writeJSONFile writes v indented at path, creating its folder.
func writeJSONFile(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	buf, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(buf, '\n'), 0o644)
}
