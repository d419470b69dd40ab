package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/metrics"
	"github.com/google/go-github/v62/github"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// newClient points go-github, through m's Transport, at the fake served
// under prefix.
func newClient(t *testing.T, fake *fakegithub.Server, m *metrics.Metrics) *github.Client {
	t.Helper()
	c := github.NewClient(&http.Client{Transport: m.Transport(fake.HTTPClient().Transport)})
	u, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// series is every series of the metric name in reg, as
// "label=value,…" → value (a histogram's sample count).
func series(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, lp := range m.GetLabel() {
				ls = append(ls, lp.GetName()+"="+lp.GetValue())
			}
			out[strings.Join(ls, ",")] = value(m)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
}

func TestMetricsGoGithub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, prefix, basePath string
	}{
		{name: "enterprise", prefix: "/api/v3"},
		{name: "arbitrary prefix", prefix: "/api-prefix", basePath: "/api-prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := fakegithub.New(t, fakegithub.Options{Prefix: tt.prefix, PerPage: 30, Files: 75})
			reg := prometheus.NewRegistry()
			m := metrics.New(reg, metrics.Options{BasePath: tt.basePath})
			gh := newClient(t, fake, m)
			o, r := fakegithub.Owner, fakegithub.Repo

			run := m.StartRun()
			rctx := run.Context(ctx)
			if _, _, err := gh.PullRequests.Get(rctx, o, r, fakegithub.PullNumber); err != nil {
				t.Fatal(err)
			}
			opts := &github.ListOptions{}
			for {
				_, resp, err := gh.PullRequests.ListFiles(rctx, o, r, fakegithub.PullNumber, opts)
				if err != nil {
					t.Fatal(err)
				}
				if resp.NextPage == 0 {
					break
				}
				opts.Page = resp.NextPage
			}
			if _, _, err := gh.Issues.CreateComment(rctx, o, r, fakegithub.PullNumber, &github.IssueComment{Body: github.String("hi")}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := gh.Repositories.Get(rctx, o, "no-such-repo"); err == nil {
				t.Fatal("want a 404 for a missing repository")
			}
			// Outside the run.
			if _, _, err := gh.Users.Get(ctx, ""); err != nil {
				t.Fatal(err)
			}
			if got := run.End(); got != 6 {
				t.Errorf("run.End() = %d calls, want 6", got)
			}

			want := map[string]float64{
				"method=GET,operation=pulls/get,resource=core,route=/repos/{owner}/{repo}/pulls/{pull_number},status_class=2xx":                         1,
				"method=GET,operation=pulls/list-files,resource=core,route=/repos/{owner}/{repo}/pulls/{pull_number}/files,status_class=2xx":            3,
				"method=POST,operation=issues/create-comment,resource=core,route=/repos/{owner}/{repo}/issues/{issue_number}/comments,status_class=2xx": 1,
				"method=GET,operation=repos/get,resource=core,route=/repos/{owner}/{repo},status_class=4xx":                                             1,
				"method=GET,operation=users/get-authenticated,resource=core,route=/user,status_class=2xx":                                               1,
			}
			if v := testutil.ToFloat64(m.RequestsVec().WithLabelValues("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "pulls/list-files", "core", "2xx")); v != 3 {
				t.Errorf("ToFloat64(list-files) = %v, want 3 pages", v)
			}
			if v := testutil.ToFloat64(m.PointsVec().WithLabelValues("core")); v != 11 {
				t.Errorf("ToFloat64(secondary points core) = %v, want 11", v)
			}
			got := series(t, reg, metrics.NameRequests)
			if !equal(got, want) {
				t.Errorf("%s:\n got %v\nwant %v", metrics.NameRequests, lines(got), lines(want))
			}
			if n := testutil.CollectAndCount(reg, metrics.NameRequests); n != len(want) {
				t.Errorf("CollectAndCount(%s) = %d, want %d", metrics.NameRequests, n, len(want))
			}
			if p := series(t, reg, metrics.NameSecondaryPoints)["resource=core"]; p != 5*1+1*6 {
				t.Errorf("secondary points = %v, want 11 (one POST, six reads)", p)
			}
			// The fake answers X-RateLimit-* headers on every call: the
			// gauges hold the last ones.
			used := float64(len(fake.Requests()))
			if g := series(t, reg, metrics.NameRateLimitLimit)["resource=core"]; g != 5000 {
				t.Errorf("ratelimit_limit{core} = %v, want 5000", g)
			}
			gu := series(t, reg, metrics.NameRateLimitUsed)["resource=core"]
			gr := series(t, reg, metrics.NameRateLimitRemain)["resource=core"]
			if gu < 1 || gu > used || gu+gr != 5000 {
				t.Errorf("ratelimit used=%v remaining=%v, want used in [1,%v] and used+remaining=5000", gu, gr, used)
			}
			if n := series(t, reg, metrics.NameCallsPerRun)[""]; n != 1 {
				t.Errorf("calls_per_run observations = %v, want 1", n)
			}
			if n := testutil.CollectAndCount(reg, metrics.NameRequestDuration); n != 5 {
				t.Errorf("duration series = %d, want 5 (one per route)", n)
			}
		})
	}
}

