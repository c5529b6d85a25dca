package app

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/hf"
	"github.com/precedent/precedent/ml/pairtext"
	"github.com/precedent/precedent/ml/tokenizer"
)

// LengthCap is the token count at which InputLengths stops counting: the
// position-embedding limit of BERT-style encoders. Inputs longer than it are
// counted at LengthCap, which is enough to tell truncation at any maximum
// length below it.
const LengthCap = 512

// LengthHistogram counts model inputs by token length, special tokens
// included: Counts[n] is how many inputs have n tokens, and Counts[Cap]
// holds those of Cap tokens or more. It holds counts only, never text, so it
// can leave the machine that holds the archive.
type LengthHistogram struct {
	Kind   string `json:"kind"` // what was tokenized, in words
	Cap    int    `json:"cap"`
	Counts []int  `json:"counts"` // len(Counts) == Cap+1
}

// NewLengthHistogram counts lengths, clipping each to [0, cap].
func NewLengthHistogram(kind string, cap int, lengths []int) LengthHistogram {
	h := LengthHistogram{Kind: kind, Cap: cap, Counts: make([]int, cap+1)}
	for _, n := range lengths {
		h.Counts[min(max(n, 0), cap)]++
	}
	return h
}

// Validate reports a histogram whose counts do not match its cap or are negative.
func (h LengthHistogram) Validate() error {
	if h.Cap <= 0 || len(h.Counts) != h.Cap+1 {
		return fmt.Errorf("length histogram %q: %d counts for cap %d, want cap+1 > 1", h.Kind, len(h.Counts), h.Cap)
	}
	for n, c := range h.Counts {
		if c < 0 {
			return fmt.Errorf("length histogram %q: count of length %d is negative (%d)", h.Kind, n, c)
		}
	}
	if h.Total() == 0 {
		return fmt.Errorf("length histogram %q: no inputs counted", h.Kind)
	}
	return nil
}

