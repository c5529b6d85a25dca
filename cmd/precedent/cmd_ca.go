package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/precedent/precedent/platform"
)

func init() {
	register(command{"ca", "check a corporate CA bundle and export it combined with the system roots (ca check|export)", cmdCA})
}

func cmdCA(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "export") {
		fmt.Fprintln(os.Stderr, "Usage: precedent ca check --bundle PEM|DIR [flags]\n       precedent ca export --bundle PEM|DIR --out FILE [flags]\n\n"+
			"Checks a corporate CA bundle, or exports it combined with the system roots; precedent ca SUBCOMMAND --help for its flags.")
		return groupUsage(args)
	}
	sub := args[0]
	synopsis := "--bundle PEM|DIR [flags]"
	if sub == "export" {
		synopsis = "--bundle PEM|DIR --out FILE [flags]"
	}
	f := newFlags("ca "+sub, synopsis,
		"check: lists the certificates a bundle adds to the system roots, with warnings (expired, not yet valid,\n"+
			"not a CA, duplicate, empty file). export: also writes system roots + bundle to FILE and prints the\n"+
			"lines that make Python, curl, Node and OpenSSL tools trust it.", 0, 0)
	bundle := f.String("bundle", os.Getenv(platform.CABundleEnv), "PEM file or folder of .pem/.crt/.cer (default $"+platform.CABundleEnv+")")
	out := f.String("out", "", "combined bundle to write (export)")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if *bundle == "" || (sub == "export" && *out == "") {
		fmt.Fprintf(os.Stderr, "precedent ca %s: --bundle%s is required\n", sub, map[bool]string{true: " and --out", false: ""}[sub == "export"])
		return errUsage
	}
	tp, err := platform.LoadTrustPool(*bundle, time.Now())
	if err != nil {
		return err
	}
	for _, w := range tp.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	res := map[string]any{"added": tp.Added, "warnings": tp.Warnings}
	if sub == "export" {
		b, err := tp.Combined()
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(*out)
		if err != nil {
			return err
		}
		if err := os.WriteFile(abs, b, 0o644); err != nil {
			return fmt.Errorf("ca export: %w", err)
		}
		res["out"], res["system_bundle"], res["env"] = abs, tp.System, platform.EnvLines(abs)
		if !f.json() {
			sys := tp.System
			if sys == "" {
				sys = "none found: the file holds only your certificates"
			}
			fmt.Fprintf(os.Stderr, "wrote %s: system roots (%s) + %d certificate(s) from %s\n", abs, sys, len(tp.Added), *bundle)
			fmt.Fprintln(os.Stderr, "copy these lines into your shell profile:")
			for _, l := range platform.EnvLines(abs) {
				fmt.Println(l)
			}
			return nil
		}
	}
	if f.json() {
		return printJSON(res)
	}
	for _, c := range tp.Added {
		fmt.Printf("%s  (until %s, %s)\n", c.Subject, c.NotAfter.Format(time.DateOnly), c.File)
	}
	return nil
}
