package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/tokenizer"
)

// realSizes are the sizes of the real-shape rows: rerank and train see
// cross-encoder pairs at `precedent train`'s default maximum length (256;
// at the demo's 128 nearly every pair is truncated, which is the fixed
// shape of the engine rows), embed sees ticket texts at the dense first
// stage's 128.
type realSizes struct {
	RerankQueries, Candidates, RerankBatch, PairMaxLen int
	TrainPairs, TrainSteps, TrainBatch, TrainLayers    int
	EmbedTexts, EmbedBatch, TextMaxLen                 int
}

func defaultRealSizes(quick bool) realSizes {
	if quick {
		return realSizes{RerankQueries: 1, Candidates: 10, RerankBatch: 32, PairMaxLen: 64,
			TrainPairs: 64, TrainSteps: 2, TrainBatch: 8, TrainLayers: 1, EmbedTexts: 32, EmbedBatch: 16, TextMaxLen: 64}
	}
	// Batches as the pipeline runs them: 32 pairs per scoring call
	// (reranker.batch, CrossEncoder.predict's default), 16 pairs per step,
	// 64 texts per embedding call (the dense first stage).
	return realSizes{RerankQueries: 3, Candidates: 50, RerankBatch: 32, PairMaxLen: 256,
		TrainPairs: 800, TrainSteps: 10, TrainBatch: 16, TrainLayers: 2, EmbedTexts: 512, EmbedBatch: 64, TextMaxLen: 128}
}

// realInputs are the texts of the real-shape workloads, generated to
// token lengths drawn from one source's histograms; both engines run them.
type realInputs struct {
	Source        string       `json:"source"`
	Rerank        rerankInputs `json:"rerank"`
	Train         trainInputs  `json:"train"`
	Embed         embedInputs  `json:"embed"`
	PairSummary   app.LengthSummary
	TextSummary   app.LengthSummary
	SampledPairs  app.LengthSummary
	SampledTexts  app.LengthSummary
	sizes         realSizes
	tokenizerPath string
}

type rerankInputs struct {
	MaxLen  int           `json:"max_len"`
	Batch   int           `json:"batch"`
	Queries [][][2]string `json:"queries"` // per query, its candidate pairs
	Lengths [][]int       `json:"lengths"`
}

type trainInputs struct {
	MaxLen  int         `json:"max_len"`
	Batch   int         `json:"batch"`
	Layers  int         `json:"layers"`
	Steps   int         `json:"steps"`
	Pairs   [][2]string `json:"pairs"`
	Labels  []float32   `json:"labels"`
	Lengths []int       `json:"lengths"`
}

type embedInputs struct {
	MaxLen  int      `json:"max_len"`
	Batch   int      `json:"batch"`
	Texts   []string `json:"texts"`
	Lengths []int    `json:"lengths"`
}

// sampleLengths draws n lengths from h as a model of maxLen positions sees
// it (longer inputs truncated to maxLen), never below least.
func sampleLengths(h app.LengthHistogram, maxLen, least, n int, rng *rand.Rand) []int {
	t := h.Truncated(maxLen)
	total := t.Total()
	out := make([]int, n)
	for i := range out {
		r := rng.IntN(total)
		for l, c := range t.Counts {
			if r < c {
				out[i] = max(l, least)
				break
			}
			r -= c
		}
	}
	return out
}

// wholeWords reads a WordPiece vocab.txt and keeps the entries that are
// whole lower-case ASCII words of 3 to 10 letters: each tokenizes to
// exactly itself, so n of them joined by spaces are n tokens.
func wholeWords(vocabPath string) ([]string, error) {
	f, err := os.Open(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("bench: word list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := sc.Text()
		if len(w) < 3 || len(w) > 10 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			continue
		}
		out = append(out, w)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", vocabPath, err)
	}
	if len(out) < 1000 {
		return nil, fmt.Errorf("bench: %s has %d whole lower-case words, want a BERT WordPiece vocabulary", vocabPath, len(out))
	}
	return out, nil
}

// words joins n words drawn from vocab.
func words(vocab []string, n int, rng *rand.Rand) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = vocab[rng.IntN(len(vocab))]
	}
	return strings.Join(ws, " ")
}

