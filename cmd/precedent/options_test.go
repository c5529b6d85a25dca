package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every command's options out of range are a usage error naming the flag,
// refused before the project is opened (app's Validate, one per options
// type).
func TestOptionFlagErrors(t *testing.T) {
	t.Setenv("PRECEDENT_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"monitor", "--depth", "-1"}, "precedent monitor: --depth -1: want candidates per query"},
		{[]string{"monitor", "--bootstrap", "-5"}, "precedent monitor: --bootstrap -5: want bootstrap resamples"},
		{[]string{"monitor", "--period", "year"}, "precedent monitor: --period year: want week, month or quarter"},
		{[]string{"monitor", "--shift", "2"}, "precedent monitor: --shift 2: want a Kolmogorov-Smirnov distance, 0 to 1"},
		{[]string{"monitor", "--min-queries", "-1"}, "precedent monitor: --min-queries -1"},
		{[]string{"firststage", "--k", "-1"}, "precedent firststage: --k -1: want candidates per query"},
		{[]string{"firststage", "--max-len", "8"}, "precedent firststage: --max-len 8: want 16 to 8192 tokens"},
		{[]string{"ranker", "--depth", "-2"}, "precedent ranker: --depth -2"},
		{[]string{"ranker", "--drop", "colour"}, "precedent ranker: --drop colour: want features among"},
		{[]string{"mine", "--train", "1.2"}, "precedent mine: --train 1.2: want a fraction of the time"},
		{[]string{"mine", "--train", "0.7", "--val", "0.3"}, "precedent mine: --val 0.3: want a fraction that leaves a test window"},
		{[]string{"mine", "--ties", "keep"}, "precedent mine: --ties keep: want order or drop"},
		{[]string{"mine", "--preset", "remedy"}, "precedent mine: --preset remedy: want a preset among"},
		{[]string{"mine", "--max-partners", "-3"}, "precedent mine: --max-partners -3"},
		{[]string{"mine", "--train-end", "2025-03-01", "--val-end", "2025-02-01"}, "precedent mine: --val-end 2025-02-01: want a date after the end of the train window"},
		{[]string{"negatives", "mine", "--per-query", "500"}, "precedent negatives mine: --per-query 500: want negatives per query, 1 to 100"},
		{[]string{"negatives", "mine", "--guard", "1.5"}, "precedent negatives mine: --guard 1.5"},
		{[]string{"negatives", "mine", "--near-dup-similarity", "-1"}, "precedent negatives mine: --near-dup-similarity -1: want a Jaccard similarity"},
		{[]string{"negatives", "mine", "--link-window", "-1h"}, "precedent negatives mine: --link-window -1h0m0s"},
		{[]string{"import", "missing.csv", "--tz", "Mars/Olympus"}, `precedent import: --tz "Mars/Olympus"`},
		{[]string{"import", "missing.csv", "--date-order", "ymd"}, `precedent import: --date-order "ymd": want dmy or mdy`},
		{[]string{"demo", "--tickets", "50"}, "precedent demo: --tickets 50: want 100 to 1000000 tickets"},
		{[]string{"demo", "--negatives", "-1"}, "precedent demo: --negatives -1"},
		{[]string{"demo", "--depth", "-1"}, "precedent demo: --depth -1: want candidates per query"},
		{[]string{"serve", "--model", "m", "--max-batch", "-1"}, "precedent serve: --max-batch -1: want pairs per model call"},
		{[]string{"serve", "--model", "m", "--drain-delay", "-1s"}, "precedent serve: --drain-delay -1s: want a duration, 0 (none) or more"},
		{[]string{"loadtest", "--model", "m", "--queue", "-1"}, "precedent loadtest: --queue -1"},
		{[]string{"eval-bi", "--window", "tests"}, "precedent eval-bi: --window tests: want windows among train, validation, test"},
		{[]string{"eval-bi", "--max-len", "4"}, "precedent eval-bi: --max-len 4"},
	} {
		code, stderr := captureStderr(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}
