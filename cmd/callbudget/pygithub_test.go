package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/callbudget/callbudget/routes"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

// python is the interpreter Debian's python3-github installs PyGithub for
// (a pyenv or venv python3 earlier in PATH would not have it).
const python = testdeps.Python

// TestPyGithubRun points a non-Go client at `callbudget run`: a PyGithub
// script (testdata/pygithub_pipeline.py) that reads a repository and a pull
// request, lists the changed files over three pages (PyGithub follows the
// absolute URLs of the Link header), sets a commit status through a URL
// taken from a response body, and comments. Its cassette is recorded in
// the test, through go-vcr's recorder in front of the fake GitHub; then
// callbudget replays it for the same script, and its counts per endpoint
// must be exactly the calls the script made to the fake.
func TestPyGithubRun(t *testing.T) {
	script := pyGithubScript(t)
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{})
	cassetteFile := recordPyGithub(t, fake, script)

	// What the script made, as the fake saw it, named the way callbudget
	// names calls.
	made := map[string]int{}
	for _, r := range fake.Requests() {
		made[r.Method+" "+routes.Lookup(r.Method, replay.NormalizePath(r.Path)).Template]++
	}
	if made["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] < 2 {
		t.Fatalf("the script read the files in one page; the test wants pagination: %v", made)
	}
	if len(fake.Statuses(fakegithub.Owner, fakegithub.Repo)) != 1 || len(fake.Comments(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber)) != 1 {
		t.Fatalf("recording: the script did not set one status and post one comment")
	}

	r := runCLI(t, pythonEnv(), "run", "--cassette", cassetteFile, "--format", "json", "--timeout", "1m", "--", python, script)
	if r.code != exitOK {
		t.Fatalf("callbudget run: exit %d\n%s", r.code, r)
	}
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, r.stdout)
	}
	if len(rep.Scenarios) != 1 {
		t.Fatalf("%d scenarios, want 1", len(rep.Scenarios))
	}
	s := rep.Scenarios[0]
	counted := map[string]int{}
	for _, e := range s.Endpoints {
		counted[e.Method+" "+e.Route] += e.Count
	}
	if got, want := formatCounts(counted), formatCounts(made); got != want {
		t.Errorf("callbudget counted:\n%s\nthe script made:\n%s", got, want)
	}
	if s.Total != len(fake.Requests()) || len(s.Unmatched) != 0 || s.Repeats != 0 || s.Mutating != 2 {
		t.Errorf("total %d (want %d), unmatched %v, repeats %d, mutating %d (want 2)", s.Total, len(fake.Requests()), s.Unmatched, s.Repeats, s.Mutating)
	}
	if !strings.Contains(r.stderr, "pygithub_pipeline: POST comment") {
		t.Errorf("the script's output is not on stderr:\n%s", r.stderr)
	}
	t.Logf("PyGithub, counted by callbudget run:\n%s", formatCounts(counted))
}

// recordPyGithub runs the script against the fake GitHub through a
// recording reverse proxy and returns the cassette: go-vcr's recorder is
// the proxy's transport, so it records what the fake answered, saved as if
// recorded against https://api.github.com. The proxy rewrites the fake's
// origin to its own in what the script reads (Link headers, "url" fields),
// so the script's follow-up requests come back through it.
func recordPyGithub(t *testing.T, fake *fakegithub.Server, script string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "pygithub") // go-vcr adds ".yaml"
	rec, err := recorder.NewWithOptions(&recorder.Options{
		CassetteName:       name,
		Mode:               recorder.ModeRecordOnly,
		RealTransport:      fake.HTTPClient().Transport,
		SkipRequestLatency: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	fakeOrigin := fake.Origin()
	toGitHub := strings.NewReplacer(fakeOrigin, "https://api.github.com")
	rec.AddHook(func(i *cassette.Interaction) error {
		i.Request.URL = toGitHub.Replace(i.Request.URL)
		i.Request.Host = "api.github.com"
		i.Request.RemoteAddr = ""
		i.Request.Headers = i.Request.Headers.Clone()
		i.Request.Headers.Del("Authorization")
		i.Response.Body = toGitHub.Replace(i.Response.Body)
		if i.Response.ContentLength >= 0 {
			i.Response.ContentLength = int64(len(i.Response.Body))
		}
		h := i.Response.Headers.Clone()
		for k, vs := range h {
			for j, v := range vs {
				h[k][j] = toGitHub.Replace(v)
			}
		}
		h.Del("Content-Length")
		i.Response.Headers = h
		return nil
	}, recorder.BeforeSaveHook)

	target, err := url.Parse(fakeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	// The proxy's own URL is known before it serves: the rewriting is set
	// up before the first request.
	proxy := httptest.NewUnstartedServer(nil)
	proxyURL := "http://" + proxy.Listener.Addr().String()
	toProxy := strings.NewReplacer(fakeOrigin, proxyURL)
	proxy.Config.Handler = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Header.Del("Accept-Encoding") // plain bodies, to rewrite and to record
		},
		Transport: rec,
		ModifyResponse: func(resp *http.Response) error {
			// go-vcr hands out the recorded header map itself: change a copy.
			resp.Header = resp.Header.Clone()
			for _, k := range []string{"Link", "Location"} {
				for j, v := range resp.Header[k] {
					resp.Header[k][j] = toProxy.Replace(v)
				}
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			body = []byte(toProxy.Replace(string(body)))
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		},
	}
	proxy.Start()
	defer proxy.Close()

	cmd := exec.Command(python, script)
	cmd.Env = append(pythonEnv(), "GITHUB_API_URL="+proxyURL, "GITHUB_TOKEN=recording-token-not-saved")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("recording: %s %s: %v\n%s", python, script, err, out)
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"127.0.0.1", "recording-token-not-saved"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Fatalf("recorded cassette still holds %q:\n%s", leak, data)
		}
	}
	return name + ".yaml"
}

// pythonEnv is the environment for the script: the test's, without
// proxies (requests would send loopback traffic to them), GitHub settings
// or callbudget's.
func pythonEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch lk := strings.ToLower(k); {
		case strings.HasSuffix(lk, "_proxy"), strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "GH_"), strings.HasPrefix(k, "CALLBUDGET_"), strings.HasPrefix(k, "PYTHON"):
			continue
		}
		env = append(env, kv)
	}
	return env
}

// formatCounts is counts sorted, one "count endpoint" per line.
func formatCounts(counts map[string]int) string {
	lines := make([]string, 0, len(counts))
	for k, n := range counts {
		lines = append(lines, strconv.Itoa(n)+" "+k)
	}
	sort.Slice(lines, func(i, j int) bool {
		return lines[i][strings.IndexByte(lines[i], ' '):] < lines[j][strings.IndexByte(lines[j], ' '):]
	})
	return strings.Join(lines, "\n")
}

// pyGithubScript skips the test when PyGithub is missing (fails it under
// CI=true), saying how to install it (testdeps), and returns the absolute
// path of the PyGithub pipeline script the tests run.
func pyGithubScript(t *testing.T) string {
	t.Helper()
	testdeps.PythonModules(t, "github")
	script, err := filepath.Abs(filepath.Join("testdata", "pygithub_pipeline.py"))
	if err != nil {
		t.Fatal(err)
	}
	return script
}
