package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/callbudget/callbudget/routes"
	"github.com/google/go-github/v62/github"
)

// recordToken is the "real" token of the recording tests: GitHub's
// classic token shape, so that the scrubber and the scan know it.
const recordToken = "ghp_R3c0rdT0k3nR3c0rdT0k3nR3c0rdT0k3n12"

// The example pipeline's pr-opened scenario, from this package's folder.
const prOpenedEvent = "../../testdata/events/pr-opened.json"

var (
	pipelineOnce sync.Once
	pipelineBin  string
	pipelineErr  error
)

// pipelineBinary builds ./examples/pipeline once per test binary.
func pipelineBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the example pipeline (not with -short)")
	}
	pipelineOnce.Do(func() {
		bin := filepath.Join(binDir, "pipeline")
		out, err := exec.Command("go", "build", "-o", bin, "../../examples/pipeline").CombinedOutput()
		if err != nil {
			pipelineErr = fmt.Errorf("go build ./examples/pipeline: %v\n%s", err, out)
			return
		}
		pipelineBin = bin
	})
	if pipelineErr != nil {
		t.Fatal(pipelineErr)
	}
	return pipelineBin
}

// testCA writes the certificate httptest's TLS servers serve, fakegithub's
// among them (they all use the same built-in localhost certificate), as a
// PEM file for --upstream-ca.
func testCA(t *testing.T) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedPROpened puts into the fake what the pr-opened event refers to, as
// examples/pipeline/scenarios_test.go does: the pull request with 140
// changed files (two pages) and the bot's config at its head commit.
func seedPROpened(t *testing.T, fake *fakegithub.Server) {
	t.Helper()
	data, err := os.ReadFile(prOpenedEvent)
	if err != nil {
		t.Fatal(err)
	}
	var ev github.PullRequestEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	pr := ev.GetPullRequest()
	owner, repo := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName()
	files := []string{"hello.spec", "NEWS", "configure.ac", "src/hello.c", "src/system.h", "doc/hello.texi"}
	for i := 1; len(files) < 140; i++ {
		files = append(files, fmt.Sprintf("tests/golden/case%03d.out", i))
	}
	fake.AddPullRequest(owner, repo, fakegithub.PullRequest{
		Number: pr.GetNumber(), Title: pr.GetTitle(), User: pr.GetUser().GetLogin(),
		HeadRef: pr.GetHead().GetRef(), HeadSHA: pr.GetHead().GetSHA(),
		BaseRef: pr.GetBase().GetRef(), BaseSHA: pr.GetBase().GetSHA(),
		Files: files,
	})
	fake.SetFile(owner, repo, pr.GetHead().GetSHA(), ".packit.yaml",
		"specfile_path: hello.spec\njobs:\n  - job: copr_build\n    trigger: pull_request\n    targets:\n      - fedora-all\n")
}

// runCounts runs `callbudget run` on the cassette for argv and returns
// its one scenario.
func runCounts(t *testing.T, environ []string, cassette string, argv ...string) report.Scenario {
	t.Helper()
	args := append([]string{"run", "--cassette", cassette, "--format", "json", "--timeout", "1m", "--"}, argv...)
	r := runCLI(t, environ, args...)
	if r.code != exitOK {
		t.Fatalf("callbudget run: exit %d\n%s", r.code, r)
	}
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil || len(rep.Scenarios) != 1 {
		t.Fatalf("report: %v\n%s", err, r.stdout)
	}
	return rep.Scenarios[0]
}

// checkRoundTrip records argv against the fake over TLS, replays the
// cassette for the same command, and wants the same calls per endpoint as
// the fake saw.
func checkRoundTrip(t *testing.T, fake *fakegithub.Server, environ []string, argv ...string) string {
	t.Helper()
	cassette := filepath.Join(t.TempDir(), "recorded.yaml")
	args := append([]string{"record", "--cassette", cassette, "--upstream", fake.URL(), "--upstream-ca", testCA(t), "--timeout", "1m", "--"}, argv...)
	r := runCLI(t, append(environ, "GITHUB_TOKEN="+recordToken), args...)
	if r.code != exitOK {
		t.Fatalf("callbudget record: exit %d\n%s", r.code, r)
	}
	data, err := os.ReadFile(cassette)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{recordToken, runner.DummyToken} {
		if bytes.Contains(data, []byte(leak)) {
			t.Errorf("the cassette holds %q", leak)
		}
	}

	made := map[string]int{}
	for _, req := range fake.Requests() {
		made[req.Method+" "+routes.Lookup(req.Method, replay.NormalizePath(req.Path)).Template]++
		if got := req.Header.Get("Authorization"); got != "Bearer "+recordToken {
			t.Errorf("%s %s reached the upstream with Authorization %q, want the real token", req.Method, req.Path, got)
		}
	}
	s := runCounts(t, environ, cassette, argv...)
	counted := map[string]int{}
	for _, e := range s.Endpoints {
		counted[e.Method+" "+e.Route] += e.Count
	}
	if got, want := formatCounts(counted), formatCounts(made); got != want {
		t.Errorf("callbudget run counted:\n%s\nthe recorded run made:\n%s", got, want)
	}
	if len(s.Unmatched) != 0 || s.Total != len(fake.Requests()) {
		t.Errorf("total %d (want %d), unmatched %v", s.Total, len(fake.Requests()), s.Unmatched)
	}
	return formatCounts(counted)
}