func equal(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func lines(m map[string]float64) string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("\n  %s %v", k, v))
	}
	sort.Strings(out)
	return strings.Join(out, "")
}

// TestMetricsCardinality sends 10,000 distinct raw paths, known routes and
// unknown ones, and checks that the series stay few.
func TestMetricsCardinality(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{RunRoutes: true})
	rt := m.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"X-Ratelimit-Resource": {fmt.Sprintf("made-up-%s", r.URL.Path)}}, Body: http.NoBody, Request: r}, nil
	}))
	run := m.StartRun()
	ctx := run.Context(context.Background())
	const n = 10000
	for i := range n {
		var p string
		switch i % 4 {
		case 0:
			p = fmt.Sprintf("/repos/o%d/r%d/pulls/%d", i, i, i)
		case 1:
			p = fmt.Sprintf("/repos/o/r/commits/%040x", i)
		case 2:
			p = fmt.Sprintf("/unknown/%d/path-%d/%s", i, i, strings.Repeat("x", i%50))
		default:
			p = fmt.Sprintf("/made-up-%d", i)
		}
		req, err := http.NewRequestWithContext(ctx, "GET", "https://api.github.com"+p+"?token=secret", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	if got := run.End(); got != n {
		t.Errorf("run.End() = %d, want %d", got, n)
	}
	reqs := series(t, reg, metrics.NameRequests)
	if len(reqs) != 3 {
		t.Errorf("%d request series, want 3 (pulls/get, repos/get-commit, other):%s", len(reqs), lines(reqs))
	}
	if v := reqs["method=GET,operation=,resource=core,route=other,status_class=2xx"]; v != n/2 {
		t.Errorf("route=other counted %v, want %d", v, n/2)
	}
	for _, name := range []string{metrics.NameRequestDuration, metrics.NameRouteCallsPerRun} {
		if c := testutil.CollectAndCount(reg, name); c != 3 {
			t.Errorf("CollectAndCount(%s) = %d, want 3", name, c)
		}
	}
	for _, name := range []string{metrics.NameRateLimitRemain, metrics.NameSecondaryPoints} {
		if c := testutil.CollectAndCount(reg, name); c > 1 {
			t.Errorf("CollectAndCount(%s) = %d, want at most 1", name, c)
		}
	}
	out, err := testutil.GatherAndCount(reg)
	if err != nil {
		t.Fatal(err)
	}
	if out > 20 {
		t.Errorf("%d series in all after %d distinct paths, want at most 20", out, n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMetricsRateLimitGauges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path       string
		header     http.Header
		resource   string
		remaining  float64
		limit      float64
		used       float64
		wantSeries int
	}{
		{name: "resource header", path: "/search/issues", header: http.Header{
			"X-Ratelimit-Resource": {"search"}, "X-Ratelimit-Remaining": {"27"}, "X-Ratelimit-Limit": {"30"}, "X-Ratelimit-Used": {"3"},
		}, resource: "search", remaining: 27, limit: 30, used: 3, wantSeries: 1},
		{name: "route's resource", path: "/graphql", header: http.Header{
			"X-Ratelimit-Remaining": {"4990"}, "X-Ratelimit-Limit": {"5000"}, "X-Ratelimit-Used": {"10"},
		}, resource: "graphql", remaining: 4990, limit: 5000, used: 10, wantSeries: 1},
		{name: "no headers", path: "/user", header: http.Header{}, wantSeries: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			m := metrics.New(reg, metrics.Options{})
			rt := m.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Header: tt.header, Body: http.NoBody, Request: r}, nil
			}))
			req, _ := http.NewRequest("POST", "https://api.github.com"+tt.path, nil)
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if c := testutil.CollectAndCount(reg, metrics.NameRateLimitRemain); c != tt.wantSeries {
				t.Fatalf("remaining series = %d, want %d", c, tt.wantSeries)
			}
			if tt.wantSeries == 0 {
				return
			}
			l := "resource=" + tt.resource
			for name, want := range map[string]float64{metrics.NameRateLimitRemain: tt.remaining, metrics.NameRateLimitLimit: tt.limit, metrics.NameRateLimitUsed: tt.used} {
				if got := series(t, reg, name)[l]; got != want {
					t.Errorf("%s{%s} = %v, want %v", name, l, got, want)
				}
			}
		})
	}
}

