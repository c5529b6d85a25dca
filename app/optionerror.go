package app

import (
	"fmt"
	"strings"

	"github.com/precedent/precedent/ml/model"
	"github.com/precedent/precedent/rerank"
)

// OptionError is an option out of range, or two options that exclude each
// other, as every options type's Validate reports it. An option is named by
// its JSON name (Field: the desktop's and the API's name, which the CLI maps
// to its flags through Named), or by its form name and flag (Option, Flag)
// where the options type states them itself.
type OptionError struct {
	Field  string // the option's JSON name, e.g. "max_queries" ("" when Option names it)
	Option string // the option as the desktop's forms name it, e.g. "batch size"
	Flag   string // its command-line flag, e.g. "--batch" ("" when it has none, or in a form)
	Value  any    // the value refused
	Want   string // what the option accepts
	With   string // an option Field cannot be set together with ("" = none)
}

func (e *OptionError) Error() string { return e.Named(func(field string) string { return field }) }

// Named is the message with an option named by its JSON name naming it
// name(field); one named by Option keeps its form name and flag.
func (e *OptionError) Named(name func(field string) string) string {
	label := e.Option
	if label == "" {
		label = name(e.Field)
	}
	if e.Flag != "" {
		label += " (" + e.Flag + ")"
	}
	if e.With != "" {
		return fmt.Sprintf("%s and %s exclude each other: choose one", label, name(e.With))
	}
	return fmt.Sprintf("%s %v: want %s", label, e.Value, e.Want)
}

// fieldCheck is one option's check, the option named by its JSON name:
// whether its value is accepted, and what to report when it is not.
type fieldCheck struct {
	ok    bool
	field string
	value any
	want  string
}

// firstBadField reports the first check that fails, as an *OptionError
// naming its field.
func firstBadField(cs ...fieldCheck) error {
	for _, c := range cs {
		if !c.ok {
			return &OptionError{Field: c.field, Value: c.value, Want: c.want}
		}
	}
	return nil
}

// within prefixes the field of err, an *OptionError naming an option of a
// nested options type, with the JSON name of the field holding it
// ("thresholds.min_queries"); any other error passes through.
func within(parent string, err error) error {
	if oe, ok := err.(*OptionError); ok && oe.Field != "" {
		named := *oe
		named.Field = parent + "." + oe.Field
		if named.With != "" {
			named.With = parent + "." + oe.With
		}
		return &named
	}
	return err
}

// fillInt sets *v to d when it is zero: an option left to its default.
func fillInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

// precisionWant is what a scoring precision option accepts.
const precisionWant = rerank.PrecisionAuto + ", f32 or bf16 (empty = the project's setting)"

// validPrecision reports whether p names a scoring precision ("" = the
// project's setting).
func validPrecision(p string) bool {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "" || p == rerank.PrecisionAuto {
		return true
	}
	_, err := model.ParsePrecision(p)
	return err == nil
}
