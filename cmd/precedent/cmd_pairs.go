package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/precedent/precedent/data/split"
	"github.com/precedent/precedent/platform/fsutil"
)

func init() {
	register(command{"pairs", "list or export the mined pairs (JSONL)", cmdPairs})
}

func cmdPairs(ctx context.Context, args []string) error {
	f := newRecordFlags("pairs", "[flags]", "Prints the mined pairs as JSONL with their provenance (cue, class, filters, window),\n"+
		"or writes them to --out FILE.", 0, 0)
	window := f.String("window", "", "only pairs of this window: train, validation or test (default all)")
	all := f.Bool("all", false, "include pairs that are not training positives (trivial, capped)")
	out := f.String("out", "", "write the pairs to this file instead of standard output (replaced only once complete)")
	p, err := f.parseOpen(args)
	if err != nil {
		return err
	}
	defer p.Close()
	switch *window {
	case "", split.Train.String(), split.Validation.String(), split.Test.String():
	default:
		fmt.Fprintf(os.Stderr, "precedent pairs: --window %q: want train, validation or test\n", *window)
		return errUsage
	}
	ps, err := p.Pairs()
	if err != nil {
		return err
	}
	write := func(w io.Writer) (int, error) {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		n := 0
		for _, sp := range ps {
			if !*all && !sp.Training() || *window != "" && sp.Window != *window {
				continue
			}
			if err := enc.Encode(sp); err != nil {
				return n, err
			}
			n++
		}
		return n, bw.Flush()
	}
	if *out == "" {
		_, err := write(os.Stdout)
		return err
	}
	// 0o600: the pairs hold ticket text (the mode a temporary file had before).
	var n int
	if err := fsutil.WriteFileAtomicFunc(*out, 0o600, func(w io.Writer) (err error) {
		n, err = write(w)
		return err
	}); err != nil {
		return fmt.Errorf("pairs --out %s: %w", *out, err)
	}
	fmt.Fprintf(os.Stderr, "%d pairs written to %s\n", n, *out)
	return nil
}
