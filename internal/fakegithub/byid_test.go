package fakegithub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

var nextLink = regexp.MustCompile(`<([^>]*)>; rel="next"`)

// get fetches url with the fake's client, not following redirects, and
// returns the answer with its body read.
func get(t *testing.T, fake *fakegithub.Server, method, url string) (*http.Response, string) {
	t.Helper()
	c := *fake.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// follow GETs url and each next URL of the Link headers after it, as
// PyGithub and octokit page, and returns the URLs asked for and the
// "name" or "filename" of every item listed.
func follow(t *testing.T, fake *fakegithub.Server, url string) (urls, names []string) {
	t.Helper()
	for url != "" {
		urls = append(urls, url)
		resp, body := get(t, fake, "GET", url)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", url, resp.Status, body)
		}
		var items []struct{ Name, Filename string }
		if err := json.Unmarshal([]byte(body), &items); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		for _, it := range items {
			names = append(names, it.Name+it.Filename)
		}
		url = ""
		if m := nextLink.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			url = m[1]
		}
	}
	return urls, names
}

// TestLinksByID: every list pages in GitHub's by-ID form whichever form
// was asked for (/repositories/{id}/… for a repository's lists,
// /user/{id}/… and /organizations/{id}/… for an account's), with the query
// as sent and page appended or replaced, and those URLs answer the same
// items as the by-name form.
func TestLinksByID(t *testing.T) {
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", PerPage: 2, Files: 5})
	o, r := fakegithub.Owner, fakegithub.Repo
	for i := range 3 {
		fake.AddComment(o, r, 1, "someone", fmt.Sprintf("comment %d", i))
	}
	for _, name := range []string{"c-repo", "a-repo", "b-repo"} {
		fake.AddRepo(o, name)
	}
	fake.AddRepo(fakegithub.Login, "dotfiles")
	id := fake.RepoID(o, r)
	if id != 1001 {
		t.Fatalf("RepoID = %d, want 1001 (the default repository is created first)", id)
	}
	api := fake.URL()
	tests := []struct {
		name      string
		first     string // by name, as a client builds it
		wantURLs  []string
		wantNames []string
	}{
		{
			name:  "pull request files",
			first: api + "repos/octo-org/hello-world/pulls/1/files",
			wantURLs: []string{
				api + "repos/octo-org/hello-world/pulls/1/files",
				api + "repositories/1001/pulls/1/files?page=2",
				api + "repositories/1001/pulls/1/files?page=3",
			},
			wantNames: []string{"src/file001.go", "src/file002.go", "src/file003.go", "src/file004.go", "src/file005.go"},
		},
		{
			name:  "pull request files, per_page sent",
			first: api + "repos/octo-org/hello-world/pulls/1/files?per_page=3",
			wantURLs: []string{
				api + "repos/octo-org/hello-world/pulls/1/files?per_page=3",
				api + "repositories/1001/pulls/1/files?per_page=3&page=2",
			},
			wantNames: []string{"src/file001.go", "src/file002.go", "src/file003.go", "src/file004.go", "src/file005.go"},
		},
		{
			name:  "issue comments, page first",
			first: api + "repos/octo-org/hello-world/issues/1/comments?page=1&per_page=2",
			wantURLs: []string{
				api + "repos/octo-org/hello-world/issues/1/comments?page=1&per_page=2",
				api + "repositories/1001/issues/1/comments?page=2&per_page=2",
			},
		},
		{
			name:  "organization repositories",
			first: api + "orgs/octo-org/repos",
			wantURLs: []string{
				api + "orgs/octo-org/repos",
				api + "organizations/8111/repos?page=2",
			},
			wantNames: []string{"a-repo", "b-repo", "c-repo", "hello-world"},
		},
		{
			name:  "user repositories",
			first: api + "users/octo-org/repos?per_page=3",
			wantURLs: []string{
				api + "users/octo-org/repos?per_page=3",
				api + "user/8111/repos?per_page=3&page=2",
			},
			wantNames: []string{"a-repo", "b-repo", "c-repo", "hello-world"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			urls, names := follow(t, fake, tt.first)
			if !slices.Equal(urls, tt.wantURLs) {
				t.Errorf("asked for\n%s\nwant\n%s", strings.Join(urls, "\n"), strings.Join(tt.wantURLs, "\n"))
			}
			if tt.wantNames != nil && !slices.Equal(names, tt.wantNames) {
				t.Errorf("listed %v, want %v", names, tt.wantNames)
			}
			// A by-ID page is the by-name page, byte for byte.
			byName := strings.Replace(tt.wantURLs[len(tt.wantURLs)-1], "repositories/1001", "repos/octo-org/hello-world", 1)
			byName = strings.Replace(byName, "organizations/8111", "orgs/octo-org", 1)
			byName = strings.Replace(byName, "user/8111", "users/octo-org", 1)
			_, a := get(t, fake, "GET", byName)
			_, b := get(t, fake, "GET", tt.wantURLs[len(tt.wantURLs)-1])
			if a != b {
				t.Errorf("by name %s\n%s\nby id\n%s", byName, a, b)
			}
		})
	}

	// The last page's Link: prev and first, by ID, the query as sent.
	resp, _ := get(t, fake, "GET", api+"repos/octo-org/hello-world/pulls/1/files?per_page=2&page=3")
	files := api + "repositories/1001/pulls/1/files"
	if got, want := resp.Header.Get("Link"), `<`+files+`?per_page=2&page=2>; rel="prev", <`+files+`?per_page=2&page=1>; rel="first"`; got != want {
		t.Errorf("last page's Link\n%s\nwant\n%s", got, want)
	}
	// The authenticated user's repositories page under /user/1.
	resp, _ = get(t, fake, "GET", api+"users/octocat/repos?per_page=1")
	if resp.Header.Get("Link") != "" {
		t.Errorf("one repository, one page: Link %q", resp.Header.Get("Link"))
	}
	if resp, body := get(t, fake, "GET", api+"users/nobody/repos"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown account's repositories: %s %s", resp.Status, body)
	}
}

