package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/platform"
	"github.com/precedent/precedent/rerank"
	"github.com/precedent/precedent/serve"
)

func init() {
	register(command{"service", "run `precedent serve` as a systemd user unit / launchd agent (service install|status|uninstall)", cmdService})
}

func cmdService(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "install" && args[0] != "status" && args[0] != "uninstall") {
		fmt.Fprintln(os.Stderr, "Usage: precedent service install --model DIR [flags]\n       precedent service status|uninstall [flags]\n\n"+
			"Runs `precedent serve` as a systemd user unit or launchd agent; precedent service SUBCOMMAND --help for its flags.")
		return groupUsage(args)
	}
	sub := args[0]
	synopsis := "[flags]"
	if sub == "install" {
		synopsis = "--model DIR [flags]"
	}
	f := newBareFlags("service "+sub, synopsis,
		"install writes a systemd user unit (Linux: ~/.config/systemd/user, then systemctl --user enable --now) or a\n"+
			"launchd agent (macOS: ~/Library/LaunchAgents, then launchctl bootstrap gui/UID) that runs `precedent serve`\n"+
			"with every serve flag given here, restarts it on failure and starts it at login. status and uninstall act on it;\n"+
			"status exits non-zero when the service manager fails or the service is not installed.", 0, 0)
	name := f.String("name", "precedent-serve", "service name")
	var o *serveOptions
	if sub == "install" {
		o = addServeFlags(f.FlagSet) // serve's own flags, defaults and help: the unit runs exactly these
	}
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	m, err := platform.NewServiceManager()
	if err != nil {
		return err
	}
	s := platform.Service{Name: *name}
	switch sub {
	case "status":
		out, err := m.Status(s)
		fmt.Print(out)
		return err
	case "uninstall":
		path, err := m.Uninstall(s)
		if err != nil {
			return err
		}
		fmt.Printf("removed %s\n", path)
		return nil
	}
	if *o.dir == "" {
		fmt.Fprintln(os.Stderr, "precedent service install: --model is required")
		return errUsage
	}
	if os.Getenv(serve.TokenEnv) != "" && *o.tokenFile == "" {
		return fmt.Errorf("service install: $%s is not passed to services; put the token in a file (chmod 600) and give --token-file", serve.TokenEnv)
	}
	token, err := readToken(*o.tokenFile)
	if err != nil {
		return err
	}
	cfg := o.config(token)
	if err := validate(f, cfg); err != nil {
		return err
	}
	if _, err := cfg.TLSConfig(); err != nil {
		return err
	}
	if _, err := rerank.VerifyManifest(*o.dir); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	s.Exe = exe
	if s.Args, err = o.serviceArgs(); err != nil {
		return err
	}
	model, err := filepath.Abs(*o.dir)
	if err != nil {
		return err
	}
	s.WorkDir = filepath.Dir(model)
	s.LogDir = filepath.Join(m.HomeDir, "Library", "Logs", "Precedent")
	path, err := m.Install(s)
	if path != "" {
		fmt.Printf("wrote %s\n", path)
	}
	if err != nil {
		return err
	}
	fmt.Printf("started %s; check it with: precedent service status --name %s\n", *name, *name)
	return nil
}
