package replay_test

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/replay"
)

// conditionalCassette is what a client with an ETag cache records: a full
// answer, then the same URL with If-None-Match answered 304.
func conditionalCassette(t *testing.T, authenticated bool) *replay.Cassette {
	t.Helper()
	plain := http.Header{}
	cond := http.Header{"If-None-Match": {`W/"abc"`}}
	if authenticated {
		plain.Set("Authorization", "token [REDACTED]")
		cond.Set("Authorization", "token [REDACTED]")
	}
	return writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r", reqHeader: plain, code: 200,
			header: http.Header{"Content-Type": {"application/json"}, "Etag": {`W/"abc"`}}, body: `{"full_name":"o/r"}`},
		interaction{method: "GET", url: api + "/repos/o/r", reqHeader: cond, code: 304,
			header: http.Header{"Etag": {`W/"abc"`}}},
	)
}

// get sends GET path with the given headers and returns the status and
// body.
func get(t *testing.T, rc *replayClient, path string, h http.Header) (int, string) {
	t.Helper()
	// Through the replay with exactly these headers: go-github's own
	// client would add its token.
	u, err := rc.gh.BaseURL.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Transport: rc.sent}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestConditionalRequests: a client that keeps its ETag cache is charged
// one call (the 304 is free when authenticated); one that drops it pays
// for the second call, is served the full answer, and the counts say
// why; an unauthenticated 304 is paid.
func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	auth := http.Header{"Authorization": {"token callbudget-replay-dummy-token"}}
	condAuth := http.Header{"Authorization": auth["Authorization"], "If-None-Match": {`W/"abc"`}}
	tests := []struct {
		name     string
		recorded bool // the recording's requests were authenticated
		second   http.Header
		code     int
		total    int
		free     int
		dropped  int
	}{
		{name: "cache kept, authenticated 304 is free", recorded: true, second: condAuth, code: 304, total: 1, free: 1},
		{name: "cache dropped: paid, full answer, noted", recorded: true, second: auth, code: 200, total: 2, dropped: 1},
		{name: "unauthenticated 304 is paid", recorded: false, second: http.Header{"If-None-Match": {`W/"abc"`}}, code: 304, total: 2},
	}
	for _, f := range faces {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				rc := f.open(t, conditionalCassette(t, tt.recorded), replay.Options{})
				first := auth
				if !tt.recorded {
					first = nil
				}
				if code, body := get(t, rc, "repos/o/r", first); code != 200 || !strings.Contains(body, "o/r") {
					t.Fatalf("first call: %d %q", code, body)
				}
				code, body := get(t, rc, "repos/o/r", tt.second)
				if code != tt.code {
					t.Errorf("second call: %d, want %d", code, tt.code)
				}
				if tt.code == 200 && !strings.Contains(body, "o/r") {
					t.Errorf("second call: body %q, want the recorded full answer", body)
				}
				c := rc.counts()
				if c.Unused != 0 || len(c.NotCalled) != 0 {
					t.Errorf("unused %d %v: every recording was answered (a dropped 304 is not unused)", c.Unused, c.NotCalled)
				}
				if c.Total != tt.total || c.Resources["core"] != tt.total || c.NotModified != tt.free || c.ConditionalDropped != tt.dropped {
					t.Errorf("counts: total %d core %d free 304s %d dropped %d; want %d %d %d %d",
						c.Total, c.Resources["core"], c.NotModified, c.ConditionalDropped, tt.total, tt.total, tt.free, tt.dropped)
				}
				if len(c.Endpoints) != 1 || c.Endpoints[0].Operation != "repos/get" || c.Endpoints[0].ConditionalDropped != tt.dropped {
					t.Errorf("endpoints: %+v", c.Endpoints)
				}
			})
		}
	}
}

// TestConditionalOnlyRecorded: when the recording has only the 304, a
// request without the conditional header is served that 304 (there is no
// full answer to serve) and paid.
func TestConditionalOnlyRecorded(t *testing.T) {
	t.Parallel()
	c := writeCassette(t, interaction{method: "GET", url: api + "/user",
		reqHeader: http.Header{"If-None-Match": {`"x"`}, "Authorization": {"token [REDACTED]"}}, code: 304})
	if rec := replay.CountRecorded(c, replay.Options{}); rec.Total != 0 || rec.NotModified != 1 {
		t.Errorf("recorded: total %d, free 304s %d; want 0, 1", rec.Total, rec.NotModified)
	}
	rc := faces[2].open(t, c, replay.Options{})
	if code, _ := get(t, rc, "user", http.Header{"Authorization": {"token t"}}); code != 304 {
		t.Errorf("served %d, want the recorded 304", code)
	}
	if got := rc.counts(); got.Total != 1 || got.ConditionalDropped != 1 || got.NotModified != 0 || got.Unused != 0 {
		t.Errorf("counts: total %d dropped %d free %d; want 1 1 0", got.Total, got.ConditionalDropped, got.NotModified)
	}
}