// TestByIDAnswers: the /repositories/{id} form answers every repository
// endpoint as the by-name form does, writes included; an unknown id is
// GitHub's 404.
func TestByIDAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "")
	id := fake.RepoID(fakegithub.Owner, fakegithub.Repo)
	byID := fmt.Sprintf("%srepositories/%d", fake.URL(), id)

	_, byName := get(t, fake, "GET", fake.URL()+"repos/octo-org/hello-world")
	resp, body := get(t, fake, "GET", byID)
	if resp.StatusCode != http.StatusOK || body != byName {
		t.Errorf("GET /repositories/%d: %s\n%s\nwant\n%s", id, resp.Status, body, byName)
	}
	var repo github.Repository
	req, err := gh.NewRequest("GET", fmt.Sprintf("repositories/%d", id), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Do(ctx, req, &repo); err != nil || repo.GetFullName() != "octo-org/hello-world" || repo.GetID() != id {
		t.Errorf("GET /repositories/%d = %s %d, %v", id, repo.GetFullName(), repo.GetID(), err)
	}
	req, err = gh.NewRequest("POST", fmt.Sprintf("repositories/%d/issues/1/comments", id), map[string]string{"body": "by id"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Do(ctx, req, nil); err != nil {
		t.Errorf("POST /repositories/%d/issues/1/comments: %v", id, err)
	}
	if c := fake.Comments(fakegithub.Owner, fakegithub.Repo, 1); len(c) != 1 || c[0].Body != "by id" {
		t.Errorf("comments %+v", c)
	}
	for _, path := range []string{"repositories/99999", "repositories/99999/pulls/1/files", "repositories/not-a-number"} {
		if resp, body := get(t, fake, "GET", fake.URL()+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /%s: %s %s, want 404", path, resp.Status, body)
		}
	}
}

// TestOldName: a renamed repository's old name answers GitHub's 301 (307
// for a write) to the /repositories/{id} form of the same path, which
// go-github's http.Client follows; its current name is not redirected.
func TestOldName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
	fake.AddOldName(fakegithub.Owner, fakegithub.Repo, "old-org", "old-name")
	gh := client(t, fake, "/api/v3")

	repo, _, err := gh.Repositories.Get(ctx, "old-org", "old-name")
	if err != nil || repo.GetFullName() != "octo-org/hello-world" {
		t.Fatalf("Get old-org/old-name = %s, %v", repo.GetFullName(), err)
	}
	if got, want := requestLines(fake), []string{"GET /repos/old-org/old-name", "GET /repositories/1001"}; !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}

	loc := fake.URL() + "repositories/1001"
	resp, body := get(t, fake, "GET", fake.URL()+"repos/old-org/old-name")
	wantBody := `{"documentation_url":"https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects","message":"Moved Permanently","url":"` + loc + `"}`
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != loc || body != wantBody {
		t.Errorf("GET old name: %s, Location %q, body %s", resp.Status, resp.Header.Get("Location"), body)
	}
	for _, tc := range []struct{ method, path, status, location string }{
		{"GET", "repos/old-org/old-name/pulls/1/files?per_page=5", "301 Moved Permanently", loc + "/pulls/1/files?per_page=5"},
		{"GET", "repos/old-org/old-name/not-served", "301 Moved Permanently", loc + "/not-served"},
		{"POST", "repos/old-org/old-name/issues/1/comments", "307 Temporary Redirect", loc + "/issues/1/comments"},
		{"GET", "repos/octo-org/hello-world", "200 OK", ""},
		{"GET", "repos/old-org/other", "404 Not Found", ""},
	} {
		resp, body := get(t, fake, tc.method, fake.URL()+tc.path)
		if resp.Status != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s /%s: %s, Location %q, want %s, %q\n%s", tc.method, tc.path, resp.Status, resp.Header.Get("Location"), tc.status, tc.location, body)
		}
	}
}