// TestMetricsRuns checks the calls-per-run histogram: runs by handle, by
// WithRun, by id with an explicit end, and a transport error.
func TestMetricsRuns(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{RunBuckets: []float64{1, 2, 3, 5, 10}})
	fail := false
	rt := m.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if fail {
			return nil, fmt.Errorf("connection refused")
		}
		return &http.Response{StatusCode: 204, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}))
	do := func(ctx context.Context, n int) {
		for range n {
			req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.github.com/user", nil)
			rt.RoundTrip(req)
		}
	}
	ctx := context.Background()
	r1 := m.StartRun()
	do(r1.Context(ctx), 2)
	r1.End()
	r1.End() // observed once
	ctx2, end := m.WithRun(ctx)
	do(ctx2, 3)
	fail = true
	do(ctx2, 1) // an error is a call too
	fail = false
	if got := end(); got != 4 {
		t.Errorf("WithRun end() = %d, want 4", got)
	}
	do(ctx2, 5) // after the end: not in the run
	runs := m.Runs(time.Hour)
	do(runs.Get("a").Context(ctx), 1)
	do(runs.Get("a").Context(ctx), 1)
	if calls, ok := runs.End("a"); !ok || calls != 2 {
		t.Errorf("runs.End(a) = %d, %v, want 2, true", calls, ok)
	}
	if _, ok := runs.End("a"); ok {
		t.Error("runs.End(a) twice reported a run")
	}
	do(runs.Get("b").Context(ctx), 7)
	runs.Close()
	if runs.Get("c") != nil {
		t.Error("Get after Close returned a run")
	}

	const want = `
# HELP callbudget_github_calls_per_run GitHub API calls per pipeline run, observed when a run ends.
# TYPE callbudget_github_calls_per_run histogram
callbudget_github_calls_per_run_bucket{le="1"} 0
callbudget_github_calls_per_run_bucket{le="2"} 2
callbudget_github_calls_per_run_bucket{le="3"} 2
callbudget_github_calls_per_run_bucket{le="5"} 3
callbudget_github_calls_per_run_bucket{le="10"} 4
callbudget_github_calls_per_run_bucket{le="+Inf"} 4
callbudget_github_calls_per_run_sum 15
callbudget_github_calls_per_run_count 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), metrics.NameCallsPerRun); err != nil {
		t.Error(err)
	}
	if v := testutil.ToFloat64(m.RunsActive()); v != 0 {
		t.Errorf("runs_active = %v after every run ended", v)
	}
	errs := series(t, reg, metrics.NameRequests)["method=GET,operation=users/get-authenticated,resource=core,route=/user,status_class=error"]
	if errs != 1 {
		t.Errorf("status_class=error counted %v, want 1", errs)
	}
}

// Every rate-limit resource GitHub has is a label of its own; anything
// else an upstream sends is "other".
func TestMetricsResourceLabels(t *testing.T) {
	t.Parallel()
	for _, r := range []string{
		"core", "search", "code_search", "graphql", "integration_manifest", "dependency_snapshots",
		"dependency_sbom", "code_scanning_upload", "code_scanning_autofix", "actions_runner_registration",
		"source_import", "audit_log", "audit_log_streaming", "scim", "copilot_usage_records",
	} {
		if got := metrics.BoundedResource(r); got != r {
			t.Errorf("resource %q is labelled %q", r, got)
		}
	}
	for _, r := range []string{"", "Core", "core ", "made_up", "audit_log_streaming\n"} {
		if got := metrics.BoundedResource(r); got != metrics.OtherLabel {
			t.Errorf("resource %q is labelled %q, want %q", r, got, metrics.OtherLabel)
		}
	}
}

// TestMetricsNamesLikeReplay: the live proxy names a call as the replay
// does: %2F stays inside a branch name, and the GitHub called decides
// the description (Enterprise Server reads this enterprise path as
// another operation than api.github.com does).
func TestMetricsNamesLikeReplay(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{})
	rt := m.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}))
	for _, u := range []string{
		"GET https://api.github.com/repos/o/r/branches/feature%2Fx/protection",
		"POST https://api.github.com/enterprises/acme/access-restrictions/enable",
		"POST https://ghe.example.com/api/v3/enterprises/acme/access-restrictions/enable",
	} {
		method, url, _ := strings.Cut(u, " ")
		req, err := http.NewRequest(method, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	reqs := series(t, reg, metrics.NameRequests)
	for _, want := range []string{
		"method=GET,operation=repos/get-branch-protection,resource=core,route=/repos/{owner}/{repo}/branches/{branch}/protection,status_class=2xx",
		"method=POST,operation=enterprise-admin/enable-access-restrictions,resource=core,route=/enterprises/{enterprise}/access-restrictions/enable,status_class=2xx",
		"method=POST,operation=secret-scanning/post-security-product-enablement-for-enterprise,resource=core,route=/enterprises/{enterprise}/{security_product}/{enablement},status_class=2xx",
	} {
		if reqs[want] != 1 {
			t.Errorf("no series %s:%s", want, lines(reqs))
		}
	}
}
