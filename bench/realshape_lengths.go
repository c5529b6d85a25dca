package bench

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/ml/backend"
)

// lengthFiles holds the token-length histograms the real-shape rows
// replay: counts per length only, no text, measured with MeasureLengths.
//
//go:embed testdata/lengths-*.json
var lengthFiles embed.FS

// lengthSources are the archives whose histograms lengthFiles holds:
// the built-in synthetic archive (20k tickets) and the Ubuntu CVE Tracker
// archive of ../shared/real (32k tickets, mined with --preset cve).
var lengthSources = []string{"demo", "real"}

// summaryLens are the maximum lengths MeasureLengths summarises at: the
// demo's and the training default's.
var summaryLens = []int{128, 256}

// MeasureLengths computes the token-length distributions of the project
// in home, opened with rt (app.Project.InputLengths), prints their summaries at 128 and 256
// tokens to w, and writes them as JSON to out unless out is "".
func MeasureLengths(ctx context.Context, rt *backend.Runtime, home, out string, w io.Writer) error {
	p, err := app.OpenWith(home, rt)
	if err != nil {
		return err
	}
	defer p.Close()
	il, err := p.InputLengths(ctx, "")
	if err != nil {
		return fmt.Errorf("lengths of %s: %w", home, err)
	}
	fmt.Fprintf(w, "%s: %d tickets, tokenizer of %s\n", home, il.Tickets, il.Model)
	for _, h := range []app.LengthHistogram{il.Pairs, il.Texts} {
		for _, n := range summaryLens {
			fmt.Fprintln(w, " ", h.Summary(n))
		}
	}
	if out == "" {
		return nil
	}
	raw, err := json.Marshal(il)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("lengths: %w", err)
	}
	return nil
}

// loadLengths reads the embedded histograms of one source ("demo", "real").
func loadLengths(source string) (app.InputLengths, error) {
	name := "testdata/lengths-" + source + ".json"
	raw, err := lengthFiles.ReadFile(name)
	if err != nil {
		return app.InputLengths{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	var il app.InputLengths
	if err := json.Unmarshal(raw, &il); err != nil {
		return app.InputLengths{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	for _, h := range []app.LengthHistogram{il.Pairs, il.Texts} {
		if err := h.Validate(); err != nil {
			return app.InputLengths{}, fmt.Errorf("bench: %s: %w", name, err)
		}
	}
	return il, nil
}
