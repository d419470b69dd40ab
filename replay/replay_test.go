package replay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/replay"
	"github.com/google/go-github/v62/github"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

const (
	owner = fakegithub.Owner
	repo  = fakegithub.Repo
)

// countingTransport counts the requests a client sends, so a test can
// compare what was sent with what replay counted.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// face is one way of pointing go-github at a replay: in-process through
// the Transport or over loopback through the Server, with the plain
// api.github.com URL shape or GitHub Enterprise's /api/v3.
type face struct {
	name       string
	server     bool
	enterprise bool
}

var faces = []face{
	{name: "transport"},
	{name: "transport enterprise", enterprise: true},
	{name: "server", server: true},
	{name: "server enterprise", server: true, enterprise: true},
}

// replayClient is go-github wired to one replay.
type replayClient struct {
	gh     *github.Client
	counts func() replay.Counts
	sent   *countingTransport
	url    string // the Server's URL; "" for the Transport
}

func (f face) open(t *testing.T, c *replay.Cassette, opts replay.Options) *replayClient {
	t.Helper()
	rc := &replayClient{sent: &countingTransport{}}
	base := "https://api.github.com/"
	if f.server {
		srv, err := replay.NewServer(c, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		tr := http.DefaultTransport.(*http.Transport).Clone()
		t.Cleanup(tr.CloseIdleConnections)
		rc.sent.next, rc.counts, rc.url = tr, srv.Counts, srv.URL()
		base = srv.URL() + "/"
	} else {
		tr := replay.NewTransport(c, opts)
		rc.sent.next, rc.counts = tr, tr.Counts
		if f.enterprise {
			base = "https://ghe.example.com/"
		}
	}
	// As in a scenario of callbudget's, the client sends a token: the
	// dummy one callbudget hands it.
	gh := github.NewClient(&http.Client{Transport: rc.sent}).WithAuthToken("callbudget-replay-dummy-token")
	if f.enterprise {
		var err error
		if gh, err = gh.WithEnterpriseURLs(base, base); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(gh.BaseURL.Path, "/api/v3/") {
			t.Fatalf("enterprise BaseURL %s has no /api/v3/", gh.BaseURL)
		}
	} else {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		gh.BaseURL = u
	}
	rc.gh = gh
	return rc
}

func ptr[T any](v T) *T { return &v }

// errStatus is the HTTP status of a go-github *ErrorResponse, or 0.
func errStatus(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

const pipelineQuery = `query PullRequestState($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) { pullRequest(number: $number) { state mergeable } }
}`

type pipelineOptions struct {
	// extraPRGet fetches the pull request a second time at the end: the
	// kind of regression callbudget exists to catch.
	extraPRGet bool
}

// runPipeline is what a Packit-like bot does when a pull request is
// opened. It checks what it gets back, so a replay that serves the wrong
// answer fails here.
func runPipeline(t *testing.T, gh *github.Client, opts pipelineOptions) {
	t.Helper()
	ctx := context.Background()
	user, resp, err := gh.Users.Get(ctx, "")
	if err != nil || user.GetLogin() != fakegithub.Login {
		t.Fatalf("Users.Get = %v, %v", user, err)
	}
	etag := resp.Header.Get("ETag")

	pr, _, err := gh.PullRequests.Get(ctx, owner, repo, fakegithub.PullNumber)
	if err != nil {
		t.Fatalf("PullRequests.Get: %v", err)
	}
	head := pr.GetHead().GetSHA()
	if head != fakegithub.HeadSHA {
		t.Fatalf("head sha = %q", head)
	}

	cfg, _, _, err := gh.Repositories.GetContents(ctx, owner, repo, fakegithub.ConfigPath, &github.RepositoryContentGetOptions{Ref: head})
	if err != nil {
		t.Fatalf("GetContents: %v", err)
	}
	if got, err := cfg.GetContent(); err != nil || got != fakegithub.ConfigContent {
		t.Fatalf("config = %q, %v", got, err)
	}

	var files []string
	lo := &github.ListOptions{PerPage: 30}
	for {
		page, resp, err := gh.PullRequests.ListFiles(ctx, owner, repo, fakegithub.PullNumber, lo)
		if err != nil {
			t.Fatalf("ListFiles page %d: %v", lo.Page, err)
		}
		for _, f := range page {
			files = append(files, f.GetFilename())
		}
		if resp.NextPage == 0 {
			break
		}
		lo.Page = resp.NextPage
	}
	if len(files) != 75 {
		t.Fatalf("listed %d files, want 75", len(files))
	}

	if _, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, head, &github.RepoStatus{State: ptr("pending"), Context: ptr("packit/build")}); err != nil {
		t.Fatalf("CreateStatus pending: %v", err)
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, owner, repo, github.CreateCheckRunOptions{Name: "packit/build", HeadSHA: head, Status: ptr("in_progress")})
	if err != nil || run.GetID() == 0 {
		t.Fatalf("CreateCheckRun = %v, %v", run, err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, owner, repo, pr.GetNumber(), &github.IssueComment{Body: ptr("Build started.")}); err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	run, _, err = gh.Checks.UpdateCheckRun(ctx, owner, repo, run.GetID(), github.UpdateCheckRunOptions{Name: "packit/build", Conclusion: ptr("success")})
	if err != nil || run.GetConclusion() != "success" {
		t.Fatalf("UpdateCheckRun = %v, %v", run, err)
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, head, &github.RepoStatus{State: ptr("success"), Context: ptr("packit/build")}); err != nil {
		t.Fatalf("CreateStatus success: %v", err)
	}

	req, err := gh.NewRequest("POST", "graphql", map[string]any{
		"query": pipelineQuery, "operationName": "PullRequestState",
		"variables": map[string]any{"owner": owner, "repo": repo, "number": 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	var gql struct {
		Data struct {
			OperationName string `json:"operationName"`
		} `json:"data"`
	}
	if _, err := gh.Do(ctx, req, &gql); err != nil || gql.Data.OperationName != "PullRequestState" {
		t.Fatalf("graphql = %+v, %v", gql, err)
	}

	// A conditional GET: GitHub answers 304, which go-github reports as
	// an *ErrorResponse.
	req, err = gh.NewRequest("GET", "user", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", etag)
	if _, err := gh.Do(ctx, req, nil); errStatus(err) != http.StatusNotModified {
		t.Fatalf("conditional GET /user: err = %v, want a 304", err)
	}

	if opts.extraPRGet {
		again, _, err := gh.PullRequests.Get(ctx, owner, repo, fakegithub.PullNumber)
		if err != nil {
			t.Fatalf("second PullRequests.Get: %v", err)
		}
		if !reflect.DeepEqual(again, pr) {
			t.Errorf("the repeated GET was answered differently:\n%v\nwant\n%v", again, pr)
		}
	}
}

// pipelineCalls is how many requests runPipeline makes without extras.
const pipelineCalls = 13

// recordPipeline records runPipeline with go-vcr's own recorder against a
// fake GitHub Enterprise (the API under the /api/v3 path prefix), closes
// the fake so nothing can reach it any more, and loads the cassette.
func recordPipeline(t *testing.T) *replay.Cassette {
	t.Helper()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
	name := filepath.Join(t.TempDir(), "pr-opened")
	rec, err := recorder.NewWithOptions(&recorder.Options{
		CassetteName:       name,
		Mode:               recorder.ModeRecordOnly,
		RealTransport:      fake.HTTPClient().Transport,
		SkipRequestLatency: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	gh, err := github.NewClient(rec.GetDefaultClient()).WithAuthToken("t").WithEnterpriseURLs(fake.Origin(), fake.Origin())
	if err != nil {
		t.Fatal(err)
	}
	runPipeline(t, gh, pipelineOptions{})
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Requests()); got != pipelineCalls {
		t.Fatalf("the pipeline made %d requests, want %d", got, pipelineCalls)
	}
	fake.Close()
	c, err := replay.Load(name+".yaml", replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != pipelineCalls {
		t.Fatalf("cassette has %d interactions, want %d", len(c.Interactions), pipelineCalls)
	}
	return c
}

// endpointLines renders endpoints one per line, leaving out what is zero,
// so a mismatch reads as a diff.
func endpointLines(eps []replay.Endpoint) []string {
	var lines []string
	for _, e := range eps {
		l := fmt.Sprintf("%s %s %s [%s] n=%d", e.Method, e.Route, e.Operation, e.Resource, e.Count)
		if e.NotModified != 0 {
			l += fmt.Sprintf(" 304=%d", e.NotModified)
		}
		if e.Repeats != 0 {
			l += fmt.Sprintf(" repeats=%d", e.Repeats)
		}
		if e.Unmatched != 0 {
			l += fmt.Sprintf(" unmatched=%d", e.Unmatched)
		}
		if e.Mutating {
			l += " mutating"
		}
		if !e.Known {
			l += " unknown"
		}
		lines = append(lines, l)
	}
	return lines
}

func summary(c replay.Counts) string {
	return fmt.Sprintf("total=%d mutating=%d points=%d 304=%d repeats=%d resources=%v unmatched=%v",
		c.Total, c.Mutating, c.SecondaryPoints, c.NotModified, c.Repeats, c.Resources, c.Unmatched)
}

func checkCounts(t *testing.T, got replay.Counts, wantSummary string, wantEndpoints []string) {
	t.Helper()
	if s := summary(got); s != wantSummary {
		t.Errorf("counts:\n got %s\nwant %s", s, wantSummary)
	}
	if lines := endpointLines(got.Endpoints); strings.Join(lines, "\n") != strings.Join(wantEndpoints, "\n") {
		t.Errorf("endpoints:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantEndpoints, "\n"))
	}
	for _, e := range got.Endpoints {
		if e.Known && (e.Category == "" || e.DocsURL == "") {
			t.Errorf("known endpoint %s %s has no category or docs URL", e.Method, e.Route)
		}
	}
}

var pipelineEndpoints = []string{
	"POST /graphql graphql/PullRequestState [graphql] n=1",
	"POST /repos/{owner}/{repo}/check-runs checks/create [core] n=1 mutating",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} checks/update [core] n=1 mutating",
	"GET /repos/{owner}/{repo}/contents/{path} repos/get-content [core] n=1",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments issues/create-comment [core] n=1 mutating",
	"GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get [core] n=1",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files [core] n=3",
	"POST /repos/{owner}/{repo}/statuses/{sha} repos/create-commit-status [core] n=2 mutating",
	"GET /user users/get-authenticated [core] n=1 304=1",
}

// 13 calls, 12 paid (the 304 to an authenticated request is free): 7
// reads at 1 point, 5 writes at 5.
const pipelineSummary = "total=12 mutating=5 points=32 304=1 repeats=0 resources=map[core:11 graphql:1] unmatched=[]"

// TestReplayRecordedPipeline records a pipeline with go-vcr, then replays
// the same pipeline through every face and checks every count.
func TestReplayRecordedPipeline(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)

	t.Run("CountRecorded", func(t *testing.T) {
		t.Parallel()
		checkCounts(t, replay.CountRecorded(c, replay.Options{}), pipelineSummary, pipelineEndpoints)
	})
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			runPipeline(t, rc.gh, pipelineOptions{})
			got := rc.counts()
			if sent := rc.sent.n.Load(); int64(got.Total+got.NotModified) != sent || sent != pipelineCalls {
				t.Errorf("Total = %d, client sent %d, pipeline makes %d", got.Total, sent, pipelineCalls)
			}
			checkCounts(t, got, pipelineSummary, pipelineEndpoints)
		})
	}
}

func TestReplayCountsRepeats(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)
	want := slicesReplace(pipelineEndpoints,
		"GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get [core] n=1",
		"GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get [core] n=2 repeats=1")
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			runPipeline(t, rc.gh, pipelineOptions{extraPRGet: true})
			got := rc.counts()
			if sent := rc.sent.n.Load(); int64(got.Total+got.NotModified) != sent {
				t.Errorf("Total = %d + %d free, client sent %d", got.Total, got.NotModified, sent)
			}
			checkCounts(t, got, "total=13 mutating=5 points=33 304=1 repeats=1 resources=map[core:12 graphql:1] unmatched=[]", want)
		})
	}
}