// TestRefWithSlash: a branch with a slash in its name, sent escaped
// (go-github escapes a branch's slash, octokit any ref's) or not, names it
// in the branch, branch protection, commit and combined status endpoints;
// Requests keeps the path as sent.
func TestRefWithSlash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	o, r := fakegithub.Owner, fakegithub.Repo
	const sha = "1111111111111111111111111111111111111111"
	fake.AddPullRequest(o, r, fakegithub.PullRequest{Number: 2, HeadRef: "feature/x", HeadSHA: sha})
	fake.ProtectBranch(o, r, "feature/x", "ci/build", "ci/test")
	gh := client(t, fake, "")

	prot, _, err := gh.Repositories.GetBranchProtection(ctx, o, r, "feature/x")
	if err != nil || prot.GetRequiredStatusChecks().Contexts == nil || !slices.Equal(*prot.GetRequiredStatusChecks().Contexts, []string{"ci/build", "ci/test"}) {
		t.Fatalf("GetBranchProtection = %+v, %v", prot, err)
	}
	branch, _, err := gh.Repositories.GetBranch(ctx, o, r, "feature/x", 0)
	if err != nil || branch.GetCommit().GetSHA() != sha || !branch.GetProtected() {
		t.Fatalf("GetBranch = %+v, %v", branch, err)
	}
	// go-github knows GitHub's 404 message for it.
	if _, _, err := gh.Repositories.GetBranchProtection(ctx, o, r, fakegithub.BaseRef); !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("an unprotected branch's protection: err = %v, want go-github's ErrBranchNotProtected", err)
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, o, r, sha, &github.RepoStatus{State: ptr("pending"), Context: ptr("ci/build")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, o, r, sha, &github.RepoStatus{State: ptr("success"), Context: ptr("ci/build")}); err != nil {
		t.Fatal(err)
	}
	combined, _, err := gh.Repositories.GetCombinedStatus(ctx, o, r, "feature/x", nil)
	if err != nil || combined.GetState() != "success" || combined.GetSHA() != sha || combined.GetTotalCount() != 1 {
		t.Fatalf("GetCombinedStatus = %+v, %v", combined, err)
	}
	_, plain := get(t, fake, "GET", fake.URL()+"repos/octo-org/hello-world/commits/feature/x/status")
	resp, escaped := get(t, fake, "GET", fake.URL()+"repos/octo-org/hello-world/commits/feature%2Fx/status")
	if resp.StatusCode != http.StatusOK || escaped != plain {
		t.Errorf("combined status, escaped: %s\n%s\nunescaped:\n%s", resp.Status, escaped, plain)
	}
	resp, body := get(t, fake, "GET", fake.URL()+"repos/octo-org/hello-world/commits/feature%2Fx")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"sha":"`+sha+`"`) {
		t.Errorf("commit by branch: %s %s", resp.Status, body)
	}
	if resp, _ := get(t, fake, "GET", fake.URL()+"repos/octo-org/hello-world/commits/nope/status"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown ref's status: %s, want 422", resp.Status)
	}

	want := []string{
		"GET /repos/octo-org/hello-world/branches/feature%2Fx/protection",
		"GET /repos/octo-org/hello-world/branches/feature%2Fx",
		"GET /repos/octo-org/hello-world/branches/main/protection",
		"POST /repos/octo-org/hello-world/statuses/" + sha,
		"POST /repos/octo-org/hello-world/statuses/" + sha,
		"GET /repos/octo-org/hello-world/commits/feature/x/status",
	}
	if got := requestLines(fake)[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