// TestEncodedSlashStaysInValue: a branch "feature/x" sent as feature%2Fx
// is one value: its protection is named as branch protection, and it is
// not the same recording as the path with a real slash.
func TestEncodedSlashStaysInValue(t *testing.T) {
	t.Parallel()
	c := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r/branches/feature%2Fx/protection", code: 200, body: `{"which":"encoded"}`},
		interaction{method: "GET", url: api + "/repos/o/r/commits/feature%2fx/status", code: 200, body: `{"state":"success"}`},
	)
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			ctx := context.Background()
			if _, _, err := rc.gh.Repositories.GetBranchProtection(ctx, "o", "r", "feature/x"); err != nil {
				t.Fatalf("GetBranchProtection: %v", err)
			}
			// go-github sends a ref as it is; octokit and PyGithub encode it.
			if code, _ := get(t, rc, "repos/o/r/commits/feature%2Fx/status", nil); code != 200 {
				t.Errorf("commits/feature%%2Fx/status: %d, want the recording (%%2f and %%2F are one)", code)
			}
			if code, _ := get(t, rc, "repos/o/r/branches/feature/x/protection", nil); code != 404 {
				t.Errorf("a real slash: %d, want unmatched", code)
			}
			checkCounts(t, rc.counts(),
				"total=3 mutating=0 points=3 304=0 repeats=0 resources=map[core:3] unmatched=[{GET /repos/o/r/branches/feature/x/protection 1}]",
				[]string{
					"GET /repos/{owner}/{repo}/branches/{branch}/protection repos/get-branch-protection [core] n=2 unmatched=1",
					"GET /repos/{owner}/{repo}/commits/{ref}/status repos/get-combined-status-for-ref [core] n=1",
				})
		})
	}
}

// TestResourceMismatchReported: the route decides the resource; a
// recording that says otherwise is listed.
func TestResourceMismatchReported(t *testing.T) {
	t.Parallel()
	c := writeCassette(t,
		interaction{method: "GET", url: api + "/search/code?q=x", code: 200,
			header: http.Header{"X-Ratelimit-Resource": {"code_search"}}, body: `{}`},
		interaction{method: "GET", url: api + "/repos/o/r", code: 200,
			header: http.Header{"X-Ratelimit-Resource": {"search"}}, body: `{}`},
	)
	got := replay.CountRecorded(c, replay.Options{})
	if got.Resources["core"] != 1 || got.Resources["code_search"] != 1 || got.Resources["search"] != 0 {
		t.Errorf("resources %v, want core 1 and code_search 1", got.Resources)
	}
	want := []replay.ResourceMismatch{{Method: "GET", Route: "/repos/{owner}/{repo}", Operation: "repos/get", Resource: "core", Recorded: "search", Count: 1}}
	if len(got.ResourceMismatches) != 1 || got.ResourceMismatches[0] != want[0] {
		t.Errorf("mismatches %+v, want %+v", got.ResourceMismatches, want)
	}
}

// gqlCassette records three GraphQL calls: an anonymous query whose
// answer holds its real cost, a named query with a cost only in
// X-RateLimit-Used steps, and a mutation.
func gqlCassette(t *testing.T) *replay.Cassette {
	t.Helper()
	rl := func(used string) http.Header {
		return http.Header{"Content-Type": {"application/json"}, "X-Ratelimit-Resource": {"graphql"},
			"X-Ratelimit-Used": {used}, "X-Ratelimit-Reset": {"1700000000"}, "X-Ratelimit-Limit": {"5000"}}
	}
	return writeCassette(t,
		interaction{method: "POST", url: api + "/graphql", code: 200, header: rl("3"),
			reqBody: `{"query":"query { repository(owner: \"o\", name: \"r\") { pullRequest(number: 1) { title commits(last: 1) { nodes { oid } } } } rateLimit { cost } }"}`,
			body:    `{"data":{"repository":{"pullRequest":{"title":"t"}},"rateLimit":{"cost":3,"remaining":4997}}}`},
		interaction{method: "POST", url: api + "/graphql", code: 200, header: rl("5"),
			reqBody: `{"query":"query Repos { viewer { repositories(first: 100) { nodes { issues(first: 50) { nodes { labels(first: 60) { nodes { name } } } } } } } }"}`,
			body:    `{"data":{"viewer":{}}}`},
		interaction{method: "POST", url: api + "/graphql", code: 200, header: rl("6"),
			reqBody: `{"query":"mutation { addStar(input: {starrableId: \"R_1\"}) { clientMutationId } }"}`,
			body:    `{"data":{"addStar":{}}}`},
	)
}