func slicesReplace(list []string, old, new string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		if s == old {
			s = new
		}
		out[i] = s
	}
	return out
}

func TestReplayCountsUnmatched(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)
	ctx := context.Background()
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			_, _, err := rc.gh.Issues.Get(ctx, owner, repo, 99)
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound || er.Message != "Not Found" {
				t.Fatalf("err = %v (%T), want go-github's 404 Not Found", err, err)
			}
			if got := er.Response.Header.Get(replay.UnmatchedHeader); got != "true" {
				t.Errorf("%s = %q, want true", replay.UnmatchedHeader, got)
			}
			// The same path with a query: one unmatched entry, no query
			// values in it.
			req, err := rc.gh.NewRequest("GET", "repos/octo-org/hello-world/issues/99?access_token=s3cret", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rc.gh.Do(ctx, req, nil); errStatus(err) != http.StatusNotFound {
				t.Fatalf("err = %v, want a 404", err)
			}
			got := rc.counts()
			checkCounts(t, got,
				"total=2 mutating=0 points=2 304=0 repeats=0 resources=map[core:2] unmatched=[{GET /repos/octo-org/hello-world/issues/99 2}]",
				[]string{"GET /repos/{owner}/{repo}/issues/{issue_number} issues/get [core] n=2 unmatched=2"})
			if strings.Contains(fmt.Sprint(got), "s3cret") {
				t.Errorf("counts leak a query value: %+v", got)
			}
		})
	}
}

