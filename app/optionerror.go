package app

import "fmt"

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