// TestGraphQLNamedAndCosted: anonymous calls are named by kind and root
// selection; each is costed by the recording where it shows the cost
// (rateLimit.cost, else the X-RateLimit-Used step) and estimated by
// GitHub's published algorithm.
func TestGraphQLNamedAndCosted(t *testing.T) {
	t.Parallel()
	got := replay.CountRecorded(gqlCassette(t), replay.Options{})
	lines := []string{}
	for _, e := range got.Endpoints {
		lines = append(lines, e.Operation+" points="+itoa(e.GraphQLPoints)+" est="+itoa(e.GraphQLEstimated))
	}
	want := []string{
		"graphql/Repos points=2 est=51",
		"graphql/mutation addStar points=1 est=1",
		"graphql/query repository.pullRequest.commits.nodes points=3 est=1",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("endpoints:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got.GraphQLPoints != 6 || got.GraphQLEstimated != 53 || got.Mutating != 1 {
		t.Errorf("points %d estimated %d mutating %d; want 6 53 1", got.GraphQLPoints, got.GraphQLEstimated, got.Mutating)
	}
}

// TestGraphQLEditedQueryMatched: a query edited since it was recorded
// keeps its name, is served the recorded answer and flagged, and costs
// its own estimate (the recorded cost was of another text).
func TestGraphQLEditedQueryMatched(t *testing.T) {
	t.Parallel()
	c := gqlCassette(t)
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			for _, q := range []string{
				// A field added to the pull request, the whitespace changed.
				"query {\n repository(owner: \"o\", name: \"r\") {\n pullRequest(number: 1) { title body commits(last: 1) { nodes { oid } } } }\n rateLimit { cost } }",
				// A field added at the level below the repository: its
				// name is now "query repository", matched by root field.
				"query { repository(owner: \"o\", name: \"r\") { pullRequest(number: 1) { title } issues(first: 100) { totalCount } } }",
			} {
				req, err := rc.gh.NewRequest("POST", "graphql", map[string]string{"query": q})
				if err != nil {
					t.Fatal(err)
				}
				var out struct {
					Data map[string]any `json:"data"`
				}
				if _, err := rc.gh.Do(context.Background(), req, &out); err != nil || out.Data["repository"] == nil {
					t.Fatalf("edited query: %v %v", out, err)
				}
			}
			got := rc.counts()
			if len(got.Unmatched) != 0 || got.GraphQLEdited != 2 || got.Total != 2 {
				t.Fatalf("unmatched %v edited %d total %d; want none, 2, 2", got.Unmatched, got.GraphQLEdited, got.Total)
			}
			e := got.Endpoints[0]
			if e.Operation != "graphql/query repository.pullRequest.commits.nodes" || e.Count != 2 || e.Repeats != 1 || e.GraphQLEdited != 2 || e.GraphQLPoints != 2 {
				t.Errorf("endpoint %+v", e)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRepositoryFormsMatchEachOther: GitHub's Link headers page in the
// /repositories/{id} form. A recording paged by number in the /repos form
// answers a client that follows those links, and a recording that
// followed them answers a client paging by number: both forms of one
// repository, learnt from the recorded links, are one.
func TestRepositoryFormsMatchEachOther(t *testing.T) {
	t.Parallel()
	link := func(page string) http.Header {
		return http.Header{"Content-Type": {"application/json"},
			"Link": {`<https://api.github.com/repositories/1296269/pulls/7/files?page=` + page + `>; rel="next"`}}
	}
	byNumber := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r/pulls/7/files", code: 200, header: link("2"), body: `[{"filename":"a"}]`},
		interaction{method: "GET", url: api + "/repos/o/r/pulls/7/files?page=2", code: 200, body: `[{"filename":"b"}]`},
	)
	followed := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r/pulls/7/files", code: 200, header: link("2"), body: `[{"filename":"a"}]`},
		interaction{method: "GET", url: api + "/repositories/1296269/pulls/7/files?page=2", code: 200, body: `[{"filename":"b"}]`},
	)
	for _, tt := range []struct {
		name  string
		c     *replay.Cassette
		page2 string
	}{
		{"recorded by number, link followed", byNumber, "repositories/1296269/pulls/7/files?page=2"},
		{"recorded following links, paged by number", followed, "repos/o/r/pulls/7/files?page=2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := faces[2].open(t, tt.c, replay.Options{})
			get(t, rc, "repos/o/r/pulls/7/files", nil)
			if code, body := get(t, rc, tt.page2, nil); code != 200 || !strings.Contains(body, `"b"`) {
				t.Errorf("page 2: %d %s, want the recorded page 2", code, body)
			}
			checkCounts(t, rc.counts(), "total=2 mutating=0 points=2 304=0 repeats=0 resources=map[core:2] unmatched=[]",
				[]string{"GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files [core] n=2"})
		})
	}
}