// rateLimitedHeaders is what GitHub sends when the primary limit is used
// up and a secondary limit asks to wait.
func rateLimitedHeaders(withLimit bool, lower bool) http.Header {
	h := http.Header{
		"Content-Type":          {"application/json; charset=utf-8"},
		"X-Ratelimit-Remaining": {"0"},
		"X-Ratelimit-Used":      {"5000"},
		"X-Ratelimit-Reset":     {strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)},
		"X-Ratelimit-Resource":  {"core"},
		"Retry-After":           {"60"},
	}
	if withLimit {
		h["X-Ratelimit-Limit"] = []string{"5000"}
	}
	if lower {
		// As importers from Python and JavaScript recordings write them.
		l := http.Header{}
		for k, v := range h {
			l[strings.ToLower(k)] = v
		}
		h = l
	}
	return h
}

// interaction is a hand-made recording for cassettes built in tests.
type interaction struct {
	method, url, reqBody string
	reqHeader            http.Header
	code                 int
	header               http.Header
	body                 string
}

// writeCassette saves interactions with go-vcr's own writer and loads
// the file back with replay.Load.
func writeCassette(t *testing.T, ins ...interaction) *replay.Cassette {
	t.Helper()
	name := filepath.Join(t.TempDir(), "handmade")
	vc := cassette.New(name)
	for _, in := range ins {
		h := in.header
		if h == nil {
			h = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		}
		vc.AddInteraction(&cassette.Interaction{
			Request: cassette.Request{Method: in.method, URL: in.url, Body: in.reqBody, Headers: in.reqHeader},
			Response: cassette.Response{
				Code: in.code, Status: fmt.Sprintf("%d %s", in.code, http.StatusText(in.code)),
				Headers: h, Body: in.body,
			},
		})
	}
	if err := vc.Save(); err != nil {
		t.Fatal(err)
	}
	c, err := replay.Load(name+".yaml", replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const api = "https://api.github.com"

// fiveCalls makes five different calls in a row and fails on any error.
func fiveCalls(t *testing.T, gh *github.Client) *github.Response {
	t.Helper()
	ctx := context.Background()
	var last *github.Response
	steps := []func() (*github.Response, error){
		func() (*github.Response, error) { _, r, err := gh.Users.Get(ctx, ""); return r, err },
		func() (*github.Response, error) { _, r, err := gh.PullRequests.Get(ctx, owner, repo, 1); return r, err },
		func() (*github.Response, error) {
			_, r, err := gh.PullRequests.ListFiles(ctx, owner, repo, 1, nil)
			return r, err
		},
		func() (*github.Response, error) {
			_, r, err := gh.Issues.CreateComment(ctx, owner, repo, 1, &github.IssueComment{Body: ptr("hi")})
			return r, err
		},
		func() (*github.Response, error) {
			_, r, err := gh.Repositories.CreateStatus(ctx, owner, repo, fakegithub.HeadSHA, &github.RepoStatus{State: ptr("success")})
			return r, err
		},
	}
	for i, step := range steps {
		resp, err := step()
		var rl *github.RateLimitError
		var abuse *github.AbuseRateLimitError
		switch {
		case errors.As(err, &rl), errors.As(err, &abuse):
			t.Fatalf("call %d: go-github throttled: %v", i+1, err)
		case err != nil:
			t.Fatalf("call %d: %v", i+1, err)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			t.Errorf("call %d: Retry-After %q served", i+1, ra)
		}
		if resp.Rate.Remaining == 0 {
			t.Errorf("call %d: X-RateLimit-Remaining 0 served", i+1)
		}
		last = resp
	}
	return last
}

func fiveCallsCassette(t *testing.T, h http.Header) *replay.Cassette {
	return writeCassette(t,
		interaction{method: "GET", url: api + "/user", code: 200, header: h, body: `{"login":"octocat"}`},
		interaction{method: "GET", url: api + "/repos/octo-org/hello-world/pulls/1", code: 200, header: h, body: `{"number":1}`},
		interaction{method: "GET", url: api + "/repos/octo-org/hello-world/pulls/1/files", code: 200, header: h, body: `[]`},
		interaction{method: "POST", url: api + "/repos/octo-org/hello-world/issues/1/comments", code: 201, header: h, body: `{"id":1}`},
		interaction{method: "POST", url: api + "/repos/octo-org/hello-world/statuses/" + fakegithub.HeadSHA, code: 201, header: h, body: `{"id":2}`},
	)
}

// TestReplayNeverThrottles replays answers recorded with the rate limit
// used up: go-github must send (and replay count) every call.
func TestReplayNeverThrottles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
	}{
		{name: "limit and remaining 0", header: rateLimitedHeaders(true, false)},
		{name: "remaining 0 without limit", header: rateLimitedHeaders(false, false)},
		{name: "lower-case header names", header: rateLimitedHeaders(true, true)},
	}
	for _, tt := range tests {
		for _, f := range faces {
			t.Run(tt.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				rc := f.open(t, fiveCallsCassette(t, tt.header), replay.Options{})
				fiveCalls(t, rc.gh)
				if got := rc.counts(); got.Total != 5 || rc.sent.n.Load() != 5 || got.Repeats != 0 || len(got.Unmatched) != 0 {
					t.Errorf("sent %d, counted %s", rc.sent.n.Load(), summary(got))
				}
			})
		}
	}
}

