package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
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
	"github.com/callbudget/callbudget/internal/runner"
)

const reRecord = "re-record with go test ./examples/pipeline -update, review the cassette diff, then run callbudget update"

// cassetteHeader is prepended to what callbudget record writes, for
// whoever opens the file.
const cassetteHeader = "# Recorded by examples/pipeline/record_test.go through callbudget record against a fake GitHub.\n" +
	"# Do not edit: re-record with go test ./examples/pipeline -update\n"

// recordingToken is the "real" token callbudget record holds: GitHub's
// classic token shape, so that its scrubber and scan know it. The fake
// accepts only it, and the cassette must not hold it.
const recordingToken = "ghp_ExamplePipelineRecordingToken000001"

// TestRecord records each scenario the way a user records a cassette:
// `callbudget record` runs the built example against the fake GitHub. With
// -update it rewrites the committed cassettes; without, it checks that
// the pipeline still makes the calls the committed cassette holds, in
// order, so code and cassette cannot drift apart unnoticed.
func TestRecord(t *testing.T) {
	if testing.Short() && !golden.Update() {
		t.Skip("builds callbudget and the example: skipped in -short mode")
	}
	t.Parallel()
	bins := buildRecordBinaries(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			fresh := record(t, bins, sc)
			committed := filepath.Join(repoRoot, cassetteFile(sc.name))
			if golden.Update() {
				if err := atomicfile.Write(committed, fresh); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", cassetteFile(sc.name))
				return
			}
			old, err := os.ReadFile(committed)
			if err != nil {
				t.Fatalf("%v\n%s", err, reRecord)
			}
			got, want := calls(t, "fresh recording", fresh), calls(t, cassetteFile(sc.name), old)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("the pipeline's calls no longer match %s (- only in the cassette, + only in this code):\n%s%s", cassetteFile(sc.name), cassettefix.DiffLines(want, got), reRecord)
			}
			if !bytes.Equal(fresh, old) {
				t.Logf("%s: same calls, other bytes (bodies or headers changed); %s if that is intended", cassetteFile(sc.name), reRecord)
			}
		})
	}
}

// recordBinaries are the programs a recording runs, built for the test.
type recordBinaries struct {
	callbudget string // ./cmd/callbudget
	pipeline   string // this example
	ca         string // PEM of the fake's TLS certificate, for --upstream-ca
}

func buildRecordBinaries(t *testing.T) recordBinaries {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to build callbudget and the example: %v", err)
	}
	dir := t.TempDir()
	b := recordBinaries{
		callbudget: filepath.Join(dir, "callbudget"),
		pipeline:   filepath.Join(dir, "pipeline"),
		ca:         filepath.Join(dir, "ca.pem"),
	}
	for bin, pkg := range map[string]string{b.callbudget: filepath.Join(repoRoot, "cmd", "callbudget"), b.pipeline: "."} {
		if out, err := exec.Command(goTool, "build", "-o", bin, "./"+filepath.ToSlash(pkg)).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	// httptest's TLS servers, the fake's among them, all serve the same
	// built-in certificate.
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(b.ca, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// record runs the scenario through `callbudget record` against a fake
// GitHub over TLS and returns the cassette it wrote, made the same bytes
// on every run by cassettefix.Stabilize.
func record(t *testing.T, bins recordBinaries, sc scenario) []byte {
	t.Helper()
	ev := loadEvent(t, sc.name)
	// The fake serves under a GitHub Enterprise prefix, so a path built
	// without the base URL fails; cassettefix.Stabilize rewrites it away.
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", TLS: true, Token: recordingToken})
	sc.seed(fake, ev)

	name := filepath.Join(t.TempDir(), sc.name+".yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.callbudget, "record", "--cassette", name,
		"--upstream", fake.URL(), "--upstream-ca", bins.ca, "--timeout", "1m", "--",
		bins.pipeline, "--event", filepath.Join(repoRoot, eventFile(sc.name)))
	cmd.Env = append(cassettefix.RecordEnv(), "GITHUB_TOKEN="+recordingToken)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("callbudget record: %v\n%s", err, out.String())
	}
	sc.check(t, fake, ev)
	for _, req := range fake.Requests() {
		if got := req.Header.Get("Authorization"); got != "Bearer "+recordingToken {
			t.Fatalf("%s %s reached the fake with Authorization %q, want the recording token", req.Method, req.Path, got)
		}
	}

	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	data, err = cassettefix.Stabilize(data, strings.TrimSuffix(fake.URL(), "/"), fake.Origin())
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(fake.Origin(), "https://")
	for _, leak := range []string{host, recordingToken, runner.DummyToken, "127.0.0.1"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Fatalf("the stabilized cassette still holds %q", leak)
		}
	}
	return append([]byte(cassetteHeader), data...)
}

// calls lists a cassette's requests, the way the replay matches them.
func calls(t *testing.T, name string, data []byte) []string {
	t.Helper()
	out, err := cassettefix.Calls(name, data)
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	return out
}