func TestRecordRoundTripPipeline(t *testing.T) {
	t.Parallel()
	bin := pipelineBinary(t)
	fake := fakegithub.New(t, fakegithub.Options{TLS: true, Token: recordToken})
	seedPROpened(t, fake)
	counts := checkRoundTrip(t, fake, testEnv(), bin, "--event", prOpenedEvent)
	if !strings.Contains(counts, "2 GET /repos/{owner}/{repo}/pulls/{pull_number}/files") {
		t.Errorf("the pipeline did not page through the files via the proxy:\n%s", counts)
	}
	if n := len(fake.Comments(fakegithub.Owner, fakegithub.Repo, 42)); n != 1 {
		t.Logf("comments on #42: %d", n)
	}
}

func TestRecordRoundTripPyGithub(t *testing.T) {
	script := pyGithubScript(t)
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{TLS: true, Token: recordToken})
	checkRoundTrip(t, fake, pythonEnv(), python, script)
}

// echoUpstream answers every request with the token it was sent, in a
// header, a JSON body (gzip-compressed for /gz) and a Link URL.
func echoUpstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("X-Echo-Token", tok)
		w.Header().Set("Link", fmt.Sprintf(`<http://%s/user?page=2&access_token=%s>; rel="next"`, r.Host, tok))
		w.Header().Set("Content-Type", "application/json")
		body := fmt.Sprintf(`{"login":"octocat","token":%q,"note":"token %s"}`, tok, tok)
		if r.URL.Path == "/gz" {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			fmt.Fprint(zw, body)
			zw.Close()
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// clientArgv makes the test binary the recorded command, making calls.
func clientArgv(t *testing.T, calls ...string) ([]string, string) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{bin}, clientEnv + "=" + strings.Join(calls, ";")
}

func TestRecordTokenEcho(t *testing.T) {
	t.Parallel()
	up := echoUpstream(t)
	argv, calls := clientArgv(t, "GET /user", "GET /gz", "GET /user?page=2")
	cassette := filepath.Join(t.TempDir(), "echo.yaml")
	r := runCLI(t, testEnv(calls, "GITHUB_TOKEN="+recordToken), append([]string{"record", "--cassette", cassette, "--upstream", up.URL, "--"}, argv...)...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	data, err := os.ReadFile(cassette)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(recordToken)) || bytes.Contains(data, []byte(recordToken[4:])) {
		t.Errorf("the cassette holds the token:\n%s", data)
	}
	if strings.Contains(r.stdout+r.stderr, recordToken) {
		t.Errorf("the output holds the token:\n%s", r)
	}
	c, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 3 {
		t.Fatalf("%d interactions, want 3", len(c.Interactions))
	}
	// Scrubbed, not dropped: the fields are there, without the value.
	in := c.Interactions[1]
	if in.Response.Headers.Get("X-Echo-Token") == "" || !strings.Contains(in.Response.Body, `"login":"octocat"`) || in.Response.Headers.Get("Content-Encoding") != "" {
		t.Errorf("gzip interaction recorded as headers %v body %q", in.Response.Headers, in.Response.Body)
	}
}

func TestRecordFailures(t *testing.T) {
	t.Parallel()
	const oldContent = "# the committed cassette\n"
	tests := []struct {
		name     string
		upstream func(t *testing.T) string
		argv     func(t *testing.T) ([]string, string)
		want     string
	}{
		{
			name: "upstream down",
			upstream: func(t *testing.T) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				return "http://" + ln.Addr().String()
			},
			argv: func(t *testing.T) ([]string, string) { return clientArgv(t, "GET /user") },
			want: "connection refused",
		},
		{
			name:     "command fails",
			upstream: func(t *testing.T) string { return echoUpstream(t).URL },
			argv: func(t *testing.T) ([]string, string) {
				return []string{"sh", "-c", `curl -sf -o /dev/null "$GITHUB_API_URL/user"; exit 3`}, "X=1"
			},
			want: "exited with status 3",
		},
		{
			name:     "no request",
			upstream: func(t *testing.T) string { return echoUpstream(t).URL },
			argv:     func(t *testing.T) ([]string, string) { return []string{"true"}, "X=1" },
			want:     "made no request",
		},
	}
	for _, tt := range tests {
		for _, existing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/existing=%v", tt.name, existing), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				cassette := filepath.Join(dir, "c.yaml")
				if existing {
					writeFile(t, cassette, oldContent)
				}
				argv, env := tt.argv(t)
				args := append([]string{"record", "--cassette", cassette, "--upstream", tt.upstream(t), "--timeout", "30s", "--"}, argv...)
				r := runCLI(t, testEnv(env, "GITHUB_TOKEN="+recordToken), args...)
				if r.code != exitError || !strings.Contains(r.stderr, tt.want) {
					t.Fatalf("exit %d, want %d saying %q\n%s", r.code, exitError, tt.want, r)
				}
				checkUntouched(t, dir, cassette, existing, oldContent)
			})
		}
	}
}

