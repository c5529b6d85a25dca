package app

import "fmt"

// OptionError is an option out of range, or two options that exclude each
// other. Fields are named as in JSON (the desktop's and the API's names);
// the CLI names its flags instead (Named).
type OptionError struct {
	Field string // the option's JSON name, e.g. "max_queries"
	Value any    // the value refused
	Want  string // what the option accepts
	With  string // an option Field cannot be set together with ("" = none)
}

func (e *OptionError) Error() string { return e.Named(func(field string) string { return field }) }

// Named is the message with each option named by name(field).
func (e *OptionError) Named(name func(field string) string) string {
	if e.With != "" {
		return fmt.Sprintf("%s and %s exclude each other: choose one", name(e.Field), name(e.With))
	}
	return fmt.Sprintf("%s %v: want %s", name(e.Field), e.Value, e.Want)
}
