package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	crashEnv     = "PRECEDENT_STORE_CRASH_DIR"
	crashTotal   = 20000
	crashBatch   = 500
	crashPayload = 600
)

// importAll writes crashTotal tickets in batches, printing after each commit.
func importAll(st *Store, progress func(done int)) error {
	pad := strings.Repeat("close notes ", crashPayload/12)
	for lo := 0; lo < crashTotal; lo += crashBatch {
		batch := make([]data.Ticket, 0, crashBatch)
		for i := lo; i < lo+crashBatch; i++ {
			tk := ticket(i, fmt.Sprintf("rule-%d", i%7))
			tk.CloseNotes = pad
			batch = append(batch, tk)
		}
		if _, _, err := st.PutTickets(batch); err != nil {
			return err
		}
		progress(lo + crashBatch)
	}
	return nil
}

// TestHelperProcess is the child of TestCrashMidImport, not a test itself.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashMidImport")
	}
	st, err := Open(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	_ = importAll(st, func(done int) { fmt.Println("committed", done) })
	// Wait to be killed if the parent has not done so yet.
	time.Sleep(time.Minute)
	os.Exit(3)
}

func TestCrashMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	// Kill after a few batches are committed, while later ones are in flight.
	lines := bufio.NewScanner(out)
	committed := 0
	for lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "committed %d", &committed); err == nil && committed >= 5*crashBatch {
			break
		}
	}
	time.Sleep(7 * time.Millisecond)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Less(t, committed, crashTotal, "child finished before the kill; the test proves nothing")

	st, err := Open(dir)
	require.NoError(t, err, "the store must open after kill -9")
	defer st.Close()
	require.NoError(t, st.Check(), "indexes and tickets agree after the crash")
	n, err := st.CountTickets()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, committed, "every acknowledged batch survives")
	assert.Zero(t, n%crashBatch, "batches are all-or-nothing")
	t.Logf("killed after %d acknowledged, %d on disk", committed, n)

	require.NoError(t, importAll(st, func(int) {}))
	n, err = st.CountTickets()
	require.NoError(t, err)
	assert.Equal(t, crashTotal, n)
	require.NoError(t, st.Check())
}