// checkUntouched wants the cassette as it was (or still absent) and no
// other file in its folder.
func checkUntouched(t *testing.T, dir, cassette string, existing bool, old string) {
	t.Helper()
	data, err := os.ReadFile(cassette)
	switch {
	case existing && (err != nil || string(data) != old):
		t.Errorf("the old cassette changed: %q, %v", data, err)
	case !existing && err == nil:
		t.Errorf("a cassette was written:\n%s", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != filepath.Base(cassette) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestRecordInterrupt(t *testing.T) {
	t.Parallel()
	up := echoUpstream(t)
	dir := t.TempDir()
	cassette := filepath.Join(dir, "c.yaml")
	const old = "# committed\n"
	writeFile(t, cassette, old)
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		err := run(ctx, []string{"record", "--cassette", cassette, "--upstream", up.URL, "--",
			"sh", "-c", `curl -sf -o /dev/null "$GITHUB_API_URL/user" && echo "$GITHUB_API_URL" > ` + urlFile + `; sleep 30`},
			&stdout, &stderr, testEnv("GITHUB_TOKEN="+recordToken))
		code := exitCode(err, &stderr)
		done <- result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	}()
	var proxyURL string
	for deadline := time.Now().Add(20 * time.Second); proxyURL == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(urlFile); err == nil && strings.HasSuffix(string(b), "\n") {
			proxyURL = strings.TrimSpace(string(b))
		}
	}
	if proxyURL == "" {
		t.Fatal("the command never made its request")
	}
	cancel() // what SIGINT does to main's context
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("record did not stop on cancel")
	}
	if r.code != exitError || !strings.Contains(r.stderr, "canceled") || !strings.Contains(r.stderr, "left as it was") {
		t.Errorf("exit %d, want %d saying canceled, cassette left as it was\n%s", r.code, exitError, r)
	}
	checkUntouched(t, dir, cassette, true, old)
	if resp, err := http.Get(proxyURL + "/user"); err == nil {
		resp.Body.Close()
		t.Errorf("the proxy at %s still answers after the interrupt", proxyURL)
	}
}

func TestRecordAppend(t *testing.T) {
	t.Parallel()
	up := echoUpstream(t)
	cassette := filepath.Join(t.TempDir(), "c.yaml")
	record := func(appendFlag bool, calls ...string) result {
		argv, env := clientArgv(t, calls...)
		args := []string{"record", "--cassette", cassette, "--upstream", up.URL}
		if appendFlag {
			args = append(args, "--append")
		}
		return runCLI(t, testEnv(env, "GITHUB_TOKEN="+recordToken), append(append(args, "--"), argv...)...)
	}
	if r := record(false, "GET /user", "GET /rate_limit"); r.code != exitOK {
		t.Fatalf("first recording: %s", r)
	}
	if r := record(true, "GET /repos/o/r"); r.code != exitOK {
		t.Fatalf("--append: %s", r)
	}
	c, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, in := range c.Interactions {
		if in.ID != i {
			t.Errorf("interaction %d has id %d", i, in.ID)
		}
		got = append(got, strings.TrimPrefix(in.Request.URL, up.URL))
	}
	if want := "/user /rate_limit /repos/o/r"; strings.Join(got, " ") != want {
		t.Errorf("interactions %q, want %q", got, want)
	}
	// Without --append, a run replaces the cassette.
	if r := record(false, "GET /repos/o/r"); r.code != exitOK {
		t.Fatalf("re-record: %s", r)
	}
	if c, err = replay.Load(cassette, replay.LoadOptions{}); err != nil || len(c.Interactions) != 1 {
		t.Errorf("after re-recording: %v, want 1 interaction", err)
	}
	// --append refuses to add to a cassette holding a token, and does not
	// print it.
	data, err := os.ReadFile(cassette)
	if err != nil {
		t.Fatal(err)
	}
	const planted = "ghp_PlantedPlantedPlantedPlantedPlant1"
	writeFile(t, cassette, strings.Replace(string(data), "octocat", planted, 1))
	if r := record(true, "GET /user"); r.code != exitError || strings.Contains(r.stderr, planted) || !strings.Contains(r.stderr, "secret") {
		t.Errorf("--append to a cassette with a planted token: exit %d, want %d naming the finding without its value\n%s", r.code, exitError, r)
	}
	// --append needs a cassette to add to.
	missing := filepath.Join(t.TempDir(), "none.yaml")
	argv, env := clientArgv(t, "GET /user")
	r := runCLI(t, testEnv(env), append([]string{"record", "--append", "--cassette", missing, "--upstream", up.URL, "--"}, argv...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "none.yaml") {
		t.Errorf("--append on a missing cassette: %s", r)
	}
}