// TestReplayRecordedSecondaryLimitDoesNotStopClient replays a recorded
// 403 secondary-rate-limit answer. That one call fails, as recorded, but
// go-github must not then refuse to send the next calls: they would go
// uncounted.
func TestReplayRecordedSecondaryLimitDoesNotStopClient(t *testing.T) {
	t.Parallel()
	h := rateLimitedHeaders(true, false)
	h.Set("X-Ratelimit-Remaining", "4000")
	ins := []interaction{{
		method: "GET", url: api + "/repos/octo-org/hello-world", code: 403, header: h,
		body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
	}}
	for _, in := range fiveCallsCassette(t, rateLimitedHeaders(true, false)).Interactions[:4] {
		ins = append(ins, interaction{method: in.Request.Method, url: in.Request.URL, code: in.Response.Code, header: in.Response.Headers, body: in.Response.Body})
	}
	c := writeCassette(t, ins...)
	ctx := context.Background()
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			_, _, err := rc.gh.Repositories.Get(ctx, owner, repo)
			var abuse *github.AbuseRateLimitError
			if !errors.As(err, &abuse) {
				t.Fatalf("first call: err = %v, want the recorded secondary limit", err)
			}
			var calls []error
			_, _, err = rc.gh.Users.Get(ctx, "")
			calls = append(calls, err)
			_, _, err = rc.gh.PullRequests.Get(ctx, owner, repo, 1)
			calls = append(calls, err)
			_, _, err = rc.gh.PullRequests.ListFiles(ctx, owner, repo, 1, nil)
			calls = append(calls, err)
			_, _, err = rc.gh.Issues.CreateComment(ctx, owner, repo, 1, &github.IssueComment{Body: ptr("hi")})
			calls = append(calls, err)
			for i, err := range calls {
				if err != nil {
					t.Errorf("call %d after the secondary limit: %v", i+2, err)
				}
			}
			if got := rc.counts(); got.Total != 5 || rc.sent.n.Load() != 5 {
				t.Errorf("client sent %d calls, replay counted %d; want 5 and 5", rc.sent.n.Load(), got.Total)
			}
		})
	}
}