// pairTexts splits a pair of total tokens (three special tokens included)
// into a query and a document of whole words, the document the longer.
func pairTexts(vocab []string, total int, rng *rand.Rand) [2]string {
	text := max(total-3, 0)
	q := text / 2
	return [2]string{words(vocab, q, rng), words(vocab, text-q, rng)}
}

// buildRealInputs samples the lengths of every workload from the source's
// histograms (seed fixed by the source name) and generates the texts, then
// checks with the model's tokenizer that each has exactly its length.
func buildRealInputs(source string, il app.InputLengths, sz realSizes, vocabPath, tokPath string) (realInputs, error) {
	vocab, err := wholeWords(vocabPath)
	if err != nil {
		return realInputs{}, err
	}
	seed := uint64(len(source))
	for _, c := range source {
		seed = seed*31 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, 15))
	in := realInputs{Source: source, sizes: sz, tokenizerPath: tokPath,
		PairSummary: il.Pairs.Summary(sz.PairMaxLen), TextSummary: il.Texts.Summary(sz.TextMaxLen)}
	in.Rerank = rerankInputs{MaxLen: sz.PairMaxLen, Batch: sz.RerankBatch}
	var allPairs []int
	for range sz.RerankQueries {
		ls := sampleLengths(il.Pairs, sz.PairMaxLen, 3, sz.Candidates, rng)
		ps := make([][2]string, len(ls))
		for i, n := range ls {
			ps[i] = pairTexts(vocab, n, rng)
		}
		in.Rerank.Queries = append(in.Rerank.Queries, ps)
		in.Rerank.Lengths = append(in.Rerank.Lengths, ls)
		allPairs = append(allPairs, ls...)
	}
	in.Train = trainInputs{MaxLen: sz.PairMaxLen, Batch: sz.TrainBatch, Layers: sz.TrainLayers, Steps: sz.TrainSteps,
		Lengths: sampleLengths(il.Pairs, sz.PairMaxLen, 3, sz.TrainPairs, rng)}
	for i, n := range in.Train.Lengths {
		in.Train.Pairs = append(in.Train.Pairs, pairTexts(vocab, n, rng))
		in.Train.Labels = append(in.Train.Labels, float32(min(1, i%4/3))) // one positive per three negatives
	}
	in.Embed = embedInputs{MaxLen: sz.TextMaxLen, Batch: sz.EmbedBatch, Lengths: sampleLengths(il.Texts, sz.TextMaxLen, 2, sz.EmbedTexts, rng)}
	for _, n := range in.Embed.Lengths {
		in.Embed.Texts = append(in.Embed.Texts, words(vocab, max(n-2, 0), rng))
	}
	in.SampledPairs = app.NewLengthHistogram("sampled pairs", sz.PairMaxLen, append(allPairs, in.Train.Lengths...)).Summary(sz.PairMaxLen)
	in.SampledTexts = app.NewLengthHistogram("sampled texts", sz.TextMaxLen, in.Embed.Lengths).Summary(sz.TextMaxLen)

	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return realInputs{}, err
	}
	defer tok.Close()
	check := func(what string, i, got, want int) error {
		if got != want {
			return fmt.Errorf("bench: generated %s %d has %d tokens, want %d (is %s a BERT WordPiece tokenizer?)", what, i, got, want, tokPath)
		}
		return nil
	}
	for qi, ps := range in.Rerank.Queries {
		for i, p := range ps {
			if err := check("rerank pair", i, tok.EncodePair(p[0], p[1], sz.PairMaxLen).Len(), in.Rerank.Lengths[qi][i]); err != nil {
				return realInputs{}, err
			}
		}
	}
	for i, p := range in.Train.Pairs {
		if err := check("training pair", i, tok.EncodePair(p[0], p[1], sz.PairMaxLen).Len(), in.Train.Lengths[i]); err != nil {
			return realInputs{}, err
		}
	}
	for i, s := range in.Embed.Texts {
		if err := check("text", i, tok.Encode(s, sz.TextMaxLen).Len(), in.Embed.Lengths[i]); err != nil {
			return realInputs{}, err
		}
	}
	return in, nil
}
