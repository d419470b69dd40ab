package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/runner"
)

// TestExec runs a command against a given URL: the same environment
// contract as Run, without a cassette.
func TestExec(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	const url = "http://127.0.0.1:1"
	_, err := runner.Exec(context.Background(), runner.Job{
		Argv: []string{"sh", "-c", `echo "$GITHUB_API_URL $CALLBUDGET_REPLAY_URL $GITHUB_GRAPHQL_URL $GITHUB_TOKEN $GH_TOKEN"`},
	}, url, runner.Options{Stdout: &out, Environ: []string{"PATH=" + os.Getenv("PATH"), "GITHUB_TOKEN=real"}})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{url, url, url + "/graphql", runner.DummyToken, runner.DummyToken}, " ")
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("the command saw %q, want %q", got, want)
	}

	_, err = runner.Exec(context.Background(), runner.Job{Name: "x", Argv: []string{"sh", "-c", "exit 4"}}, url, runner.Options{Environ: []string{"PATH=" + os.Getenv("PATH")}})
	var ce *runner.CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 4 {
		t.Errorf("err = %v, want a *CommandError with status 4", err)
	}
	if _, err := runner.Exec(context.Background(), runner.Job{}, url, runner.Options{}); err == nil {
		t.Error("Exec ran a job without a command")
	}
}
