package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/golden"
	cbrecorder "github.com/callbudget/callbudget/internal/recorder"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
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

// Fixed values for the headers that change from run to run, so that
// re-recording writes the same bytes: the fake's fixed created_at and a
// reset an hour later.
const (
	recordedDate  = "Wed, 01 May 2024 12:00:00 GMT"
	recordedReset = "1714568400"
)

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
				t.Fatalf("the pipeline's calls no longer match %s (- only in the cassette, + only in this code):\n%s%s", cassetteFile(sc.name), diffLines(want, got), reRecord)
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
// on every run by stabilize.
func record(t *testing.T, bins recordBinaries, sc scenario) []byte {
	t.Helper()
	ev := loadEvent(t, sc.name)
	// The fake serves under a GitHub Enterprise prefix, so a path built
	// without the base URL fails; stabilize rewrites it away.
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", TLS: true, Token: recordingToken})
	sc.seed(fake, ev)

	name := filepath.Join(t.TempDir(), sc.name+".yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.callbudget, "record", "--cassette", name,
		"--upstream", fake.URL(), "--upstream-ca", bins.ca, "--timeout", "1m", "--",
		bins.pipeline, "--event", filepath.Join(repoRoot, eventFile(sc.name)))
	cmd.Env = append(recordEnv(), "GITHUB_TOKEN="+recordingToken)
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
	data, err = stabilize(data, strings.TrimSuffix(fake.URL(), "/"), fake.Origin())
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

// recordEnv is the test's environment without what would change how
// callbudget record or the pipeline behave: the GitHub Actions and token
// variables of whoever runs the test.
func recordEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "GH_") || strings.HasPrefix(k, "INPUT_") ||
			strings.HasPrefix(k, "CALLBUDGET_") || strings.HasPrefix(k, "RUNNER_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// stabilize rewrites a cassette callbudget record wrote against the fake
// so that it reads as recorded against github.com and comes out the same
// bytes on every run: only what varies by run is touched (see
// stabilizeInteraction); what record scrubbed stays as it wrote it.
func stabilize(data []byte, apiBase, origin string) ([]byte, error) {
	var c cassette.Cassette
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("decode the recorded cassette: %w", err)
	}
	fix := stabilizeInteraction(apiBase, origin)
	for _, in := range c.Interactions {
		fix(in)
	}
	return cbrecorder.Encode(c.Interactions)
}

// stabilizeInteraction makes an interaction recorded against the fake look
// recorded against github.com, and the same bytes on every run: the API
// base (origin and prefix) becomes https://api.github.com and the bare
// origin (html_url and the like) https://github.com, in URLs, Link and
// Location headers and bodies; latency and the headers that vary by run
// or by port are fixed.
func stabilizeInteraction(apiBase, origin string) func(*cassette.Interaction) {
	// Longest first: NewReplacer tries its pairs in order.
	urls := strings.NewReplacer(apiBase, "https://api.github.com", origin, "https://github.com")
	return func(i *cassette.Interaction) {
		req := &i.Request
		req.URL = urls.Replace(req.URL)
		if req.Host != "" {
			req.Host = "api.github.com"
		}
		if body := urls.Replace(req.Body); body != req.Body {
			req.Body, req.ContentLength = body, int64(len(body))
		}

		resp := &i.Response
		resp.Duration = 0
		h := resp.Headers.Clone()
		for _, k := range []string{"Link", "Location"} {
			for j, v := range h[k] {
				h[k][j] = urls.Replace(v)
			}
		}
		resp.Body = urls.Replace(resp.Body)
		if resp.ContentLength >= 0 {
			resp.ContentLength = int64(len(resp.Body))
		}
		if h.Get("Content-Length") != "" {
			h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
		}
		if h.Get("ETag") != "" {
			// The body changed, so its ETag does: the fake's weak
			// ETag of the body as now recorded.
			sum := sha256.Sum256([]byte(resp.Body))
			h.Set("ETag", `W/"`+hex.EncodeToString(sum[:16])+`"`)
		}
		h.Set("Date", recordedDate)
		h.Set("X-RateLimit-Reset", recordedReset)
		h.Set("X-GitHub-Request-Id", fmt.Sprintf("CB00:0A11:%06X:%06X:66322E40", i.ID, i.ID*7))
		resp.Headers = h
	}
}

// calls lists a cassette's requests as "METHOD normalised-URL", the way
// the replay matches them.
func calls(t *testing.T, name string, data []byte) []string {
	t.Helper()
	c, err := replay.Parse(name, data, replay.LoadOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	var out []string
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.ToUpper(in.Request.Method) + " " + u.Host + replay.NormalizePath(u.Path)
		if q := replay.NormalizeQuery(u.RawQuery); q != "" {
			line += "?" + q
		}
		out = append(out, line)
	}
	return out
}

// diffLines shows how got differs from want, line by line: "-" for a
// call only the committed cassette has, "+" for one only this code makes.
func diffLines(want, got []string) string {
	// lcs[i][j] is the longest common subsequence of want[i:] and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			fmt.Fprintf(&b, "    %s\n", want[i])
			i, j = i+1, j+1
		case j < len(got) && (i == len(want) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&b, "  + %s\n", got[j])
			j++
		default:
			fmt.Fprintf(&b, "  - %s\n", want[i])
			i++
		}
	}
	return b.String()
}
