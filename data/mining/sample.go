package mining

import (
	"math/rand/v2"
	"sort"

	"github.com/precedent/precedent/data"
)

// noRule names the stratum of tickets without a detection rule.
const noRule = "(none)"

// Floors of the automatic sampling caps.
const (
	minAutoPerRule     = 300
	minAutoPerRulePair = 100
)

// autoCap is an explicit cap as given, or for 0 three times the mean number
// of pairs offered per stratum, at least floor: the cap then bites only on
// strata holding far more than their share, whatever the archive's size.
func autoCap(explicit int, counts []int, floor int) int {
	if explicit != 0 || len(counts) == 0 {
		return explicit
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	return max(floor, 3*total/len(counts))
}

// sample caps training positives per query rule and per (query rule,
// positive rule) so that a few noisy rules do not dominate training. Direct
// pairs are offered before expanded ones; within each, the order is a
// shuffle fixed by opts.Seed. Pairs left out get a sampling filter.
func sample(tickets []data.Ticket, ix *archiveIndex, pairs []Pair, opts Options) ([]RuleStats, [2]int) {
	rule := func(id string) string {
		if r := tickets[ix.byID[id]].Rule; r != "" {
			return r
		}
		return noRule
	}
	var offer []int
	for i := range pairs {
		if len(pairs[i].Filters) == 0 {
			offer = append(offer, i)
		}
	}
	// pairs arrive in group order, already deterministic; shuffle, then
	// stably put direct pairs first.
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	rng.Shuffle(len(offer), func(a, b int) { offer[a], offer[b] = offer[b], offer[a] })
	sort.SliceStable(offer, func(a, b int) bool { return pairs[offer[a]].Direct && !pairs[offer[b]].Direct })

	type stratum struct{ q, p string }
	offeredRule := map[string]int{}
	offeredPair := map[stratum]int{}
	for _, i := range offer {
		qr, pr := rule(pairs[i].Query), rule(pairs[i].Positive)
		offeredRule[qr]++
		offeredPair[stratum{qr, pr}]++
	}
	values := func(m map[string]int) []int {
		out := make([]int, 0, len(m))
		for _, v := range m {
			out = append(out, v)
		}
		return out
	}
	pairCounts := make([]int, 0, len(offeredPair))
	for _, v := range offeredPair {
		pairCounts = append(pairCounts, v)
	}
	opts.MaxPerRule = autoCap(opts.MaxPerRule, values(offeredRule), minAutoPerRule)
	opts.MaxPerRulePair = autoCap(opts.MaxPerRulePair, pairCounts, minAutoPerRulePair)
	perRule := map[string]int{}
	perPair := map[stratum]*RuleStats{}
	for _, i := range offer {
		qr, pr := rule(pairs[i].Query), rule(pairs[i].Positive)
		st := perPair[stratum{qr, pr}]
		if st == nil {
			st = &RuleStats{QueryRule: qr, PositiveRule: pr}
			perPair[stratum{qr, pr}] = st
		}
		st.Candidates++
		switch {
		case opts.MaxPerRulePair >= 0 && st.Kept >= opts.MaxPerRulePair:
			pairs[i].Filters = append(pairs[i].Filters, FilterRulePairCap)
		case opts.MaxPerRule >= 0 && perRule[qr] >= opts.MaxPerRule:
			pairs[i].Filters = append(pairs[i].Filters, FilterRuleCap)
		default:
			st.Kept++
			perRule[qr]++
		}
	}
	stats := make([]RuleStats, 0, len(perPair))
	for _, st := range perPair {
		stats = append(stats, *st)
	}
	sort.Slice(stats, func(a, b int) bool {
		if stats[a].QueryRule != stats[b].QueryRule {
			return stats[a].QueryRule < stats[b].QueryRule
		}
		return stats[a].PositiveRule < stats[b].PositiveRule
	})
	return stats, [2]int{opts.MaxPerRule, opts.MaxPerRulePair}
}
