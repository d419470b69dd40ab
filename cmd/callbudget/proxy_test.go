package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/routes"
	"github.com/google/go-github/v62/github"
)

const proxyToken = "ghp_proxyTestToken0123456789abcdefABCDEF"

// lockedBuffer is a stderr the test reads while the command writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningProxy is callbudget proxy running in-process.
type runningProxy struct {
	url, metrics string // http://127.0.0.1:PORT, and the metrics origin
	stderr       *lockedBuffer
	stop         func() error // cancels the context; returns run's error
}

var proxyStarted = regexp.MustCompile(`proxy on (http://\S+) forwarding to \S+; metrics on (http://\S+)/metrics`)

// startProxy runs `callbudget proxy` with free ports and args, and waits
// until it listens.
func startProxy(t *testing.T, environ []string, args ...string) *runningProxy {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	argv := append([]string{"proxy", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, argv, io.Discard, stderr, environ) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := proxyStarted.FindStringSubmatch(stderr.String()); m != nil {
			return &runningProxy{url: m[1], metrics: m[2], stderr: stderr, stop: stop}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("proxy exited: %v\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("proxy did not start:\n%s", stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// scrape returns the /metrics text.
func (p *runningProxy) scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(p.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %v %v", resp.Status, err)
	}
	return string(body)
}

// samples returns the samples of the exposition text whose name is name,
// "name{labels}" → value.
func samples(t *testing.T, text, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for line := range strings.SplitSeq(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func sum(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

// runTransport names every request's run.
type runTransport struct {
	id   string
	base http.RoundTripper
}

func (rt runTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(runHeader, rt.id)
	return rt.base.RoundTrip(r)
}

func proxyClient(t *testing.T, proxyURL, run string) *github.Client {
	t.Helper()
	var base http.RoundTripper = http.DefaultTransport
	if run != "" {
		base = runTransport{id: run, base: base}
	}
	// GitHub Enterprise Server's shape: the proxy strips /api/v3.
	c, err := github.NewClient(&http.Client{Transport: base}).WithAuthToken("client-dummy-token").WithEnterpriseURLs(proxyURL, proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestProxyGoGithub drives go-github through callbudget proxy to the fake
// GitHub: the calls are counted by route, a run ends on DELETE and
// another when idle, the token reaches the upstream and nowhere else, and
// canceling the context stops the proxy cleanly.
func TestProxyGoGithub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", Token: proxyToken})
	p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL(), "--run-idle", "300ms")
	o, r := fakegithub.Owner, fakegithub.Repo

	gh := proxyClient(t, p.url, "pipeline-1")
	if _, _, err := gh.PullRequests.Get(ctx, o, r, fakegithub.PullNumber); err != nil {
		t.Fatal(err)
	}
	opts := &github.ListOptions{}
	pages := 0
	for {
		_, resp, err := gh.PullRequests.ListFiles(ctx, o, r, fakegithub.PullNumber, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if _, _, err := gh.Issues.CreateComment(ctx, o, r, fakegithub.PullNumber, &github.IssueComment{Body: github.String("counted")}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodDelete, p.url+"/callbudget/runs/pipeline-1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf(`{"calls":%d}`, 2+pages); resp.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
		t.Errorf("DELETE run = %s %s, want 200 %s", resp.Status, body, want)
	}

	// A second run, ended by --run-idle; and calls in no run.
	gh2 := proxyClient(t, p.url, "pipeline-2")
	for range 2 {
		if _, _, err := gh2.Users.Get(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := proxyClient(t, p.url, "").Repositories.Get(ctx, o, r); err != nil {
		t.Fatal(err)
	}

	var text string
	deadline := time.Now().Add(10 * time.Second)
	for {
		text = p.scrape(t)
		if samples(t, text, "callbudget_github_calls_per_run_count")["callbudget_github_calls_per_run_count"] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the idle run was not observed:\n%s", text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := map[string]float64{
		`callbudget_github_requests_total{method="GET",operation="pulls/get",resource="core",route="/repos/{owner}/{repo}/pulls/{pull_number}",status_class="2xx"}`:                         1,
		`callbudget_github_requests_total{method="GET",operation="pulls/list-files",resource="core",route="/repos/{owner}/{repo}/pulls/{pull_number}/files",status_class="2xx"}`:            float64(pages),
		`callbudget_github_requests_total{method="POST",operation="issues/create-comment",resource="core",route="/repos/{owner}/{repo}/issues/{issue_number}/comments",status_class="2xx"}`: 1,
		`callbudget_github_requests_total{method="GET",operation="users/get-authenticated",resource="core",route="/user",status_class="2xx"}`:                                               2,
		`callbudget_github_requests_total{method="GET",operation="repos/get",resource="core",route="/repos/{owner}/{repo}",status_class="2xx"}`:                                             1,
	}
	got := samples(t, text, "callbudget_github_requests_total")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests_total:\n got %v\nwant %v", got, want)
	}
	if pages < 2 {
		t.Errorf("listed the files in %d page(s); the test wants pagination through the proxy", pages)
	}
	if s := samples(t, text, "callbudget_github_calls_per_run_sum")["callbudget_github_calls_per_run_sum"]; s != float64(2+pages+2) {
		t.Errorf("calls_per_run_sum = %v, want %d", s, 2+pages+2)
	}
	if g := samples(t, text, "callbudget_github_ratelimit_limit"); g[`callbudget_github_ratelimit_limit{resource="core"}`] != 5000 {
		t.Errorf("ratelimit_limit = %v", g)
	}
	if strings.Contains(text, proxyToken) || strings.Contains(p.stderr.String(), proxyToken) {
		t.Error("the token is in /metrics or on stderr")
	}
	for _, rq := range fake.Requests() {
		if rq.Header.Get(runHeader) != "" {
			t.Errorf("%s %s: %s was forwarded upstream", rq.Method, rq.Path, runHeader)
		}
	}
	hresp, err := http.Get(p.metrics + "/healthz")
	if err != nil || hresp.StatusCode != 200 {
		t.Errorf("GET /healthz: %v %v", hresp, err)
	}
	if err := p.stop(); err != nil {
		t.Errorf("proxy after cancel: %v\n%s", err, p.stderr)
	}
	if _, err := http.Get(p.url + "/user"); err == nil {
		t.Error("the proxy still answers after it stopped")
	}
}

func TestProxyBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "idle", args: []string{"--run-idle", "0s"}, want: "--run-idle 0s: must be positive"},
		{name: "upstream", args: []string{"--upstream", "ftp://example.com"}, want: `--upstream "ftp://example.com" is not an http(s) URL`},
		{name: "args", args: []string{"extra"}, want: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(), append([]string{"proxy", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"}, tt.args...)...)
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want %d with %q\n%s", r.code, exitError, tt.want, r)
			}
		})
	}
}

// loadgen builds testdata/loadgen into a temporary folder.
func loadgen(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("load test: builds and runs a load generator (not with -short)")
	}
	bin := filepath.Join(t.TempDir(), "loadgen")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/loadgen").CombinedOutput(); err != nil {
		t.Fatalf("go build loadgen: %v\n%s", err, out)
	}
	return bin
}

type loadResult struct {
	Sent   int   `json:"sent"`
	Failed int   `json:"failed"`
	P50    int64 `json:"p50_us"`
	P90    int64 `json:"p90_us"`
	P99    int64 `json:"p99_us"`
}

func runLoad(t *testing.T, bin, base string, n, c int, extra ...string) loadResult {
	t.Helper()
	paths := "/user,/repos/octo-org/hello-world,/repos/octo-org/hello-world/pulls/1,/repos/octo-org/hello-world/pulls/1/files"
	cmd := exec.Command(bin, append([]string{"-url", base, "-paths", paths, "-n", strconv.Itoa(n), "-c", strconv.Itoa(c)}, extra...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, stderr.String())
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("loadgen output %q: %v", out, err)
	}
	if res.Failed != 0 {
		t.Errorf("loadgen to %s: %d of %d requests failed: %s", base, res.Failed, res.Sent, stderr.String())
	}
	return res
}

// TestProxyLoad sends 2,000 requests, 8 at a time, from a second process
// through the proxy: none may fail and every one must be counted. It then
// measures the proxy's overhead: the p50 latency through the proxy
// against the p50 latency straight to the same fake upstream (logged,
// never asserted; docs/PERFORMANCE.md has the numbers).
func TestProxyLoad(t *testing.T) {
	bin := loadgen(t)
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", RateLimit: 1 << 30})
	p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL())
	direct := strings.TrimSuffix(fake.URL(), "/")

	const n, c = 2000, 8
	res := runLoad(t, bin, p.url, n, c, "-header", runHeader+": load")
	text := p.scrape(t)
	if got := sum(samples(t, text, "callbudget_github_requests_total")); got != n || res.Sent != n {
		t.Errorf("sum of requests_total = %v for %d sent, want %d", got, res.Sent, n)
	}
	if got := len(fake.Requests()); got != n {
		t.Errorf("the upstream got %d requests, want %d", got, n)
	}
	for k := range samples(t, text, "callbudget_github_requests_total") {
		if !strings.Contains(k, `status_class="2xx"`) {
			t.Errorf("a series not 2xx: %s", k)
		}
	}

	// Overhead: the same load, one at a time (latency) and 8 at a time,
	// straight and through the proxy, after a warm-up of each.
	runLoad(t, bin, direct, 200, 1)
	runLoad(t, bin, p.url, 200, 1)
	for _, conc := range []int{1, c} {
		d := runLoad(t, bin, direct, n, conc)
		x := runLoad(t, bin, p.url, n, conc)
		t.Logf("c=%d n=%d: direct p50 %dµs p90 %dµs p99 %dµs; proxy p50 %dµs p90 %dµs p99 %dµs; added at p50 %dµs (%+.0f%%)",
			conc, n, d.P50, d.P90, d.P99, x.P50, x.P90, x.P99, x.P50-d.P50, 100*float64(x.P50-d.P50)/float64(d.P50))
	}

	// The same against an upstream that takes as long to answer as the
	// real API does at its fastest (25 ms; api.github.com's REST answers
	// take tens to hundreds of milliseconds): the fake behind a delay.
	target, err := url.Parse(fake.Origin())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(githubLikeLatency)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	slowAPI := slow.URL + "/api/v3"
	ps := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", slowAPI+"/")
	runLoad(t, bin, slowAPI, 20, 1)
	runLoad(t, bin, ps.url, 20, 1)
	const slowN = 200
	d := runLoad(t, bin, slowAPI, slowN, 1)
	x := runLoad(t, bin, ps.url, slowN, 1)
	t.Logf("upstream answering in %v, c=1 n=%d: direct p50 %dµs p90 %dµs; proxy p50 %dµs p90 %dµs; added at p50 %dµs (%+.1f%%)",
		githubLikeLatency, slowN, d.P50, d.P90, x.P50, x.P90, x.P50-d.P50, 100*float64(x.P50-d.P50)/float64(d.P50))
}

// githubLikeLatency is the answer time of the latency-realistic upstream
// in TestProxyLoad.
const githubLikeLatency = 25 * time.Millisecond

// TestProxyPyGithub points PyGithub (python3-github) at the proxy: every
// call it makes to the fake is counted, by route, exactly.
func TestProxyPyGithub(t *testing.T) {
	script := pyGithubScript(t)
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{Token: proxyToken})
	p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL())
	cmd := exec.Command(python, script)
	cmd.Env = append(pythonEnv(), "GITHUB_API_URL="+p.url, "GITHUB_TOKEN=pygithub-dummy-token")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	made := map[string]float64{}
	for _, r := range fake.Requests() {
		rt := routes.Lookup(r.Method, replay.NormalizePath(r.Path))
		made[fmt.Sprintf(`method=%q,route=%q`, r.Method, rt.Template)]++
	}
	counted := countedByRoute(t, p.scrape(t))
	if fmt.Sprint(counted) != fmt.Sprint(made) {
		t.Errorf("counted %v\n   made %v", counted, made)
	}
	if made[`method="GET",route="/repos/{owner}/{repo}/pulls/{pull_number}/files"`] < 2 {
		t.Errorf("the script did not page through the files: %v", made)
	}
}

// countedByRoute sums callbudget_github_requests_total of a /metrics
// scrape by method and route, all of them 2xx answers (another is an error).
func countedByRoute(t *testing.T, scrape string) map[string]float64 {
	t.Helper()
	counted := map[string]float64{}
	labels := regexp.MustCompile(`method="([^"]*)".*route="([^"]*)"`)
	for k, v := range samples(t, scrape, "callbudget_github_requests_total") {
		m := labels.FindStringSubmatch(k)
		if m == nil || !strings.Contains(k, `status_class="2xx"`) {
			t.Errorf("unexpected series %s %v", k, v)
			continue
		}
		counted[fmt.Sprintf(`method=%q,route=%q`, m[1], m[2])] += v
	}
	return counted
}
