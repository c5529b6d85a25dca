package app

import (
	"context"
	"fmt"

	"github.com/precedent/precedent/data/mining"
)

// EvidenceModel is the bi-encoder whose cosine is one piece of the learned
// ranker's evidence: the off-the-shelf checkpoint, never a bi-encoder
// fine-tuned on the project's labels (whose cosine on the training
// window's lists would be inflated by having seen their answers).
const EvidenceModel = DefaultModel

// rankedLists are candidate lists and the depth of each that the learned
// ranker reads (rankerQueries): its evidence is computed for those
// candidates only.
type rankedLists struct {
	lists []QueryCandidates
	depth int
}

// embedEvidence embeds, with EvidenceModel, the query text of every list's
// query and the opening text of each candidate within the list's depth
// (nothing written after a candidate opened, so one vector serves every
// later query), for the ranker's cosine feature. Vectors are cached in the
// project like the embedding first stage's, so only new or changed
// tickets are embedded again. Without the model's weights the feature
// stays 0 and a message says so; cancellation stops it with ctx's error.
func (p *Project) embedEvidence(ctx context.Context, ev *evidence, m *mining.Matcher, progress Progress, ranked ...rankedLists) error {
	enc, err := p.openEmbedder(embedSpec{Model: EvidenceModel})
	if err != nil {
		progress.emit(Event{Step: "ranker", Phase: "embed", Message: fmt.Sprintf("no bi-encoder cosine in the learned ranker's evidence: %v", err)})
		return nil
	}
	defer enc.Close()
	var items []embedItem
	seen := map[string]bool{}
	add := func(key, text string) {
		if !seen[key] {
			seen[key] = true
			items = append(items, embedItem{key, text})
		}
	}
	for _, r := range ranked {
		for _, qc := range r.lists {
			t, ok := ev.a.get(qc.Query)
			if !ok {
				continue
			}
			add("q:"+t.ID, p.queryText(t, m))
			for _, c := range qc.Candidates[:min(r.depth, len(qc.Candidates))] {
				if ct, ok := ev.a.get(c.ID); ok {
					add("d:"+ct.ID, embedDocText(ct))
				}
			}
		}
	}
	qv, dv := map[string][]float32{}, map[string][]float32{}
	put := func(i int, v []float32) error {
		key := items[i].key
		if key[0] == 'q' {
			qv[key[2:]] = v
		} else {
			dv[key[2:]] = v
		}
		return nil
	}
	if err := enc.embed(ctx, items, put, embedProgress("ranker", progress)); err != nil {
		return fmt.Errorf("learned ranker: bi-encoder evidence: %w", err)
	}
	ev.queryVec, ev.docVec = qv, dv
	return nil
}
