package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/retrieve"
)

// embedMaxLen bounds the tokens a bi-encoder embeds per ticket by default.
const embedMaxLen = 128

// denseIndex builds the embedding first stage and fills each query's vector:
// from a bi-encoder checkpoint run by the engine (cached, resumable), or
// from vectors exported by the team's own embedding index.
func (p *Project) denseIndex(ctx context.Context, a *archive, qs []retrieve.Query, o FirstStageOptions, progress Progress) (retrieve.Index, []retrieve.Query, error) {
	switch o.Source {
	case "vectors":
		return p.importedIndex(a, qs, o, progress)
	case "bi-encoder":
		return p.biEncoderIndex(ctx, a, qs, o, progress)
	}
	return nil, nil, fmt.Errorf("unknown dense first stage %q", o.Source)
}

// importedIndex indexes vectors exported from an existing embedding index.
// The query side uses each query ticket's own vector from the file: if that
// index embedded close-notes, the query sees them — export query-time
// vectors (title + description) to avoid it.
func (p *Project) importedIndex(a *archive, qs []retrieve.Query, o FirstStageOptions, progress Progress) (retrieve.Index, []retrieve.Query, error) {
	if o.VectorsPath == "" {
		return nil, nil, fmt.Errorf("vectors: give the file with --vectors (JSONL {id, vector}, or .npy with --ids)")
	}
	var ids []string
	var mat retrieve.Matrix
	var err error
	if strings.HasSuffix(strings.ToLower(o.VectorsPath), ".npy") {
		if o.IDsPath == "" {
			return nil, nil, fmt.Errorf("vectors %s: a .npy file needs --ids FILE with one ticket ID per row", o.VectorsPath)
		}
		ids, mat, err = retrieve.ReadNPY(o.VectorsPath, o.IDsPath)
	} else {
		ids, mat, err = retrieve.ReadVectorsJSONL(o.VectorsPath)
	}
	if err != nil {
		return nil, nil, err
	}
	archiveIDs := make([]string, len(a.Tickets))
	for i, t := range a.Tickets {
		archiveIDs[i] = t.ID
	}
	cov := retrieve.Coverage(ids, archiveIDs)
	progress.emit(Event{Step: "first-stage", Phase: "vectors", Message: fmt.Sprintf("%d vectors of dimension %d: %d archive tickets without one, %d unknown IDs", cov.Vectors, mat.Dim, cov.Missing, cov.Unknown)})
	if cov.Missing*2 > cov.Archive {
		return nil, nil, fmt.Errorf("vectors %s cover only %d of %d archive tickets (e.g. missing %v): export vectors for the whole archive",
			o.VectorsPath, cov.Archive-cov.Missing, cov.Archive, cov.MissingIDs)
	}
	row := make(map[string]int, len(ids))
	for i, id := range ids {
		row[id] = i
	}
	var keepIDs []string
	var opened []time.Time
	keep := retrieve.Matrix{Dim: mat.Dim}
	for _, t := range a.Tickets {
		if i, ok := row[t.ID]; ok {
			keepIDs = append(keepIDs, t.ID)
			opened = append(opened, t.Opened)
			keep.Data = append(keep.Data, mat.Row(i)...)
			keep.Rows++
		}
	}
	ix, err := retrieve.NewDense(keepIDs, opened, keep, retrieve.DenseOptions{Float16: o.Float16})
	if err != nil {
		return nil, nil, err
	}
	out := qs[:0:0]
	for _, q := range qs {
		if i, ok := row[q.ID]; ok {
			q.Vector = mat.Row(i)
			out = append(out, q)
		}
	}
	return ix, out, nil
}

// biEncoderIndex embeds every ticket (title, description, close-notes) and
// every query (what was known when it opened) with a bi-encoder checkpoint.
// Embeddings are cached per model and text, so an interrupted run resumes
// and a changed ticket is re-embedded alone.
func (p *Project) biEncoderIndex(ctx context.Context, a *archive, qs []retrieve.Query, o FirstStageOptions, progress Progress) (retrieve.Index, []retrieve.Query, error) {
	enc, err := p.openEmbedder(embedSpec{Model: o.Model, MaxLen: o.MaxLen, Layers: o.Layers, Float16: o.Float16})
	if err != nil {
		return nil, nil, err
	}
	defer enc.Close()
	items := make([]embedItem, 0, len(a.Tickets)+len(qs))
	for _, t := range a.Tickets {
		items = append(items, embedItem{"d:" + t.ID, embedDocText(t)})
	}
	for _, q := range qs {
		items = append(items, embedItem{"q:" + q.ID, q.Text})
	}
	// Each vector goes straight into its row of the documents' or the
	// queries' matrix: beyond the vectors, embedding holds one chunk's texts
	// and batches, and the index build one copy of the documents, released
	// once built.
	dim := enc.dim
	docs := retrieve.Matrix{Rows: len(a.Tickets), Dim: dim, Data: make([]float32, len(a.Tickets)*dim)}
	qmat := retrieve.Matrix{Rows: len(qs), Dim: dim, Data: make([]float32, len(qs)*dim)}
	put := func(i int, v []float32) error {
		if i < docs.Rows {
			copy(docs.Row(i), v)
		} else {
			copy(qmat.Row(i-docs.Rows), v)
		}
		return nil
	}
	if err := enc.embed(ctx, items, put, embedProgress("first-stage", progress)); err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(a.Tickets))
	opened := make([]time.Time, len(a.Tickets))
	for i, t := range a.Tickets {
		ids[i], opened[i] = t.ID, t.Opened
	}
	ix, err := retrieve.NewDense(ids, opened, docs, retrieve.DenseOptions{Float16: o.Float16})
	if err != nil {
		return nil, nil, err
	}
	out := make([]retrieve.Query, len(qs))
	for i, q := range qs {
		q.Vector = qmat.Row(i)
		out[i] = q
	}
	return ix, out, nil
}

// embedDocText is what a bi-encoder embeds of a ticket: its opening-time
// text only. One vector per ticket serves every query, so it must hold
// nothing written after any query could have opened; the analysts' notes
// reach the reranker through the pair text, as of each query's time.
func embedDocText(t data.Ticket) string {
	o := t.Opening()
	return strings.Join([]string{o.Title, o.Description}, "\n")
}
