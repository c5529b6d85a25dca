// Command precedent is the headless CLI and team server of Precedent: it
// imports a closed-ticket archive, mines labels, fine-tunes and evaluates a
// reranker, exports and serves it. It never imports Fyne.
//
// Exit codes: 0 success, 1 failure, 2 usage error, 3 project in use by
// another process, 130 cancelled (Ctrl-C; the work done so far is kept and
// the step can be resumed).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"sync"
	"syscall"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
	"github.com/precedent/precedent/ml/ort"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// processRuntime is how this process computes: the backend an empty name
// opens ($PRECEDENT_BACKEND, else auto), ONNX Runtime enabled (cgo builds),
// and the Go memory limit, applied once a command opens its project (open).
// main builds it before any command runs; a test's first command does.
var processRuntime = sync.OnceValue(func() *backend.Runtime {
	return backend.NewRuntime(backend.Config{ORT: ort.Enable()})
})

func main() {
	processRuntime()
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "precedent: unknown command %q\n\n", args[0])
		usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := c.run(ctx, args[1:])
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case app.IsInUse(err):
		fmt.Fprintf(os.Stderr, "precedent %s: %v\n", c.name, err)
		return 3
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(os.Stderr, "\nprecedent %s: cancelled; what was done is kept, run it again to resume\n", c.name)
		return 130
	default:
		fmt.Fprintf(os.Stderr, "precedent %s: %v\n", c.name, err)
		return 1
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "Precedent: fine-tune a ticket reranker on your own closed-ticket archive, offline.")
	fmt.Fprintln(os.Stderr, "\nUsage: precedent COMMAND [flags]   (precedent COMMAND --help for its flags)")
	fmt.Fprintln(os.Stderr, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nEvery command takes --home DIR (default $PRECEDENT_HOME, else the platform's app-data folder)")
	fmt.Fprintln(os.Stderr, "and, where it prints figures, --json to print one JSON object instead.")
}
