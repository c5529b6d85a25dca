//go:build cgo && !noxla && ((linux && (amd64 || arm64)) || (darwin && arm64))

package backend

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
)

func init() {
	// Never download plugins at run time: they come from registry packages
	// at set-up (scripts/fetch-pjrt.sh) or from the user's own folder.
	xla.EnableAutoInstall(false)
	newXLA = func(pluginPath, options string) (compute.Backend, error) {
		config := pluginPath
		if options != "" {
			config += "," + options
		}
		b, err := xla.New(config)
		if err != nil {
			return nil, fmt.Errorf("XLA with %s: %w", pluginPath, err)
		}
		return b, nil
	}
}
