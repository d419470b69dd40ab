package runner_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/runner"
)

// escapeScript leaves a process behind that is in no process group of the
// scenario's: setsid, then a double fork, so it is re-parented away from
// the shell; with env -i it also drops the run's tag. It writes the
// sleeper's ID to $PIDFILE before the scenario ends.
const escapeScript = `setsid sh -c '(%s sh -c "echo \$\$ >\"$PIDFILE\"; exec sleep 1000" &) ' </dev/null >/dev/null 2>&1
while [ ! -s "$PIDFILE" ]; do sleep 0.01; done; echo done`

// TestRunKillsEscapedTagged: a process that left the group and its
// parent (setsid and a double fork) but kept its environment carries the
// run's tag and is killed when the scenario ends, without a subreaper.
func TestRunKillsEscapedTagged(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not installed")
	}
	pidfile := filepath.Join(t.TempDir(), "pid")
	var out buffer
	_, err := runner.Run(context.Background(), runner.Job{
		Name: "escapes", Cassette: cassette(t), Timeout: time.Minute,
		Shell:    fmt.Sprintf(escapeScript, ""),
		ExtraEnv: map[string]string{"PIDFILE": pidfile},
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv()})
	if err != nil || out.String() != "done\n" {
		t.Fatalf("Run = %v, output %q", err, out.String())
	}
	assertGone(t, pidfile)
}

// TestKillDescendantsSubreaper: a process that also emptied its
// environment (env -i) is not found by its tag; callbudget, a subreaper,
// gets it as an orphan and KillDescendants kills it once no scenario runs.
// It runs in a child process of the test, as the subreaper setting and
// the sweep are process-wide.
func TestKillDescendantsSubreaper(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not installed")
	}
	pidfile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(baseEnv(), "RUNNER_REAP_HELPER="+cassette(t), "PIDFILE="+pidfile)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "swept") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	assertGone(t, pidfile)
}

// reapHelper is the child of TestKillDescendantsSubreaper, started by
// TestMain.
func reapHelper(cassettePath string) int {
	if err := runner.BecomeSubreaper(); err != nil {
		fmt.Println("subreaper:", err)
		return 1
	}
	var out buffer
	_, err := runner.Run(context.Background(), runner.Job{
		Name: "escapes", Cassette: cassettePath, Timeout: time.Minute,
		Shell:    fmt.Sprintf(escapeScript, "env -i PIDFILE=\"$PIDFILE\" PATH=\"$PATH\""),
		ExtraEnv: map[string]string{"PIDFILE": os.Getenv("PIDFILE")},
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: append(baseEnv(), "PIDFILE="+os.Getenv("PIDFILE"))})
	if err != nil || out.String() != "done\n" {
		fmt.Printf("Run = %v, output %q\n", err, out.String())
		return 1
	}
	runner.KillDescendants()
	fmt.Println("swept")
	return 0
}