// Total is the number of inputs counted.
func (h LengthHistogram) Total() int {
	n := 0
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Truncated returns the histogram as the model sees it at maxLen tokens:
// every input longer than maxLen counted at maxLen. maxLen above Cap
// returns h unchanged (its longest inputs stay clipped at Cap).
func (h LengthHistogram) Truncated(maxLen int) LengthHistogram {
	if maxLen >= h.Cap {
		return h
	}
	out := LengthHistogram{Kind: h.Kind, Cap: maxLen, Counts: make([]int, maxLen+1)}
	for n, c := range h.Counts {
		out.Counts[min(n, maxLen)] += c
	}
	return out
}

// LengthSummary describes a length distribution at one maximum length.
type LengthSummary struct {
	Kind      string  `json:"kind"`
	MaxLen    int     `json:"max_len"`
	Inputs    int     `json:"inputs"`
	P10       int     `json:"p10"`
	P50       int     `json:"p50"`
	P90       int     `json:"p90"`
	P99       int     `json:"p99"`
	Mean      float64 `json:"mean"`      // after truncation to MaxLen
	Truncated float64 `json:"truncated"` // share of inputs longer than MaxLen
}

// Summary gives the percentiles (nearest rank), mean and share truncated of
// the lengths the model sees at maxLen tokens. The share truncated counts
// inputs strictly longer than maxLen; inputs of exactly Cap tokens count as
// longer when maxLen < Cap.
func (h LengthHistogram) Summary(maxLen int) LengthSummary {
	t := h.Truncated(maxLen)
	s := LengthSummary{Kind: h.Kind, MaxLen: maxLen, Inputs: h.Total()}
	if s.Inputs == 0 {
		return s
	}
	longer := 0
	for n := maxLen + 1; n < len(h.Counts); n++ {
		longer += h.Counts[n]
	}
	s.Truncated = float64(longer) / float64(s.Inputs)
	sum := 0
	for n, c := range t.Counts {
		sum += n * c
	}
	s.Mean = float64(sum) / float64(s.Inputs)
	s.P10, s.P50, s.P90, s.P99 = t.Percentile(0.10), t.Percentile(0.50), t.Percentile(0.90), t.Percentile(0.99)
	return s
}

// Percentile is the nearest-rank q-quantile (0 < q <= 1) of the lengths:
// the least n such that at least q of the inputs have n tokens or fewer.
// An empty histogram gives 0.
func (h LengthHistogram) Percentile(q float64) int {
	total := h.Total()
	if total == 0 {
		return 0
	}
	rank := max(int(math.Ceil(q*float64(total))), 1)
	seen := 0
	for n, c := range h.Counts {
		seen += c
		if seen >= rank {
			return n
		}
	}
	return h.Cap
}

// String prints the summary on one line.
func (s LengthSummary) String() string {
	return fmt.Sprintf("%-44s max %3d: %6d inputs, p10 %3d, p50 %3d, p90 %3d, p99 %3d, mean %5.1f, truncated %4.1f%%",
		s.Kind, s.MaxLen, s.Inputs, s.P10, s.P50, s.P90, s.P99, s.Mean, 100*s.Truncated)
}

// InputLengths are the token-length distributions of a project's model
// inputs, as the pipeline renders and tokenizes them.
type InputLengths struct {
	Model   string          `json:"model"`   // the tokenizer's model folder name
	Tickets int             `json:"tickets"` // archive size
	Pairs   LengthHistogram `json:"pairs"`   // cross-encoder: every stored (query, first-stage candidate) pair
	Texts   LengthHistogram `json:"texts"`   // bi-encoder: every archive ticket as the dense first stage embeds it
}

// InputLengths tokenizes, with the tokenizer of modelName ("" = the
// project's starting model), every (query, candidate) pair of the stored
// first-stage lists in the project's pair format — the pairs training,
// evaluation and serving score — and every ticket's opening text as the
// bi-encoder first stage embeds it, and counts their token lengths up to
// LengthCap. It reads the project and writes nothing.
func (p *Project) InputLengths(ctx context.Context, modelName string) (InputLengths, error) {
	settings := p.SettingsSnapshot()
	dir, err := p.ResolveModel(pick(modelName, settings.StartModel, DefaultModel))
	if err != nil {
		return InputLengths{}, err
	}
	ck, err := hf.Load(dir)
	if err != nil {
		return InputLengths{}, err
	}
	tok, err := tokenizer.Load(ck.TokenizerPath)
	if err != nil {
		return InputLengths{}, err
	}
	defer tok.Close()
	format, err := p.pairFormatIn(settings, "")
	if err != nil {
		return InputLengths{}, err
	}
	a, err := p.loadArchive()
	if err != nil {
		return InputLengths{}, err
	}
	qcs, err := p.Candidates("")
	if err != nil {
		return InputLengths{}, err
	}
	var pairs [][2]data.Ticket
	for _, qc := range qcs {
		q, ok := a.get(qc.Query)
		if !ok {
			return InputLengths{}, fmt.Errorf("input lengths: query %s of the first-stage lists is not in the archive", qc.Query)
		}
		for _, c := range qc.Candidates {
			d, ok := a.get(c.ID)
			if !ok {
				return InputLengths{}, fmt.Errorf("input lengths: candidate %s of query %s is not in the archive", c.ID, qc.Query)
			}
			pairs = append(pairs, [2]data.Ticket{q, d})
		}
	}
	pairLens := make([]int, len(pairs))
	for i, pr := range pairs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return InputLengths{}, err
			}
		}
		pairLens[i] = tok.EncodePair(pairtext.QuerySide(pr[0], format), pairtext.DocSide(pr[0], pr[1], format), LengthCap).Len()
	}
	textLens := make([]int, len(a.Tickets))
	for i, t := range a.Tickets {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return InputLengths{}, err
			}
		}
		textLens[i] = tok.Encode(embedDocText(t), LengthCap).Len()
	}
	name := dir[strings.LastIndexAny(dir, `/\`)+1:]
	return InputLengths{Model: name, Tickets: len(a.Tickets),
		Pairs: NewLengthHistogram("cross-encoder pairs ("+format.Name+" format)", LengthCap, pairLens),
		Texts: NewLengthHistogram("bi-encoder ticket texts (title + description)", LengthCap, textLens)}, nil
}
