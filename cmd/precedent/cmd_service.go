package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/precedent/precedent/app"
	"github.com/precedent/precedent/platform"
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
	f := newFlags("service "+sub, synopsis,
		"install writes a systemd user unit (Linux: ~/.config/systemd/user, then systemctl --user enable --now) or a\n"+
			"launchd agent (macOS: ~/Library/LaunchAgents, then launchctl bootstrap gui/UID) that runs `precedent serve`\n"+
			"with these flags, restarts it on failure and starts it at login. status and uninstall act on it.", 0, 0)
	name := f.String("name", "precedent-serve", "service name")
	dir := f.String("model", "", "exported model folder (install)")
	addr := f.String("addr", serve.DefaultAddr, "listen address (install)")
	tokenFile := f.String("token-file", "", "bearer token file (install; required off loopback)")
	cert := f.String("tls-cert", "", "PEM certificate (install)")
	key := f.String("tls-key", "", "PEM key (install)")
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
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "precedent service install: --model is required")
		return errUsage
	}
	abs := func(p string) (string, error) {
		if p == "" {
			return "", nil
		}
		return filepath.Abs(p)
	}
	var paths [4]string
	for i, p := range []string{*dir, *tokenFile, *cert, *key} {
		if paths[i], err = abs(p); err != nil {
			return err
		}
	}
	token, err := readToken(paths[1])
	if err != nil {
		return err
	}
	if os.Getenv(serve.TokenEnv) != "" && paths[1] == "" {
		return fmt.Errorf("service install: $%s is not passed to services; put the token in a file (chmod 600) and give --token-file", serve.TokenEnv)
	}
	if err := (serve.Config{Addr: *addr, Token: token, TLSCert: paths[2], TLSKey: paths[3]}).Check(); err != nil {
		return err
	}
	if _, err := app.VerifyManifest(paths[0]); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	s.Exe = exe
	s.Args = []string{"serve", "--model", paths[0], "--addr", *addr}
	for i, flag := range []string{"--token-file", "--tls-cert", "--tls-key"} {
		if paths[i+1] != "" {
			s.Args = append(s.Args, flag, paths[i+1])
		}
	}
	s.WorkDir = filepath.Dir(paths[0])
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