// concurrencyCassette records one or two answers per call kind.
func concurrencyCassette(t *testing.T) *replay.Cassette {
	return writeCassette(t,
		interaction{method: "GET", url: api + "/repos/octo-org/hello-world/pulls/1", code: 200, body: `{"number":1}`},
		interaction{method: "GET", url: api + "/repos/octo-org/hello-world/pulls/1/files?per_page=2", code: 200, body: `[{"filename":"a"},{"filename":"b"}]`},
		interaction{method: "GET", url: api + "/repos/octo-org/hello-world/pulls/1/files?page=2&per_page=2", code: 200, body: `[{"filename":"c"}]`},
		interaction{method: "GET", url: api + "/user", code: 200, header: http.Header{"Etag": {`W/"1"`}}, body: `{"login":"octocat"}`},
		interaction{method: "GET", url: api + "/user", code: 304, header: http.Header{"Etag": {`W/"1"`}}},
		interaction{method: "POST", url: api + "/repos/octo-org/hello-world/issues/1/comments", reqBody: `{"body":"hi"}`, code: 201, body: `{"id":1}`},
		interaction{method: "POST", url: api + "/repos/octo-org/hello-world/statuses/" + fakegithub.HeadSHA, code: 201, body: `{"id":2,"state":"pending"}`},
		interaction{method: "POST", url: api + "/repos/octo-org/hello-world/statuses/" + fakegithub.HeadSHA, code: 201, body: `{"id":3,"state":"success"}`},
		interaction{method: "POST", url: api + "/graphql", reqBody: `{"query":"query Viewer { viewer { login } }"}`, code: 200, body: `{"data":{"viewer":{"login":"octocat"}}}`},
	)
}

// concurrentCalls are the call kinds of the concurrency test; each
// returns an error only for an unexpected answer.
var concurrentCalls = []func(context.Context, *github.Client) error{
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.PullRequests.Get(ctx, owner, repo, 1)
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.PullRequests.ListFiles(ctx, owner, repo, 1, &github.ListOptions{PerPage: 2})
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.PullRequests.ListFiles(ctx, owner, repo, 1, &github.ListOptions{PerPage: 2, Page: 2})
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.Users.Get(ctx, "")
		if errStatus(err) == http.StatusNotModified {
			return nil
		}
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.Issues.CreateComment(ctx, owner, repo, 1, &github.IssueComment{Body: ptr("hi")})
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, fakegithub.HeadSHA, &github.RepoStatus{State: ptr("success")})
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		req, err := gh.NewRequest("POST", "graphql", map[string]string{"query": "query Viewer { viewer { login } }"})
		if err != nil {
			return err
		}
		_, err = gh.Do(ctx, req, nil)
		return err
	},
	func(ctx context.Context, gh *github.Client) error {
		_, _, err := gh.Issues.Get(ctx, owner, repo, 99)
		if errStatus(err) == http.StatusNotFound {
			return nil
		}
		return fmt.Errorf("unrecorded call: err = %v, want a 404", err)
	},
}

// Each face gets each call kind 50 times: 400 calls, 351 paid: the 304s
// of /user to the client's authenticated requests are free.
var concurrentEndpoints = []string{
	"POST /graphql graphql/Viewer [graphql] n=50 repeats=49",
	"GET /repos/{owner}/{repo}/issues/{issue_number} issues/get [core] n=50 unmatched=50",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments issues/create-comment [core] n=50 repeats=49 mutating",
	"GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get [core] n=50 repeats=49",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files [core] n=100 repeats=98",
	"POST /repos/{owner}/{repo}/statuses/{sha} repos/create-commit-status [core] n=50 repeats=48 mutating",
	"GET /user users/get-authenticated [core] n=1 304=49 repeats=48",
}

const concurrentSummary = "total=351 mutating=100 points=751 304=49 repeats=341 resources=map[core:301 graphql:50] unmatched=[{GET /repos/octo-org/hello-world/issues/99 50}]"

