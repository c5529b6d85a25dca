package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/ml/pairtext"
)

// An import computes the archive's stop-entities once: a service domain on
// every ticket and the SOAR account on most are stop-entities, a campaign's
// domain on a few tickets is not; the pair format carries them.
func TestImportFindsStopEntities(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(filepath.Join(dir, "project"))
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	var b strings.Builder
	b.WriteString("Number,Opened,Category,Caller,Configuration item,Short description,Description\n")
	for i := range 60 {
		caller := "svc_soar"
		if i%4 == 0 {
			caller = fmt.Sprintf("user%02d", i)
		}
		desc := fmt.Sprintf("Sign-in via portal.azure.com from 203.0.113.%d", i)
		if i < 3 {
			desc += "; link to evil-login.example.com"
		}
		fmt.Fprintf(&b, "INC%07d,2024-01-%02d 10:00:00,Azure AD - Risky Sign-in,%s,WS-%04d,Risky sign-in,%s\n", i+1, 1+i%28, caller, i, desc)
	}
	path := filepath.Join(dir, "tickets.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	_, err = p.Import(context.Background(), path, ImportOptions{}, nil)
	require.NoError(t, err)

	stops, err := p.StopEntities()
	require.NoError(t, err)
	assert.Equal(t, []pairtext.Entity{{Kind: pairtext.User, Value: "svc_soar"}, {Kind: pairtext.Domain, Value: "portal.azure.com"}}, stops.List())

	f, err := p.pairFormat("")
	require.NoError(t, err)
	assert.Equal(t, stops.List(), f.StopEntities, "training, evaluation and export render with them")
}