// TestNamedForTheGitHubCalled: one path, named from the description of
// the GitHub the recording was made against: api.github.com and
// *.ghe.com serve Enterprise Cloud's routes, an /api/v3 path or a host
// named in Options.InterceptHosts is Enterprise Server, whose router
// reads the same path as another operation.
func TestNamedForTheGitHubCalled(t *testing.T) {
	t.Parallel()
	const path = "/enterprises/acme/access-restrictions/enable"
	for _, tt := range []struct {
		url   string
		hosts []string
		op    string
	}{
		{"https://api.github.com" + path, nil, "enterprise-admin/enable-access-restrictions"},
		{"https://api.octocorp.ghe.com" + path, nil, "enterprise-admin/enable-access-restrictions"},
		{"https://ghe.example.com/api/v3" + path, nil, "secret-scanning/post-security-product-enablement-for-enterprise"},
		{"https://github.internal" + path, []string{"github.internal"}, "secret-scanning/post-security-product-enablement-for-enterprise"},
	} {
		c := writeCassette(t, interaction{method: "POST", url: tt.url, code: 204})
		got := replay.CountRecorded(c, replay.Options{InterceptHosts: tt.hosts})
		if len(got.Endpoints) != 1 || got.Endpoints[0].Operation != tt.op {
			t.Errorf("%s (server hosts %v): %+v, want %s", tt.url, tt.hosts, got.Endpoints, tt.op)
		}
	}
	// A request the recording lacks is named for where it was sent too.
	c := writeCassette(t, interaction{method: "GET", url: "https://ghe.example.com/api/v3/meta", code: 200, body: `{}`})
	rc := faces[3].open(t, c, replay.Options{})
	get(t, rc, "enterprises/acme/access-restrictions/enable", nil)
	if u := rc.counts().Endpoints; len(u) != 1 || u[0].Unmatched != 1 || u[0].Route != "/enterprises/{enterprise}/{security_product}/{enablement}" {
		t.Errorf("unmatched on GitHub Enterprise Server: %+v", u)
	}
}

// TestNotCalledListed: recorded interactions no request claimed are
// listed per endpoint, whether the endpoint was called fewer times than
// recorded or not at all; what was called is counted as before.
func TestNotCalledListed(t *testing.T) {
	t.Parallel()
	c := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r", code: 200, body: `{}`},
		interaction{method: "GET", url: api + "/repos/o/r", code: 200, body: `{}`},
		interaction{method: "GET", url: api + "/repos/o/r/pulls/1", code: 200, body: `{}`},
		interaction{method: "POST", url: api + "/repos/o/r/issues/1/comments", code: 201, body: `{}`},
		interaction{method: "POST", url: api + "/repos/o/r/issues/2/comments", code: 201, body: `{}`},
	)
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			rc := f.open(t, c, replay.Options{})
			if code, _ := get(t, rc, "repos/o/r", nil); code != 200 {
				t.Fatalf("GET /repos/o/r: %d", code)
			}
			got := rc.counts()
			want := []replay.NotCalled{
				{Method: "GET", Route: "/repos/{owner}/{repo}", Operation: "repos/get", Count: 1},
				{Method: "POST", Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Operation: "issues/create-comment", Count: 2},
				{Method: "GET", Route: "/repos/{owner}/{repo}/pulls/{pull_number}", Operation: "pulls/get", Count: 1},
			}
			if got.Total != 1 || got.Unused != 4 || !reflect.DeepEqual(got.NotCalled, want) {
				t.Errorf("total %d unused %d not called %+v; want 1, 4, %+v", got.Total, got.Unused, got.NotCalled, want)
			}
			if len(got.Endpoints) != 1 {
				t.Errorf("endpoints %+v: only what was called", got.Endpoints)
			}
		})
	}
	if rec := replay.CountRecorded(c, replay.Options{}); rec.Unused != 0 || rec.NotCalled != nil {
		t.Errorf("CountRecorded: unused %d %v, want none", rec.Unused, rec.NotCalled)
	}
}
