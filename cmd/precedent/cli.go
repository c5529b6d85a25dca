package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/precedent/precedent/app"
)

// errUsage marks a usage error already explained to the user.
var errUsage = errors.New("usage")

// errHelp marks a request for help, already printed: exit 0.
var errHelp = errors.New("help")

// flags wraps a FlagSet with the flags every command shares.
type flags struct {
	*flag.FlagSet
	home     *string
	jsonOut  *bool // nil for a command that prints records, not figures
	synopsis string
	minArgs  int
	maxArgs  int
	// positional holds the arguments that are not flags, in order.
	positional []string
}

// newFlags makes a command's flags with the shared --home and --json.
// synopsis names the positional arguments and "[flags]"; the flags are
// described once, in the list below it.
func newFlags(name, synopsis, summary string, minArgs, maxArgs int) *flags {
	f := newRecordFlags(name, synopsis, summary, minArgs, maxArgs)
	f.jsonOut = f.Bool("json", false, "print one JSON object instead of text")
	return f
}

// newRecordFlags is newFlags without --json, for a command whose output is
// already records (JSONL), not figures.
func newRecordFlags(name, synopsis, summary string, minArgs, maxArgs int) *flags {
	f := newBareFlags(name, synopsis, summary, minArgs, maxArgs)
	f.home = f.String("home", "", "data directory (default $PRECEDENT_HOME, else the platform's app-data folder)")
	return f
}

// newBareFlags is for a command that neither opens the project nor prints
// figures (serve, service): no --home, no --json, so its help lists only
// flags it uses. open must not be called on them.
func newBareFlags(name, synopsis, summary string, minArgs, maxArgs int) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f := &flags{FlagSet: fs, synopsis: synopsis, minArgs: minArgs, maxArgs: maxArgs}
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: precedent %s %s\n\n%s\n\nFlags:\n", name, synopsis, summary)
		fs.PrintDefaults()
	}
	return f
}

// parse accepts flags before, between and after positional arguments.
func (f *flags) parse(args []string) error {
	rest := args
	for {
		if err := f.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return errUsage
		}
		rest = f.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			f.positional = append(f.positional, rest[1:]...)
			break
		}
		f.positional = append(f.positional, rest[0])
		rest = rest[1:]
	}
	if len(f.positional) < f.minArgs || (f.maxArgs >= 0 && len(f.positional) > f.maxArgs) {
		fmt.Fprintf(os.Stderr, "precedent %s: expected %s\n", f.Name(), f.synopsis)
		f.Usage()
		return errUsage
	}
	return nil
}

func (f *flags) json() bool { return f.jsonOut != nil && *f.jsonOut }

// parseOpen parses args and opens the project named by --home.
func (f *flags) parseOpen(args []string) (*app.Project, error) {
	if err := f.parse(args); err != nil {
		return nil, err
	}
	return f.open()
}

// open opens the project named by --home with the process's runtime, and
// applies the project's memory limit (Settings.MemoryLimitMB) to it.
func (f *flags) open() (*app.Project, error) {
	rt := processRuntime()
	p, err := app.OpenWith(*f.home, rt)
	if err != nil {
		return nil, err
	}
	rt.LimitMemory(p.SettingsSnapshot().MemoryLimitMB)
	return p, nil
}

// printBackend says on stderr which backend the project's settings select,
// and the runtime behind it.
func printBackend(p *app.Project) {
	if info, err := p.BackendInfo(); err == nil {
		fmt.Fprintf(os.Stderr, "backend: %s\nruntime: %s\n", info.Description, p.Runtime())
	}
}

// optionError reports an option app refused (an *app.OptionError) as a
// usage error naming the flag that set it (flagOf: flags by the option's
// JSON name); any other error passes through.
func (f *flags) optionError(err error, flagOf map[string]string) error {
	var oe *app.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	fmt.Fprintf(os.Stderr, "precedent %s: %s\n", f.Name(), oe.Named(func(field string) string {
		if name, ok := flagOf[field]; ok {
			return "--" + name
		}
		return field
	}))
	return errUsage
}

// printJSON prints v as one indented JSON object on stdout.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table prints rows with aligned columns.
func table(w io.Writer, rows [][]string) {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