// TestReplayConcurrentCountsAreStable runs 16 goroutines × 50 mixed calls
// over both faces at once, five times: the counts never change.
func TestReplayConcurrentCountsAreStable(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine = 16, 50
	c := concurrencyCassette(t)
	ctx := context.Background()
	var first []replay.Counts
	for run := range 5 {
		transport := face{name: "transport"}.open(t, c, replay.Options{})
		server := face{name: "server enterprise", server: true, enterprise: true}.open(t, c, replay.Options{})
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					k := g*perGoroutine + i
					rc := transport
					if (k/len(concurrentCalls))%2 == 1 {
						rc = server
					}
					if err := concurrentCalls[k%len(concurrentCalls)](ctx, rc.gh); err != nil {
						t.Errorf("run %d, goroutine %d, call %d: %v", run, g, i, err)
					}
				}
			})
		}
		wg.Wait()
		got := []replay.Counts{transport.counts(), server.counts()}
		for _, rc := range []*replayClient{transport, server} {
			if n := rc.sent.n.Load(); n != 400 {
				t.Errorf("run %d: a face was sent %d calls, want 400", run, n)
			}
		}
		for _, c := range got {
			checkCounts(t, c, concurrentSummary, concurrentEndpoints)
		}
		if run == 0 {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("run %d counted differently from run 0:\n%+v\n%+v", run, got, first)
		}
	}
}

// call is one raw request, replayed through go-github's client.
type call struct {
	method, path, body string // path relative to the API root, with query
	// ifNoneMatch is the conditional header the recording sent, if any.
	ifNoneMatch string
}

// cassetteCalls lists the calls a cassette recorded, in recorded order.
func cassetteCalls(t *testing.T, c *replay.Cassette) []call {
	t.Helper()
	var calls []call
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		p := strings.TrimPrefix(u.Path, "/api/v3")
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		calls = append(calls, call{in.Request.Method, strings.TrimPrefix(p, "/"), in.Request.Body, in.Request.Headers.Get("If-None-Match")})
	}
	return calls
}

func doCalls(t *testing.T, gh *github.Client, calls []call) {
	t.Helper()
	ctx := context.Background()
	for _, cl := range calls {
		var body any
		if cl.body != "" {
			body = json.RawMessage(cl.body)
		}
		req, err := gh.NewRequest(cl.method, cl.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if cl.ifNoneMatch != "" {
			req.Header.Set("If-None-Match", cl.ifNoneMatch)
		}
		resp, err := gh.BareDo(ctx, req)
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err != nil && errStatus(err) != http.StatusNotModified && errStatus(err) != http.StatusNotFound {
			t.Errorf("%s %s: %v", cl.method, cl.path, err)
		}
	}
}

// TestReplayOrderDoesNotMatter replays the recorded calls, some extra
// repeats and an unrecorded call in shuffled orders: the counts are those
// of the recorded order.
func TestReplayOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)
	calls := append(cassetteCalls(t, c),
		call{method: "GET", path: "repos/octo-org/hello-world/pulls/1"},
		call{method: "GET", path: "user"},
		call{method: "GET", path: "repos/octo-org/hello-world/pulls/1/files?page=2&per_page=30"},
		call{method: "GET", path: "repos/octo-org/hello-world/issues/99"},
	)
	want := []string{
		"POST /graphql graphql/PullRequestState [graphql] n=1",
		"POST /repos/{owner}/{repo}/check-runs checks/create [core] n=1 mutating",
		"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} checks/update [core] n=1 mutating",
		"GET /repos/{owner}/{repo}/contents/{path} repos/get-content [core] n=1",
		"GET /repos/{owner}/{repo}/issues/{issue_number} issues/get [core] n=1 unmatched=1",
		"POST /repos/{owner}/{repo}/issues/{issue_number}/comments issues/create-comment [core] n=1 mutating",
		"GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get [core] n=2 repeats=1",
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files [core] n=4 repeats=1",
		"POST /repos/{owner}/{repo}/statuses/{sha} repos/create-commit-status [core] n=2 mutating",
		"GET /user users/get-authenticated [core] n=2 304=1 repeats=1",
	}
	wantSummary := "total=16 mutating=5 points=36 304=1 repeats=3 resources=map[core:15 graphql:1] unmatched=[{GET /repos/octo-org/hello-world/issues/99 1}]"
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			inOrder := f.open(t, c, replay.Options{})
			doCalls(t, inOrder.gh, calls)
			ref := inOrder.counts()
			checkCounts(t, ref, wantSummary, want)
			for seed := range uint64(5) {
				shuffled := append([]call(nil), calls...)
				r := rand.New(rand.NewPCG(seed, 42))
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				rc := f.open(t, c, replay.Options{})
				doCalls(t, rc.gh, shuffled)
				if got := rc.counts(); !reflect.DeepEqual(got, ref) {
					t.Errorf("seed %d: shuffled counts differ:\n%s\n%s\nwant\n%s\n%s", seed,
						summary(got), strings.Join(endpointLines(got.Endpoints), "\n"),
						summary(ref), strings.Join(endpointLines(ref.Endpoints), "\n"))
				}
			}
		})
	}
}

