//go:build windows || plan9

package bench

import "errors"

// resetPeakRSS cannot lower the peak here.
func resetPeakRSS() bool { return false }

// readPeakRSS is not implemented on this OS; the column stays empty.
func readPeakRSS(bool) (int64, string, error) {
	return 0, "", errors.New("peak RSS: not measured on this OS")
}
