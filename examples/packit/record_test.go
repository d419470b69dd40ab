// Package packit_test records and replays examples/packit, the Packit-shaped
// Python worker that calls https://api.github.com with no base URL, through
// callbudget's HTTPS interception face.
package packit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/internal/cassettefix"
	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/testdeps"
)

const (
	repoRoot = "../.."
	cassette = "testdata/cassettes/packit-pr-opened.yaml"
	event    = "testdata/events/pr-opened.json"
	reRecord = "re-record with go test ./examples/packit -update, review the cassette diff, then run callbudget update --scenario packit-pr-opened"
	// recordingToken is the token callbudget record holds; the cassette
	// must not.
	recordingToken = "ghp_PackitExampleRecordingToken00000001"
	cassetteHeader = "# Recorded by examples/packit/record_test.go through callbudget record (HTTPS interception) against a fake GitHub.\n" +
		"# Do not edit: re-record with go test ./examples/packit -update\n"
	packitYAML = "specfile_path: hello.spec\njobs:\n  - job: copr_build\n    trigger: pull_request\n"
)

// TestRecord records the worker the way a Packit team would: `callbudget
// record` runs it unmodified; it calls https://api.github.com, which the
// record proxy decrypts and forwards to the fake. With -update it rewrites
// the committed cassette; without, it checks that the worker still makes
// the calls the committed cassette holds, in order.
func TestRecord(t *testing.T) {
	if testing.Short() && !golden.Update() {
		t.Skip("builds callbudget: skipped in -short mode")
	}
	python := testdeps.PythonModules(t, "github")
	t.Parallel()
	bin := buildCallbudget(t)
	fake := fakegithub.New(t, fakegithub.Options{Token: recordingToken})
	ev := readEvent(t)
	files := []string{"hello.spec", "NEWS", "configure.ac", "src/hello.c"}
	for i := 1; len(files) < 130; i++ {
		files = append(files, fmt.Sprintf("tests/golden/case%03d.out", i))
	}
	fake.AddPullRequest(fakegithub.Owner, fakegithub.Repo, fakegithub.PullRequest{
		Number: ev.PullRequest.Number, Title: "Update to hello 2.12.1",
		HeadRef: "update", HeadSHA: ev.PullRequest.Head.SHA, BaseRef: "main", BaseSHA: strings.Repeat("b", 40),
		Files: files,
	})
	fake.SetFile(fakegithub.Owner, fakegithub.Repo, ev.PullRequest.Head.SHA, ".packit.yaml", packitYAML)

	out := filepath.Join(t.TempDir(), "packit.yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "record", "--cassette", out, "--upstream", fake.URL(), "--timeout", "1m", "--",
		python, filepath.Join("examples", "packit", "worker.py"), "--event", event)
	cmd.Dir = repoRoot
	cmd.Env = append(cassettefix.RecordEnv(), "GITHUB_TOKEN="+recordingToken)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("callbudget record: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "worker: done") {
		t.Fatalf("the worker did not finish:\n%s", log.String())
	}
	// What the worker did, as the fake saw it.
	var states []string
	for _, s := range fake.Statuses(fakegithub.Owner, fakegithub.Repo) {
		states = append(states, s.State)
	}
	if got := strings.Join(states, ","); got != "pending,success" {
		t.Errorf("statuses %s, want pending,success", got)
	}
	if c := fake.Comments(fakegithub.Owner, fakegithub.Repo, ev.PullRequest.Number); len(c) != 1 || !strings.Contains(c[0].Body, "130 files changed") {
		t.Errorf("comments %+v", c)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data, err = cassettefix.Stabilize(data, strings.TrimSuffix(fake.URL(), "/"), fake.Origin())
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{recordingToken, "127.0.0.1"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Fatalf("the cassette holds %q", leak)
		}
	}
	fresh := append([]byte(cassetteHeader), data...)
	got, err := cassettefix.Calls("fresh recording", fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if !strings.Contains(c, " api.github.com/") {
			t.Errorf("call %s was not made to api.github.com", c)
		}
	}
	committed := filepath.Join(repoRoot, cassette)
	if golden.Update() {
		if err := atomicfile.Write(committed, fresh); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d calls)", cassette, len(got))
		return
	}
	old, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	want, err := cassettefix.Calls(cassette, old)
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the worker's calls no longer match %s (- only in the cassette, + only in this code):\n%s%s", cassette, cassettefix.DiffLines(want, got), reRecord)
	}
}

type prEvent struct {
	PullRequest struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
}

func readEvent(t *testing.T) prEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, event))
	if err != nil {
		t.Fatal(err)
	}
	var ev prEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func buildCallbudget(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "callbudget")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/callbudget")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