func graphQLCassette(t *testing.T) *replay.Cassette {
	return writeCassette(t,
		interaction{method: "POST", url: api + "/graphql", code: 200,
			reqBody: `{"query":"query GetPR($n: Int!) { repository(owner: \"o\", name: \"r\") { pullRequest(number: $n) { title } } }","operationName":"GetPR","variables":{"n":1}}`,
			body:    `{"data":{"answer":"GetPR"}}`},
		interaction{method: "POST", url: api + "/graphql", code: 200,
			reqBody: `{"query":"query Viewer { viewer { login } }"}`,
			body:    `{"data":{"answer":"Viewer"}}`},
		interaction{method: "POST", url: api + "/graphql", code: 200,
			reqBody: `{"query":"{ viewer { login } }"}`,
			body:    `{"data":{"answer":"anonymous"}}`},
		interaction{method: "POST", url: api + "/graphql", code: 200,
			reqBody: `{"query":"mutation AddComment($id: ID!, $body: String!) { addComment(input: {subjectId: $id, body: $body}) { clientMutationId } }","operationName":"AddComment","variables":{"id":"PR_1","body":"hi"}}`,
			body:    `{"data":{"answer":"AddComment"}}`},
	)
}

// TestReplayGraphQLOperations keys GraphQL requests by operation: by
// operationName, by the name in the query text, or by the kind and root
// selection of an anonymous query; each is answered with its own recording and counted
// as graphql/<name>.
func TestReplayGraphQLOperations(t *testing.T) {
	t.Parallel()
	c := graphQLCassette(t)
	ctx := context.Background()
	tests := []struct {
		name string
		body map[string]any
		want string // the recorded answer's marker
	}{
		{name: "operationName, other variables", body: map[string]any{"query": "query GetPR($n: Int!) { repository(owner: \"o\", name: \"r\") { pullRequest(number: $n) { title } } }", "operationName": "GetPR", "variables": map[string]any{"n": 2}}, want: "GetPR"},
		{name: "name in the query text", body: map[string]any{"query": "query Viewer { viewer { login } }"}, want: "Viewer"},
		{name: "anonymous", body: map[string]any{"query": "{ viewer { login } }"}, want: "anonymous"},
		{name: "anonymous, other whitespace", body: map[string]any{"query": "{\n  viewer {  login }\n}"}, want: "anonymous"},
		{name: "mutation", body: map[string]any{"query": "mutation AddComment($id: ID!, $body: String!) { addComment(input: {subjectId: $id, body: $body}) { clientMutationId } }", "operationName": "AddComment", "variables": map[string]any{"id": "PR_2", "body": "bye"}}, want: "AddComment"},
	}
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			for _, tt := range tests {
				req, err := rc.gh.NewRequest("POST", "graphql", tt.body)
				if err != nil {
					t.Fatal(err)
				}
				var out struct {
					Data struct{ Answer string } `json:"data"`
				}
				if _, err := rc.gh.Do(ctx, req, &out); err != nil || out.Data.Answer != tt.want {
					t.Errorf("%s: answered %q, %v; want the %s recording", tt.name, out.Data.Answer, err, tt.want)
				}
			}
			got := rc.counts()
			lines := endpointLines(got.Endpoints)
			if len(lines) != 4 || !strings.HasPrefix(lines[0], "POST /graphql graphql/AddComment [graphql] n=1 mutating") ||
				lines[1] != "POST /graphql graphql/GetPR [graphql] n=1" ||
				lines[2] != "POST /graphql graphql/Viewer [graphql] n=1" ||
				lines[3] != "POST /graphql graphql/query viewer [graphql] n=2 repeats=1" {
				t.Errorf("endpoints:\n%s", strings.Join(lines, "\n"))
			}
			// The anonymous query was recorded once and asked twice.
			if s := summary(got); s != "total=5 mutating=1 points=9 304=0 repeats=1 resources=map[graphql:5] unmatched=[]" {
				t.Errorf("counts: %s", s)
			}
		})
	}
}

// TestReplayGraphQLUnrecordedOperation: an operation never recorded is
// unmatched, not served another operation's answer.
func TestReplayGraphQLUnrecordedOperation(t *testing.T) {
	t.Parallel()
	c := graphQLCassette(t)
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			req, err := rc.gh.NewRequest("POST", "graphql", map[string]string{"query": "query Other { viewer { id } }"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rc.gh.Do(context.Background(), req, nil); errStatus(err) != http.StatusNotFound {
				t.Fatalf("err = %v, want a 404", err)
			}
			checkCounts(t, rc.counts(),
				"total=1 mutating=0 points=1 304=0 repeats=0 resources=map[graphql:1] unmatched=[{POST /graphql 1}]",
				[]string{"POST /graphql graphql/Other [graphql] n=1 unmatched=1"})
		})
	}
}

