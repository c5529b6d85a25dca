package app

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data/negatives"
)

// validateCase is one Validate table row: the options, and the JSON name
// of the field refused ("" = valid) with a part of the message.
type validateCase[O any] struct {
	name      string
	in        O
	wantField string
	wantMsg   string
}

// checkValidate runs a Validate table.
func checkValidate[O any](t *testing.T, validate func(O) error, tests []validateCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validate(tt.in)
			if tt.wantField == "" {
				assert.NoError(t, err)
				return
			}
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tt.wantField, oe.Field)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestMonitorOptionsDefaults(t *testing.T) {
	def := DefaultMonitorOptions()
	assert.Equal(t, "best", def.Model)
	assert.Equal(t, "month", def.Period)
	assert.Equal(t, 50, def.Depth)
	assert.Equal(t, 2000, def.Permutations)
	assert.Equal(t, 2000, def.Resamples)
	assert.Equal(t, DefaultAdviceThresholds(), def.Thresholds)
	quick := MonitorOptions{Model: "run-1", Period: "week", Depth: 10, Permutations: 100, Resamples: 100,
		Thresholds: AdviceThresholds{MinQueries: 5, Periods: 3, BelowFirst: 0.05, Drop: 0.2, UnseenRules: 0.4, Shift: 0.5}}
	some := def
	some.Depth, some.Thresholds.MinQueries = 10, 5
	tests := []struct {
		name string
		in   MonitorOptions
		want MonitorOptions
	}{
		{"zero takes every default", MonitorOptions{}, def},
		{"the defaults are complete", def, def},
		{"given values are kept", quick, quick},
		{"zero fields among given ones take their defaults", MonitorOptions{Depth: 10, Thresholds: AdviceThresholds{MinQueries: 5}}, some},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestMonitorOptionsValidate(t *testing.T) {
	checkValidate(t, MonitorOptions.Validate, []validateCase[MonitorOptions]{
		{"zero is valid: every field takes its default", MonitorOptions{}, "", ""},
		{"the defaults", DefaultMonitorOptions(), "", ""},
		{"a quick monitoring by quarter", MonitorOptions{Period: "quarter", Depth: 10, Permutations: 100, Resamples: 100, Precision: "bf16"}, "", ""},
		{"unknown period", MonitorOptions{Period: "year"}, "period", "period year: want week, month or quarter (empty = month)"},
		{"negative depth", MonitorOptions{Depth: -1}, "depth", "depth -1: want candidates per query, 1 or more (0 = 50)"},
		{"negative permutations", MonitorOptions{Permutations: -1}, "permutations", "(0 = 2000)"},
		{"negative resamples", MonitorOptions{Resamples: -5}, "resamples", "resamples -5: want bootstrap resamples"},
		{"unknown precision", MonitorOptions{Precision: "fp16"}, "precision", "want auto, f32 or bf16"},
		{"a threshold is named within thresholds", MonitorOptions{Thresholds: AdviceThresholds{Shift: 2}}, "thresholds.shift", "thresholds.shift 2: want a Kolmogorov-Smirnov distance"},
	})
	// Monitor refuses them before it reads anything: this project is empty.
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, err = p.Monitor(context.Background(), MonitorOptions{Depth: -1}, nil)
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "depth", oe.Field)
}

func TestAdviceThresholdsValidate(t *testing.T) {
	assert.Equal(t, DefaultAdviceThresholds(), AdviceThresholds{}.withDefaults())
	checkValidate(t, AdviceThresholds.Validate, []validateCase[AdviceThresholds]{
		{"zero takes the defaults", AdviceThresholds{}, "", ""},
		{"the defaults", DefaultAdviceThresholds(), "", ""},
		{"every bound at its edge", AdviceThresholds{MinQueries: 1, Periods: 1, BelowFirst: 1, Drop: 1, UnseenRules: 1, Shift: 1}, "", ""},
		{"negative query minimum", AdviceThresholds{MinQueries: -1}, "min_queries", "min_queries -1: want labelled queries, 1 or more (0 = 20)"},
		{"negative periods", AdviceThresholds{Periods: -2}, "periods", "(0 = 2)"},
		{"negative margin below the first stage", AdviceThresholds{BelowFirst: -0.02}, "below_first", "below_first -0.02: want a difference of MRR@10, 0 to 1 (0 = 0.02)"},
		{"drop above 1", AdviceThresholds{Drop: 1.5}, "drop", "drop 1.5"},
		{"unseen rules as a percentage", AdviceThresholds{UnseenRules: 20}, "unseen_rules", "want a share of tickets, 0 to 1"},
		{"shift NaN", AdviceThresholds{Shift: math.NaN()}, "shift", "shift NaN"},
	})
}

func TestFirstStageOptionsDefaults(t *testing.T) {
	def := DefaultFirstStageOptions()
	assert.Equal(t, FirstStageOptions{K: 50, MaxLen: 128, Pivot: 10, RulePivot: 10}, def)
	tests := []struct {
		name string
		in   FirstStageOptions
		want FirstStageOptions
	}{
		{"zero takes the depth; pivots stay off", FirstStageOptions{}, FirstStageOptions{K: def.K}},
		{"the defaults are complete", def, def},
		{"given values are kept", FirstStageOptions{Source: SourceBiEncoder, K: 20, MaxLen: 64, Pivot: 3}, FirstStageOptions{Source: SourceBiEncoder, K: 20, MaxLen: 64, Pivot: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestFirstStageOptionsValidate(t *testing.T) {
	checkValidate(t, FirstStageOptions.Validate, []validateCase[FirstStageOptions]{
		{"zero is valid", FirstStageOptions{}, "", ""},
		{"the defaults", DefaultFirstStageOptions(), "", ""},
		{"imported vectors", FirstStageOptions{Source: SourceVectors, VectorsPath: "v.npy", IDsPath: "ids.txt"}, "", ""},
		{"a small bi-encoder", FirstStageOptions{Source: SourceBiEncoder, Layers: 2, MaxLen: 16}, "", ""},
		{"unknown source", FirstStageOptions{Source: "bm52"}, "source", "source bm52: want bm25, bi-encoder or vectors"},
		{"negative depth", FirstStageOptions{K: -1}, "k", "k -1: want candidates per query, 1 or more (0 = 50)"},
		{"negative layers", FirstStageOptions{Layers: -1}, "layers", "layers -1: want 0 (all) to 128"},
		{"short max length", FirstStageOptions{MaxLen: 8}, "max_len", "max_len 8: want 16 to 8192 tokens (0 = 128)"},
		{"negative pivot", FirstStageOptions{Pivot: -10}, "pivot", "pivot -10: want 0 (off)"},
		{"negative rule pivot", FirstStageOptions{RulePivot: -1}, "rule_pivot", "rule_pivot -1"},
	})
}

func TestRankerOptions(t *testing.T) {
	def := DefaultRankerOptions()
	assert.Equal(t, DefaultFirstStageOptions().K, def.Depth, "the ranker reads as deep as the first stage retrieves")
	assert.Equal(t, def, RankerOptions{}.withDefaults())
	assert.Equal(t, RankerOptions{Depth: 20, Drop: []string{"rule"}}, RankerOptions{Depth: 20, Drop: []string{"rule"}}.withDefaults())
	feature := evidenceFeatures()[0]
	checkValidate(t, RankerOptions.Validate, []validateCase[RankerOptions]{
		{"zero is valid", RankerOptions{}, "", ""},
		{"the defaults", def, "", ""},
		{"an ablation", RankerOptions{Depth: 30, Drop: []string{feature}}, "", ""},
		{"negative depth", RankerOptions{Depth: -1}, "depth", "depth -1: want candidates per query, 1 or more (0 = 50)"},
		{"unknown feature", RankerOptions{Drop: []string{feature, "colour"}}, "drop", "drop colour: want features among " + feature},
	})
}

func TestMineOptionsDefaults(t *testing.T) {
	def := DefaultMineOptions()
	assert.Equal(t, MineOptions{Ties: "order", MaxPartners: 5, MaxGroupPairs: 200, TrainFrac: 0.8, ValFrac: 0.1}, def)
	dated := MineOptions{Presets: []string{"jira"}, Ties: "drop", MaxPartners: -1, TrainFrac: 0.6, ValFrac: 0.2}
	datedWant := dated
	datedWant.MaxGroupPairs = def.MaxGroupPairs
	tests := []struct {
		name string
		in   MineOptions
		want MineOptions
	}{
		{"zero takes every default", MineOptions{}, def},
		{"the defaults are complete", def, def},
		{"given values are kept, zero ones filled", dated, datedWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
		})
	}
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestMineOptionsValidate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	checkValidate(t, MineOptions.Validate, []validateCase[MineOptions]{
		{"zero is valid", MineOptions{}, "", ""},
		{"the defaults", DefaultMineOptions(), "", ""},
		{"patterns, fields and cues", MineOptions{Presets: []string{"jira", "cve"}, Patterns: []string{`SEC-\d{4}`}, Fields: []string{"title", "comments"},
			NegatedCues: []string{`not (?:the )?same`}, Ties: "drop"}, "", ""},
		{"no caps", MineOptions{MaxPartners: -1, MaxGroupPairs: -1, MaxPerRule: -1, MaxPerRulePair: -1}, "", ""},
		{"explicit dates", MineOptions{TrainEnd: day(10), ValEnd: day(20)}, "", ""},
		{"unknown preset", MineOptions{Presets: []string{"remedy"}}, "presets", "presets remedy: want a preset among cve"},
		{"a preset as the settings write it", MineOptions{Presets: []string{" Jira"}}, "", ""},
		{"expressions are compiled where mining uses them", MineOptions{Patterns: []string{`INC(\d{7}`}, NegatedCues: []string{"not (related"}}, "", ""},
		{"unknown field", MineOptions{Fields: []string{"notes"}}, "fields", "fields notes: want fields among close_notes, comments, description, title"},
		{"unknown tie rule", MineOptions{Ties: "keep"}, "ties", "ties keep: want order or drop"},
		{"cap below -1", MineOptions{MaxPartners: -2}, "max_partners", "max_partners -2: want positives per query, -1 (no cap) or more (0 = 5)"},
		{"group cap below -1", MineOptions{MaxGroupPairs: -5}, "max_group_pairs", "(0 = 200)"},
		{"rule cap below -1", MineOptions{MaxPerRule: -3}, "max_per_rule", "max_per_rule -3"},
		{"rule pair cap below -1", MineOptions{MaxPerRulePair: -3}, "max_per_rule_pair", "max_per_rule_pair -3"},
		{"train fraction of 1", MineOptions{TrainFrac: 1}, "train_frac", "train_frac 1: want a fraction of the time, above 0 and below 1"},
		{"negative validation fraction", MineOptions{ValFrac: -0.1}, "val_frac", "val_frac -0.1"},
		{"no time left for a test window", MineOptions{TrainFrac: 0.9, ValFrac: 0.1}, "val_frac", "val_frac 0.1: want a fraction that leaves a test window (train 0.9 + validation below 1)"},
		{"a long train window before the default validation", MineOptions{TrainFrac: 0.95}, "train_frac", "train_frac 0.95: want a fraction that leaves a test window (train + validation 0.1 below 1)"},
		{"validation ending before training", MineOptions{TrainEnd: day(20), ValEnd: day(10)}, "val_end", "val_end 2025-01-10: want a date after the end of the train window (2025-01-20)"},
	})
}

func TestNegativesOptionsDefaults(t *testing.T) {
	def := DefaultNegativesOptions()
	assert.Equal(t, negatives.DefaultOptions(), def.Options, "the selection's own defaults")
	assert.Equal(t, 7, def.PerQuery)
	assert.Equal(t, 50, def.TopK)
	assert.Equal(t, []string{"train", "validation"}, def.Windows)
	assert.Zero(t, def.LinkWindow, "entity-sharing candidates are kept by default")
	assert.Equal(t, def.Windows, NegativesOptions{}.withDefaults().Windows)
	test := NegativesOptions{Windows: []string{"test"}}
	assert.Equal(t, test, test.withDefaults(), "given windows are kept")
	assert.NoError(t, def.Validate(), "the defaults are valid")
}

func TestNegativesOptionsValidate(t *testing.T) {
	with := func(change func(o *NegativesOptions)) NegativesOptions {
		var o NegativesOptions
		change(&o)
		return o
	}
	checkValidate(t, NegativesOptions.Validate, []validateCase[NegativesOptions]{
		{"zero is valid", NegativesOptions{}, "", ""},
		{"the defaults", DefaultNegativesOptions(), "", ""},
		{"every bound at its edge", with(func(o *NegativesOptions) {
			o.PerQuery, o.Random, o.GuardFraction, o.NearDup.SameRuleMinSimilarity, o.Windows = 100, 3, 1, 1, []string{"train", "validation", "test"}
		}), "", ""},
		{"unknown window", NegativesOptions{Windows: []string{"training"}}, "windows", "windows training: want windows among train, validation, test"},
		{"negative depth", with(func(o *NegativesOptions) { o.TopK = -1 }), "top_k", "top_k -1: want candidates per query, 1 or more (0 = 50)"},
		{"too many per query", with(func(o *NegativesOptions) { o.PerQuery = 101 }), "per_query", "per_query 101: want negatives per query, 1 to 100 (0 = 7)"},
		{"negative per query", with(func(o *NegativesOptions) { o.PerQuery = -7 }), "per_query", "per_query -7"},
		{"negative random", with(func(o *NegativesOptions) { o.Random = -1 }), "random", "random -1"},
		{"guard above 1", with(func(o *NegativesOptions) { o.GuardFraction = 1.5 }), "guard_fraction", "guard_fraction 1.5: want a fraction of the best positive's score, 0 to 1 (0 = 0.95)"},
		{"negative near-duplicate window", with(func(o *NegativesOptions) { o.NearDup.SameRuleWithin = -time.Hour }), "near_dup.same_rule_within", "near_dup.same_rule_within -1h0m0s"},
		{"similarity above 1", with(func(o *NegativesOptions) { o.NearDup.SameRuleMinSimilarity = 2 }), "near_dup.same_rule_min_similarity", "want a Jaccard similarity, 0 to 1"},
		{"negative link window", NegativesOptions{LinkWindow: -time.Hour}, "link_window", "link_window -1h0m0s: want a duration, 0 (off) or more"},
	})
	// MineNegatives refuses them before it reads anything: this project is empty.
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	_, err = p.MineNegatives(context.Background(), NegativesOptions{LinkWindow: -time.Hour}, nil)
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "link_window", oe.Field)
}

func TestImportOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      ImportOptions
		wantErr string // "" = valid
	}{
		{"zero detects everything", ImportOptions{}, ""},
		{"every choice given", ImportOptions{Format: ".CSV", Mapping: "id=Number,opened=Opened", Preset: "Jira", TZ: "Europe/Paris", DateOrder: "dmy",
			Delimiter: "semicolon", Visibility: []string{"Assigned to=open"}}, ""},
		{"unknown format", ImportOptions{Format: "parquet"}, `--format "parquet": want csv, tsv, xlsx, jsonl or json`},
		{"unknown preset", ImportOptions{Preset: "remedy"}, `--preset: unknown mapping preset "remedy"`},
		{"broken mapping", ImportOptions{Mapping: "id"}, "--map:"},
		{"unknown zone", ImportOptions{TZ: "Mars/Olympus"}, `--tz "Mars/Olympus"`},
		{"unknown date order", ImportOptions{DateOrder: "ymd"}, `--date-order "ymd": want dmy or mdy`},
		{"two-character delimiter", ImportOptions{Delimiter: ";;"}, "--delimiter:"},
		{"visibility without a side", ImportOptions{Visibility: []string{"Assigned to"}}, `--visible "Assigned to": want COLUMN=open or COLUMN=close`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestDemoOptionsDefaults(t *testing.T) {
	def := DefaultDemoOptions()
	assert.Equal(t, 20000, def.Tickets)
	assert.EqualValues(t, 1, def.Seed)
	assert.Equal(t, DemoTrainOptions(), def.Train)
	assert.Equal(t, 40, def.Eval.Depth)
	assert.Equal(t, 300, def.Eval.MaxQueries)
	assert.Equal(t, DefaultEvalOptions().Permutations, def.Eval.Permutations)
	assert.Equal(t, DefaultNegativesOptions().PerQuery, def.NegPerQ)
	assert.Equal(t, DefaultFirstStageOptions().Pivot, def.Pivot)
	assert.Equal(t, DefaultFirstStageOptions().RulePivot, def.RulePivot)
	assert.NoError(t, def.Validate(), "the defaults are valid")
	assert.Equal(t, def, def.withDefaults(), "the defaults are complete")
	// A demo stored before the defaults were filled in is the same demo.
	stored := def
	stored.Eval = EvalOptions{Depth: 40, MaxQueries: 300, Permutations: 10000}
	assert.True(t, sameDemo(stored, def), "an earlier demo with the same options resumes")
	bigger := def
	bigger.Tickets = 140000
	assert.False(t, sameDemo(bigger, def))
	restarted := def
	restarted.Restart, restarted.Train.Resume = true, "run-1"
	assert.True(t, sameDemo(restarted, def))
}

func TestDemoOptionsValidate(t *testing.T) {
	with := func(change func(o *DemoOptions)) DemoOptions {
		o := DefaultDemoOptions()
		change(&o)
		return o
	}
	checkValidate(t, DemoOptions.Validate, []validateCase[DemoOptions]{
		{"zero is valid", DemoOptions{}, "", ""},
		{"the defaults", DefaultDemoOptions(), "", ""},
		{"the full-scale benchmark", with(func(o *DemoOptions) { o.Tickets = 140000 }), "", ""},
		{"too small an archive", with(func(o *DemoOptions) { o.Tickets = 50 }), "tickets", "tickets 50: want 100 to 1000000 tickets (0 = 20000)"},
		{"too many negatives", with(func(o *DemoOptions) { o.NegPerQ = 101 }), "negatives_per_query", "negatives_per_query 101: want negatives per query, 1 to 100"},
		{"negative pivot", with(func(o *DemoOptions) { o.Pivot = -1 }), "pivot", "pivot -1"},
		{"negative rule pivot", with(func(o *DemoOptions) { o.RulePivot = -1 }), "rule_pivot", "rule_pivot -1"},
		{"an evaluation option is named within eval", with(func(o *DemoOptions) { o.Eval.MaxQueries = -3 }), "eval.max_queries", "eval.max_queries -3: want test queries"},
	})
	o := DefaultDemoOptions()
	o.Train.MaxLen = 8
	var oe *OptionError
	require.ErrorAs(t, o.Validate(), &oe)
	assert.Equal(t, "--max-len", oe.Flag, "a training option is named as TrainOptions.Validate names it")
}

func TestBiEncoderEvalOptions(t *testing.T) {
	def := DefaultBiEncoderEvalOptions()
	assert.Equal(t, BiEncoderEvalOptions{Windows: []string{"validation", "test"}, Models: []string{DefaultModel}, Depth: 50}, def)
	assert.Equal(t, def, BiEncoderEvalOptions{}.withDefaults())
	quick := BiEncoderEvalOptions{Windows: []string{"test"}, Models: []string{"a", "b"}, Depth: 20, MaxQueries: 10, MaxLen: 64, Layers: 2}
	assert.Equal(t, quick, quick.withDefaults(), "given values are kept")
	checkValidate(t, BiEncoderEvalOptions.Validate, []validateCase[BiEncoderEvalOptions]{
		{"zero is valid", BiEncoderEvalOptions{}, "", ""},
		{"the defaults", def, "", ""},
		{"a quick comparison", quick, "", ""},
		{"unknown window", BiEncoderEvalOptions{Windows: []string{"tests"}}, "windows", "windows tests: want windows among train, validation, test"},
		{"negative depth", BiEncoderEvalOptions{Depth: -1}, "depth", "depth -1: want candidates per query, 1 or more (0 = 50)"},
		{"negative query cap", BiEncoderEvalOptions{MaxQueries: -1}, "max_queries", "max_queries -1"},
		{"short max length", BiEncoderEvalOptions{MaxLen: 4}, "max_len", "max_len 4: want 16 to 8192 tokens (0 = as each model was trained)"},
		{"negative layers", BiEncoderEvalOptions{Layers: -1}, "layers", "layers -1"},
	})
}
