package fakegithub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

// client points go-github at the fake. Prefix "/api/v3" goes through
// WithEnterpriseURLs, as a GHES user would; any other prefix sets BaseURL,
// as a user behind a proxy would.
func client(t *testing.T, fake *fakegithub.Server, prefix string) *github.Client {
	t.Helper()
	c := github.NewClient(fake.HTTPClient())
	if prefix == "/api/v3" {
		root := strings.TrimSuffix(fake.URL(), "api/v3/")
		ec, err := c.WithEnterpriseURLs(root, root)
		if err != nil {
			t.Fatal(err)
		}
		return ec
	}
	u, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func ptr[T any](v T) *T { return &v }

// TestPipeline drives every endpoint a Packit-like bot uses, on the root,
// on a GHES prefix and on an arbitrary prefix, over HTTP and HTTPS.
func TestPipeline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
		tls    bool
	}{
		{name: "root", prefix: ""},
		{name: "enterprise", prefix: "/api/v3"},
		{name: "arbitrary prefix", prefix: "/api-prefix"},
		{name: "arbitrary prefix over TLS", prefix: "/api-prefix/", tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := fakegithub.New(t, fakegithub.Options{Prefix: tt.prefix, TLS: tt.tls})
			gh := client(t, fake, strings.TrimSuffix(tt.prefix, "/"))
			o, r := fakegithub.Owner, fakegithub.Repo

			user, _, err := gh.Users.Get(ctx, "")
			if err != nil || user.GetLogin() != fakegithub.Login {
				t.Fatalf("Users.Get = %v, %v", user, err)
			}
			pr, _, err := gh.PullRequests.Get(ctx, o, r, fakegithub.PullNumber)
			if err != nil {
				t.Fatal(err)
			}
			if pr.GetHead().GetSHA() != fakegithub.HeadSHA || pr.GetBase().GetSHA() != fakegithub.BaseSHA || pr.GetUser().GetLogin() != fakegithub.Login || pr.GetNumber() != 1 {
				t.Errorf("pull request = %+v", pr)
			}
			file, _, _, err := gh.Repositories.GetContents(ctx, o, r, fakegithub.ConfigPath, &github.RepositoryContentGetOptions{Ref: pr.GetHead().GetSHA()})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := file.GetContent(); err != nil || got != fakegithub.ConfigContent {
				t.Errorf("content = %q, %v", got, err)
			}
			if _, _, _, err := gh.Repositories.GetContents(ctx, o, r, "missing.yaml", &github.RepositoryContentGetOptions{Ref: fakegithub.HeadSHA}); !isStatus(err, 404) {
				t.Errorf("missing file: err = %v, want 404", err)
			}

			status, _, err := gh.Repositories.CreateStatus(ctx, o, r, fakegithub.HeadSHA, &github.RepoStatus{State: ptr("pending"), Context: ptr("packit/build")})
			if err != nil || status.GetState() != "pending" || status.GetID() == 0 {
				t.Fatalf("CreateStatus = %+v, %v", status, err)
			}
			if _, _, err := gh.Repositories.CreateStatus(ctx, o, r, fakegithub.HeadSHA, &github.RepoStatus{State: ptr("bogus")}); !isStatus(err, 422) {
				t.Errorf("bad state: err = %v, want 422", err)
			}
			run, _, err := gh.Checks.CreateCheckRun(ctx, o, r, github.CreateCheckRunOptions{Name: "packit", HeadSHA: fakegithub.HeadSHA, Status: ptr("in_progress")})
			if err != nil || run.GetStatus() != "in_progress" || run.GetID() == 0 {
				t.Fatalf("CreateCheckRun = %+v, %v", run, err)
			}
			run, _, err = gh.Checks.UpdateCheckRun(ctx, o, r, run.GetID(), github.UpdateCheckRunOptions{Name: "packit", Conclusion: ptr("success")})
			if err != nil || run.GetStatus() != "completed" || run.GetConclusion() != "success" {
				t.Fatalf("UpdateCheckRun = %+v, %v", run, err)
			}
			comment, _, err := gh.Issues.CreateComment(ctx, o, r, 1, &github.IssueComment{Body: ptr("Build started")})
			if err != nil || comment.GetBody() != "Build started" {
				t.Fatalf("CreateComment = %+v, %v", comment, err)
			}
			comment, _, err = gh.Issues.EditComment(ctx, o, r, comment.GetID(), &github.IssueComment{Body: ptr("Build done")})
			if err != nil || comment.GetBody() != "Build done" {
				t.Fatalf("EditComment = %+v, %v", comment, err)
			}

			var out struct {
				Data struct {
					OperationName string `json:"operationName"`
					Viewer        struct{ Login string }
				}
			}
			req, err := gh.NewRequest("POST", "graphql", map[string]any{"query": "query Viewer { viewer { login } }", "operationName": "Viewer"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gh.Do(ctx, req, &out); err != nil || out.Data.OperationName != "Viewer" || out.Data.Viewer.Login != fakegithub.Login {
				t.Fatalf("graphql = %+v, %v", out, err)
			}

			if got := fake.Statuses(o, r); len(got) != 1 || got[0].State != "pending" || got[0].SHA != fakegithub.HeadSHA || got[0].Context != "packit/build" {
				t.Errorf("Statuses = %+v", got)
			}
			if got := fake.CheckRuns(o, r); len(got) != 1 || got[0].Conclusion != "success" {
				t.Errorf("CheckRuns = %+v", got)
			}
			if got := fake.Comments(o, r, 1); len(got) != 1 || got[0].Body != "Build done" {
				t.Errorf("Comments = %+v", got)
			}

			wantPaths := []string{
				"GET /user",
				"GET /repos/octo-org/hello-world/pulls/1",
				"GET /repos/octo-org/hello-world/contents/.packit.yaml?ref=" + fakegithub.HeadSHA,
				"GET /repos/octo-org/hello-world/contents/missing.yaml?ref=" + fakegithub.HeadSHA,
				"POST /repos/octo-org/hello-world/statuses/" + fakegithub.HeadSHA,
				"POST /repos/octo-org/hello-world/statuses/" + fakegithub.HeadSHA,
				"POST /repos/octo-org/hello-world/check-runs",
				"PATCH /repos/octo-org/hello-world/check-runs/" + strconv.FormatInt(run.GetID(), 10),
				"POST /repos/octo-org/hello-world/issues/1/comments",
				"PATCH /repos/octo-org/hello-world/issues/comments/" + strconv.FormatInt(comment.GetID(), 10),
				"POST /graphql",
			}
			if got := requestLines(fake); !equalLines(got, wantPaths) {
				t.Errorf("Requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantPaths, "\n"))
			}
		})
	}
}

func requestLines(fake *fakegithub.Server) []string {
	var lines []string
	for _, r := range fake.Requests() {
		l := r.Method + " " + r.Path
		if r.RawQuery != "" {
			l += "?" + r.RawQuery
		}
		lines = append(lines, l)
	}
	return lines
}

func equalLines(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

func isStatus(err error, code int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response.StatusCode == code
}

func TestPaginationFollowsLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api-prefix"})
	gh := client(t, fake, "/api-prefix")

	var names []string
	opts := &github.ListOptions{PerPage: 30}
	pages := 0
	for {
		files, resp, err := gh.PullRequests.ListFiles(ctx, fakegithub.Owner, fakegithub.Repo, 1, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range files {
			names = append(names, f.GetFilename())
		}
		if resp.NextPage == 0 {
			if resp.LastPage != 0 || resp.FirstPage != 1 || resp.PrevPage != 2 {
				t.Errorf("last page: first/prev/last = %d/%d/%d, want 1/2/0", resp.FirstPage, resp.PrevPage, resp.LastPage)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || len(names) != 75 || names[0] != "src/file001.go" || names[74] != "src/file075.go" {
		t.Errorf("got %d pages, %d files (%v … %v), want 3 pages of 75 files", pages, len(names), names[0], names[len(names)-1])
	}

	// Page 2 names all four neighbours with absolute URLs to the server,
	// in GitHub's by-ID form, the query kept in the order it was sent.
	resp, err := fake.HTTPClient().Get(fake.URL() + "repos/octo-org/hello-world/pulls/1/files?per_page=30&page=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	files := fake.URL() + "repositories/1001/pulls/1/files"
	want := `<` + files + `?per_page=30&page=1>; rel="prev", <` + files + `?per_page=30&page=3>; rel="next", ` +
		`<` + files + `?per_page=30&page=3>; rel="last", <` + files + `?per_page=30&page=1>; rel="first"`
	if link := resp.Header.Get("Link"); link != want {
		t.Errorf("Link\n%s\nwant\n%s", link, want)
	}
}

func TestCommentsListPaginationAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{PerPage: 2})
	gh := client(t, fake, "")
	o, r := fakegithub.Owner, fakegithub.Repo
	for i := range 5 {
		fake.AddComment(o, r, 7, "someone", fmt.Sprintf("comment %d", i))
	}
	fake.AddComment(o, r, 8, "someone", "elsewhere")

	var all []*github.IssueComment
	opts := &github.IssueListCommentsOptions{}
	for {
		list, resp, err := gh.Issues.ListComments(ctx, o, r, 7, opts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, list...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 5 || all[4].GetBody() != "comment 4" {
		t.Fatalf("listed %d comments, want 5", len(all))
	}
	if _, err := gh.Issues.DeleteComment(ctx, o, r, all[0].GetID()); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Issues.DeleteComment(ctx, o, r, all[0].GetID()); !isStatus(err, 404) {
		t.Errorf("second delete: err = %v, want 404", err)
	}
	if got := fake.Comments(o, r, 7); len(got) != 4 {
		t.Errorf("%d comments left, want 4", len(got))
	}
	if got := len(fake.Requests()); got != 5 {
		t.Errorf("%d requests, want 3 pages + 2 deletes", got)
	}
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "")

	_, resp, err := gh.PullRequests.Get(ctx, fakegithub.Owner, fakegithub.Repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag = %q", etag)
	}
	req, err := gh.NewRequest("GET", "repos/octo-org/hello-world/pulls/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", etag)
	resp, err = gh.Do(ctx, req, nil)
	// go-github reports a 304 as an *ErrorResponse.
	if !isStatus(err, http.StatusNotModified) {
		t.Fatalf("conditional GET: err = %v, want 304", err)
	}
	if resp.Rate.Remaining != 4999 || resp.Header.Get("ETag") != etag {
		t.Errorf("304: Remaining = %d (a 304 is free), ETag = %q", resp.Rate.Remaining, resp.Header.Get("ETag"))
	}
	// A stale tag gets the full answer.
	req.Header.Set("If-None-Match", `W/"stale"`)
	if _, err := gh.Do(ctx, req, nil); err != nil {
		t.Errorf("stale ETag: %v", err)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
	gh := client(t, fake, "/api/v3")

	ids := map[string]bool{}
	check := func(resp *github.Response, resource string, remaining int) {
		t.Helper()
		h := resp.Header
		if got := h.Get("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if got := h.Get("X-RateLimit-Resource"); got != resource {
			t.Errorf("X-RateLimit-Resource = %q, want %q", got, resource)
		}
		if resp.Rate.Limit != 5000 || resp.Rate.Remaining != remaining || h.Get("X-RateLimit-Used") != strconv.Itoa(5000-remaining) || resp.Rate.Reset.IsZero() {
			t.Errorf("rate = %+v, used %s; want remaining %d", resp.Rate, h.Get("X-RateLimit-Used"), remaining)
		}
		id := h.Get("X-GitHub-Request-Id")
		if id == "" || ids[id] {
			t.Errorf("X-GitHub-Request-Id %q empty or repeated", id)
		}
		ids[id] = true
	}
	for i := range 3 {
		_, resp, err := gh.Users.Get(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		check(resp, "core", 4999-i)
	}
	req, _ := gh.NewRequest("POST", "graphql", map[string]string{"query": "{ viewer { login } }"})
	resp, err := gh.Do(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	check(resp, "graphql", 4999)
	// GHES also serves GraphQL at /api/graphql.
	hresp, err := fake.HTTPClient().Post(fake.Origin()+"/api/graphql", "application/json", strings.NewReader(`{"query":"{ viewer { login } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	hresp.Body.Close()
	if hresp.StatusCode != 200 || hresp.Header.Get("X-RateLimit-Remaining") != "4998" {
		t.Errorf("/api/graphql: %s, remaining %s", hresp.Status, hresp.Header.Get("X-RateLimit-Remaining"))
	}
	// /rate_limit is free and reports what was used.
	limits, resp, err := gh.RateLimit.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(resp, "core", 4997)
	if limits.GetCore().Remaining != 4997 || limits.GetGraphQL().Remaining != 4998 {
		t.Errorf("rate_limit = core %+v, graphql %+v", limits.GetCore(), limits.GetGraphQL())
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		opts fakegithub.Options
		call func(*github.Client) error
		// check inspects the error go-github returned.
		check func(error) bool
	}{
		{
			name: "unknown path",
			call: func(gh *github.Client) error {
				_, _, err := gh.Repositories.ListHooks(ctx, fakegithub.Owner, fakegithub.Repo, nil)
				return err
			},
			check: func(err error) bool {
				var er *github.ErrorResponse
				return errors.As(err, &er) && er.Response.StatusCode == 404 && er.Message == "Not Found" && er.DocumentationURL != ""
			},
		},
		{
			name: "unknown repository",
			call: func(gh *github.Client) error {
				_, _, err := gh.PullRequests.Get(ctx, "nobody", "nothing", 1)
				return err
			},
			check: func(err error) bool { return isStatus(err, 404) },
		},
		{
			name: "known path, other method",
			call: func(gh *github.Client) error {
				req, _ := gh.NewRequest("PUT", "user", nil)
				_, err := gh.Do(ctx, req, nil)
				return err
			},
			check: func(err error) bool { return isStatus(err, 404) },
		},
		{
			name: "bad token",
			opts: fakegithub.Options{Token: "right"},
			call: func(gh *github.Client) error {
				_, _, err := gh.WithAuthToken("wrong").Users.Get(ctx, "")
				return err
			},
			check: func(err error) bool {
				var er *github.ErrorResponse
				return errors.As(err, &er) && er.Response.StatusCode == 401 && er.Message == "Bad credentials"
			},
		},
		{
			name: "good token",
			opts: fakegithub.Options{Token: "right"},
			call: func(gh *github.Client) error {
				_, _, err := gh.WithAuthToken("right").Users.Get(ctx, "")
				return err
			},
			check: func(err error) bool { return err == nil },
		},
		{
			name: "primary rate limit exhausted",
			opts: fakegithub.Options{RateLimit: 2},
			call: func(gh *github.Client) error {
				for range 2 {
					if _, _, err := gh.Users.Get(ctx, ""); err != nil {
						return err
					}
				}
				_, _, err := gh.Users.Get(ctx, "")
				return err
			},
			check: func(err error) bool {
				var rl *github.RateLimitError
				return errors.As(err, &rl) && rl.Rate.Remaining == 0
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakegithub.New(t, tt.opts)
			if err := tt.call(client(t, fake, "")); !tt.check(err) {
				t.Errorf("err = %v (%T)", err, err)
			}
		})
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api-prefix"})
	gh := client(t, fake, "/api-prefix")
	o, r := fakegithub.Owner, fakegithub.Repo
	status := &github.RepoStatus{State: ptr("success")}

	fake.Fail("POST", "/repos/octo-org/hello-world/statuses/", http.StatusBadGateway, 2)
	fake.Fail("", "/user", http.StatusForbidden, 1)
	for i := range 2 {
		if _, _, err := gh.Repositories.CreateStatus(ctx, o, r, fakegithub.HeadSHA, status); !isStatus(err, 502) {
			t.Errorf("try %d: err = %v, want 502", i, err)
		}
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, o, r, fakegithub.HeadSHA, status); err != nil {
		t.Errorf("third try: %v", err)
	}
	_, _, err := gh.Users.Get(ctx, "")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || abuse.GetRetryAfter().Seconds() != 60 {
		t.Errorf("secondary limit: err = %v (%T)", err, err)
	}
	if got := len(fake.Statuses(o, r)); got != 1 {
		t.Errorf("%d statuses stored, want 1", got)
	}
	if got := len(fake.Requests()); got != 4 {
		t.Errorf("%d requests, want 4", got)
	}
}

func TestGraphQLAnswers(t *testing.T) {
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{})
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{name: "named", body: `{"query":"query A { viewer { login } }","operationName":"A"}`, status: 200, want: `"operationName":"A"`},
		{name: "anonymous", body: `{"query":"{ viewer { login } }"}`, status: 200, want: `"operationName":null`},
		{name: "no query", body: `{}`, status: 200, want: `"errors"`},
		{name: "not JSON", body: `{`, status: 400, want: `Problems parsing JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Post(fake.URL()+"graphql", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(buf.String(), tt.want) {
				t.Errorf("%d %s, want %d containing %s", resp.StatusCode, buf.String(), tt.status, tt.want)
			}
			if !json.Valid(buf.Bytes()) {
				t.Errorf("body is not JSON: %s", buf.String())
			}
		})
	}
}

func TestRequestsRecordBodiesAndHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "").WithAuthToken("secret")
	if _, _, err := gh.Issues.CreateComment(ctx, fakegithub.Owner, fakegithub.Repo, 1, &github.IssueComment{Body: ptr("hi")}); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if got := reqs[0]; got.Header.Get("Authorization") != "Bearer secret" || !strings.Contains(got.Body, `"body":"hi"`) {
		t.Errorf("request = %+v", got)
	}
	// Requests hands out copies.
	reqs[0].Header.Set("Authorization", "changed")
	if fake.Requests()[0].Header.Get("Authorization") != "Bearer secret" {
		t.Error("Requests shares header maps with the server")
	}
}

// TestGetCommit: a pull request's head is a known commit; another SHA is
// GitHub's 422.
func TestGetCommit(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{})
	head := strings.Repeat("a", 40)
	s.AddPullRequest("o", "r", fakegithub.PullRequest{Number: 1, HeadSHA: head, BaseSHA: strings.Repeat("b", 40)})
	for sha, want := range map[string]int{head: 200, strings.Repeat("c", 40): 422} {
		resp, err := http.Get(s.URL() + "/repos/o/r/commits/" + sha)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET commits/%.7s: %d, want %d", sha, resp.StatusCode, want)
		}
	}
}