// TestReplayGraphQLOperationNameSelectsMutation: a document with several
// operations runs the one operationName names; when that one is a
// mutation, it costs a mutation's points.
func TestReplayGraphQLOperationNameSelectsMutation(t *testing.T) {
	t.Parallel()
	body := `{"query":"query Viewer { viewer { login } }\nmutation Star($id: ID!) { addStar(input: {starrableId: $id}) { clientMutationId } }","operationName":"Star","variables":{"id":"R_1"}}`
	c := writeCassette(t, interaction{method: "POST", url: api + "/graphql", reqBody: body, code: 200, body: `{"data":{}}`})
	counts := replay.CountRecorded(c, replay.Options{})
	if lines := endpointLines(counts.Endpoints); len(lines) != 1 || lines[0] != "POST /graphql graphql/Star [graphql] n=1 mutating" {
		t.Errorf("endpoints = %q, want the Star mutation counted as mutating", lines)
	}
}

// TestServerRewritesRecordedURLs: Link and Location headers and bodies
// that point at the recorded host point at the Server instead, so a
// client following them stays on loopback.
func TestServerRewritesRecordedURLs(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t) // its fake GitHub is closed: a link left pointing there fails
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}

	next := srv.URL() + "/repos/octo-org/hello-world/pulls/1/files?per_page=30"
	pages := 0
	for next != "" {
		if !strings.HasPrefix(next, srv.URL()+"/") {
			t.Fatalf("page %d: link %s leaves the replay server %s", pages+1, next, srv.URL())
		}
		resp, err := hc.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get(replay.InteractionHeader) == "" {
			t.Fatalf("GET %s: %s, interaction %q", next, resp.Status, resp.Header.Get(replay.InteractionHeader))
		}
		pages++
		next = linkRel(resp.Header.Get("Link"), "next")
	}
	if pages != 3 {
		t.Errorf("followed %d pages, want 3", pages)
	}

	// Bodies too: the pull request's own URL.
	resp, err := hc.Get(srv.URL() + "/repos/octo-org/hello-world/pulls/1")
	if err != nil {
		t.Fatal(err)
	}
	var pr struct{ URL string }
	err = json.NewDecoder(resp.Body).Decode(&pr)
	resp.Body.Close()
	if err != nil || !strings.HasPrefix(pr.URL, srv.URL()+"/") {
		t.Errorf("pull request url = %q, %v; want it on %s", pr.URL, err, srv.URL())
	}
	if got := srv.Counts().Total; got != 4 {
		t.Errorf("counted %d, want 4", got)
	}
}

func linkRel(link, rel string) string {
	for part := range strings.SplitSeq(link, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="`+rel+`"`) {
			return strings.Trim(u, "<>")
		}
	}
	return ""
}

func TestServerRewritesRedirects(t *testing.T) {
	t.Parallel()
	c := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/octo-org/old-name", code: 301,
			header: http.Header{"Location": {api + "/repositories/42"}, "Content-Type": {"application/json; charset=utf-8"}},
			body:   `{"message":"Moved Permanently","url":"` + api + `/repositories/42"}`},
		interaction{method: "GET", url: api + "/repositories/42", code: 200, body: `{"id":42,"name":"hello-world"}`},
	)
	tests := []struct {
		name     string
		keepURLs bool
	}{
		{name: "rewritten"},
		{name: "KeepURLs", keepURLs: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := replay.NewServer(c, replay.Options{KeepURLs: tt.keepURLs})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			hc := &http.Client{
				Transport:     http.DefaultTransport.(*http.Transport).Clone(),
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			resp, err := hc.Get(srv.URL() + "/api/v3/repos/octo-org/old-name")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := srv.URL() + "/repositories/42"
			if tt.keepURLs {
				want = api + "/repositories/42"
			}
			if got := resp.Header.Get("Location"); resp.StatusCode != 301 || got != want {
				t.Fatalf("%s, Location %q; want 301 to %s", resp.Status, got, want)
			}
			if tt.keepURLs {
				return
			}
			// go-github follows the redirect itself and stays on loopback.
			gh, err := github.NewClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}).WithEnterpriseURLs(srv.URL(), srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			r, _, err := gh.Repositories.Get(context.Background(), "octo-org", "old-name")
			if err != nil || r.GetID() != 42 {
				t.Fatalf("Repositories.Get through a redirect = %v, %v", r, err)
			}
			// Three calls: the plain GET above, and go-github's GET and
			// its redirected GET; old-name was recorded once.
			if got := srv.Counts(); got.Total != 3 || got.Repeats != 1 || len(got.Unmatched) != 0 {
				t.Errorf("counts: %s", summary(got))
			}
		})
	}
}

// TestTransportKeepsRecordedURLs: the Transport answers whatever host is
// asked, so it leaves recorded URLs alone.
func TestTransportKeepsRecordedURLs(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)
	rc := face{name: "transport"}.open(t, c, replay.Options{})
	_, resp, err := rc.gh.PullRequests.ListFiles(context.Background(), owner, repo, 1, &github.ListOptions{PerPage: 30})
	if err != nil {
		t.Fatal(err)
	}
	recorded, _ := url.Parse(c.Interactions[3].Request.URL)
	if next := linkRel(resp.Header.Get("Link"), "next"); !strings.HasPrefix(next, recorded.Scheme+"://"+recorded.Host+"/api/v3/") || resp.NextPage != 2 {
		t.Errorf("next link %q (page %d), want the recorded host %s", next, resp.NextPage, recorded.Host)
	}
}
