package main

// Tests of real clients meeting GitHub's own URL shapes through callbudget
// record and callbudget run (issue 13): Link headers that page in the
// /repositories/{id}/… form, a renamed repository's 301 to
// /repositories/{id}, and a branch name whose slash is sent as %2F. Each
// client is recorded against internal/fakegithub, which answers as GitHub
// does, then replayed from that cassette, and every call must be counted
// under the one documented operation it is.

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/callbudget/callbudget/routes"
)

const (
	// pagingPull is the pull request the clients page through: 250 files,
	// three pages at per_page=100 (what every client below asks for; gh
	// api --paginate asks for it by itself).
	pagingPull  = 7
	pagingFiles = 250
	pagingPages = 3
	// filesRoute and filesOp are what every page must be counted under.
	filesRoute = "/repos/{owner}/{repo}/pulls/{pull_number}/files"
	filesOp    = "pulls/list-files"
)

// pagingPy is PyGithub with the base URL callbudget gives it; with
// "renamed" it reads the repository by its old name instead.
const pagingPy = `import os, sys, github
g = github.Github(os.environ["GITHUB_TOKEN"], base_url=os.environ["GITHUB_API_URL"], per_page=100)
if sys.argv[1:] == ["renamed"]:
    print("pygithub: " + g.get_repo("old-org/old-name").full_name, file=sys.stderr)
    sys.exit(0)
repo = g.get_repo("octo-org/hello-world", lazy=True)
files = [f.filename for f in repo.get_pull(7).get_files()]
print("pygithub: %d files" % len(files), file=sys.stderr)
`

// pagingJS is octokit (@octokit/rest): paginate follows the Link header's
// next URL; request follows a 301 (fetch's redirect: "follow"); a {ref}
// is expanded with its slash escaped.
const pagingJS = `import { Octokit } from "@octokit/rest";
const octokit = new Octokit({ baseUrl: process.env.GITHUB_API_URL, auth: process.env.GITHUB_TOKEN });
const mode = process.argv[2];
if (mode === "renamed") {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner: "old-org", repo: "old-name" });
  console.error("octokit: " + data.full_name);
} else if (mode === "status") {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/status", { owner: "octo-org", repo: "hello-world", ref: "feature/x" });
  console.error("octokit: feature/x " + data.state);
} else {
  const files = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: "octo-org", repo: "hello-world", pull_number: 7, per_page: 100 });
  console.error("octokit: " + files.length + " files");
}
`

// pagingGh is gh on its default host, through callbudget's interception
// face: every request goes to https://api.github.com.
const pagingGh = `set -eu
n=$(gh api --paginate repos/octo-org/hello-world/pulls/7/files --jq '.[].filename' | wc -l)
echo "gh: $n files" >&2
`

// pagingClient is one client: how to run it, what it prints when done.
type pagingClient struct {
	name string
	argv []string
	env  []string // the whole environment, before GITHUB_TOKEN
	done string   // on stderr when the client has finished as it should
}

// pagingSetup is what the tests share: the clients' scripts in one
// folder. Each lookup skips the test (fails it under CI=true) when its
// client is missing.
type pagingSetup struct{ dir string }

func newPagingSetup(t *testing.T) pagingSetup {
	t.Helper()
	callbudgetBinary(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "paging.py"), pagingPy)
	writeFile(t, filepath.Join(dir, "paging.mjs"), pagingJS)
	writeFile(t, filepath.Join(dir, "paging_gh.sh"), pagingGh)
	return pagingSetup{dir: dir}
}

// pygithub runs paging.py with args; done is what it prints last.
func (p pagingSetup) pygithub(t *testing.T, done string, args ...string) pagingClient {
	t.Helper()
	py := testdeps.PythonModules(t, "github")
	return pagingClient{name: "pygithub", argv: append([]string{py, filepath.Join(p.dir, "paging.py")}, args...), env: pythonEnv(), done: "pygithub: " + done}
}

// octokit runs paging.mjs with args; done is what it prints last.
func (p pagingSetup) octokit(t *testing.T, done string, args ...string) pagingClient {
	t.Helper()
	node, modules := testdeps.Node(t, "@octokit/rest")
	// An ES module finds its packages in node_modules beside it.
	link := filepath.Join(p.dir, "node_modules")
	if _, err := os.Lstat(link); err != nil {
		if err := os.Symlink(modules, link); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return pagingClient{name: "octokit", argv: append([]string{node, filepath.Join(p.dir, "paging.mjs")}, args...), env: pythonEnv(), done: "octokit: " + done}
}

func (p pagingSetup) gh(t *testing.T) pagingClient {
	t.Helper()
	testdeps.Gh(t)
	env := irEnv("GH_CONFIG_DIR="+t.TempDir(), "GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "NO_COLOR=1", "GH_PAGER=cat")
	return pagingClient{name: "gh", argv: []string{"sh", filepath.Join(p.dir, "paging_gh.sh")}, env: env, done: fmt.Sprintf("gh: %d files", pagingFiles)}
}

var (
	goGithubOnce sync.Once
	goGithubBin  string
	goGithubErr  error
)

// goGithub runs testdata/paging/gogithub, built once per test binary,
// with args; done is what it prints last.
func goGithub(t *testing.T, done string, args ...string) pagingClient {
	t.Helper()
	goGithubOnce.Do(func() {
		bin := filepath.Join(binDir, "gogithub")
		if out, err := exec.Command("go", "build", "-o", bin, "./testdata/paging/gogithub").CombinedOutput(); err != nil {
			goGithubErr = fmt.Errorf("go build ./testdata/paging/gogithub: %v\n%s", err, out)
			return
		}
		goGithubBin = bin
	})
	if goGithubErr != nil {
		t.Fatal(goGithubErr)
	}
	return pagingClient{name: "go-github", argv: append([]string{goGithubBin}, args...), env: pythonEnv(), done: "gogithub: " + done}
}

// pagingFake is a fake GitHub that takes only recordToken, with the pull
// request the clients page through, a protected branch with a slash in
// its name (the head of another pull request) and the old name of a
// rename.
func pagingFake(t *testing.T) *fakegithub.Server {
	t.Helper()
	fake := fakegithub.New(t, fakegithub.Options{Token: recordToken})
	files := make([]string, pagingFiles)
	for i := range files {
		files[i] = fmt.Sprintf("pkg/file%03d.go", i+1)
	}
	const branchSHA = "2222222222222222222222222222222222222222"
	fake.AddPullRequest(fakegithub.Owner, fakegithub.Repo, fakegithub.PullRequest{Number: pagingPull, Title: "Many files", Files: files})
	fake.AddPullRequest(fakegithub.Owner, fakegithub.Repo, fakegithub.PullRequest{Number: pagingPull + 1, Title: "A branch with a slash", HeadRef: "feature/x", HeadSHA: branchSHA})
	fake.ProtectBranch(fakegithub.Owner, fakegithub.Repo, "feature/x", "ci/build")
	fake.AddOldName(fakegithub.Owner, fakegithub.Repo, "old-org", "old-name")
	return fake
}

// recordAndReplay records c against fake with callbudget record, then
// replays the cassette for it with callbudget run, and returns the
// cassette and the replay's report. Both must succeed, the client must
// finish both times, and every call must reach the fake with the real
// token.
func recordAndReplay(t *testing.T, fake *fakegithub.Server, c pagingClient) (*replay.Cassette, report.Scenario) {
	t.Helper()
	cassette := filepath.Join(t.TempDir(), c.name+".yaml")
	args := append([]string{"record", "--cassette", cassette, "--upstream", fake.URL(), "--timeout", "2m", "--"}, c.argv...)
	r := runBinary(t, append(slices.Clone(c.env), "GITHUB_TOKEN="+recordToken), args...)
	if r.code != exitOK || !strings.Contains(r.stderr, c.done) {
		t.Fatalf("callbudget record: exit %d\n%s", r.code, r)
	}
	for _, req := range fake.Requests() {
		if got := req.Header.Get("Authorization"); got != "Bearer "+recordToken {
			t.Errorf("%s %s reached the fake with Authorization %q, want the recording token", req.Method, req.Path, got)
		}
	}
	cas, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"run", "--cassette", cassette, "--format", "json", "--timeout", "2m", "--"}, c.argv...)
	r = runBinary(t, c.env, args...)
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil || len(rep.Scenarios) != 1 {
		t.Fatalf("callbudget run: exit %d, report: %v\n%s", r.code, err, r)
	}
	s := rep.Scenarios[0]
	if r.code != exitOK || !strings.Contains(r.stderr, c.done) {
		t.Errorf("callbudget run: exit %d, status %s (%s)\n%s", r.code, s.Status, s.Error, r.stderr)
	}
	if len(s.Unmatched) != 0 || s.Repeats != 0 || s.Total != len(fake.Requests()) {
		t.Errorf("replayed: total %d (the recorded run made %d), unmatched %v, repeats %d", s.Total, len(fake.Requests()), s.Unmatched, s.Repeats)
	}
	return cas, s
}

// endpointCounts is a report's counts, one "N METHOD ROUTE OPERATION" per
// endpoint, sorted.
func endpointCounts(s report.Scenario) []string {
	var lines []string
	for _, e := range s.Endpoints {
		lines = append(lines, fmt.Sprintf("%d %s %s %s", e.Count, e.Method, e.Route, e.Operation))
	}
	slices.Sort(lines)
	return lines
}

// madeByRoute is what reached the fake, named as callbudget names calls,
// in endpointCounts' form (without the operation).
func madeByRoute(fake *fakegithub.Server) []string {
	made := map[string]int{}
	for _, r := range fake.Requests() {
		made[r.Method+" "+routes.Lookup(r.Method, replay.NormalizePath(r.Path)).Template]++
	}
	var lines []string
	for k, n := range made {
		lines = append(lines, fmt.Sprintf("%d %s", n, k))
	}
	slices.Sort(lines)
	return lines
}

// withoutOperation drops the operation from endpointCounts' lines.
func withoutOperation(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		f := strings.Fields(l)
		out[i] = strings.Join(f[:3], " ")
	}
	return out
}

// TestPagingByIDLinks: PyGithub, octokit, gh and go-github each page
// through a pull request's 250 files, three pages, against a fake GitHub
// whose Link headers page in GitHub's /repositories/{id}/… form; recorded
// by callbudget record and replayed by callbudget run, every page is
// counted under the one endpoint GET /repos/{owner}/{repo}/pulls/{pull_number}/files
// (pulls/list-files), nothing unmatched.
func TestPagingByIDLinks(t *testing.T) {
	p := newPagingSetup(t)
	t.Parallel()
	files := fmt.Sprintf("%d files", pagingFiles)
	pages := fmt.Sprintf("%d files in %d pages", pagingFiles, pagingPages)
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) pagingClient
		// byLink: pages 2 and 3 are asked for at the Link header's
		// /repositories/{id} URLs; go-github's NextPage builds
		// /repos/{owner}/{repo} URLs of its own.
		byLink bool
	}{
		{"pygithub", func(t *testing.T) pagingClient { return p.pygithub(t, files) }, true},
		{"octokit", func(t *testing.T) pagingClient { return p.octokit(t, files) }, true},
		{"gh", p.gh, true},
		{"go-github NextPage", func(t *testing.T) pagingClient { return goGithub(t, pages, "nextpage", "octo-org", "hello-world", "7") }, false},
		{"go-github Link", func(t *testing.T) pagingClient { return goGithub(t, pages, "link", "octo-org", "hello-world", "7") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client(t)
			t.Parallel()
			fake := pagingFake(t)
			id := fake.RepoID(fakegithub.Owner, fakegithub.Repo)
			cas, s := recordAndReplay(t, fake, c)

			// The fake saw GitHub's by-ID form, and so does the cassette.
			byID := fmt.Sprintf("/repositories/%d/pulls/%d/files", id, pagingPull)
			var fakeByID, recordedByID, linksByID int
			for _, r := range fake.Requests() {
				if strings.HasPrefix(r.Path, byID) {
					fakeByID++
				}
			}
			for _, in := range cas.Interactions {
				if strings.HasPrefix(recordedPath(t, in.Request.URL), byID+"?") {
					recordedByID++
				}
				// Absolute URLs on the recorded host: the fake's origin
				// with a base URL, https://api.github.com intercepted.
				if strings.Contains(in.Response.Headers.Get("Link"), byID+"?") {
					linksByID++
				}
			}
			wantByID := 0
			if tc.byLink {
				wantByID = pagingPages - 1
			}
			if fakeByID != wantByID || recordedByID != wantByID || linksByID != pagingPages {
				t.Errorf("pages asked for at %s: %d reached the fake, %d recorded (want %d); %d recorded Link headers point there (want %d)",
					byID, fakeByID, recordedByID, wantByID, linksByID, pagingPages)
			}

			var files []report.Endpoint
			for _, e := range s.Endpoints {
				if strings.HasSuffix(e.Route, "/files") || strings.Contains(e.Route, "repositories") {
					files = append(files, e)
				}
			}
			if len(files) != 1 || files[0].Method != "GET" || files[0].Route != filesRoute || files[0].Operation != filesOp || files[0].Count != pagingPages {
				t.Errorf("the files pages were counted as\n%s\nwant one endpoint: %d GET %s %s", strings.Join(endpointCounts(s), "\n"), pagingPages, filesRoute, filesOp)
			}
			if got, want := withoutOperation(endpointCounts(s)), madeByRoute(fake); !slices.Equal(got, want) {
				t.Errorf("callbudget run counted\n%s\nthe recorded run made\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			t.Logf("%s, replayed: %s", c.name, strings.Join(endpointCounts(s), "; "))
		})
	}
}

// TestPagingRenamedRepository: a repository read by its old name answers
// GitHub's 301 to /repositories/{id}; octokit (fetch) and PyGithub follow
// it, both calls are recorded and replayed, and both are counted as
// repos/get, the second by its by-ID URL.
func TestPagingRenamedRepository(t *testing.T) {
	p := newPagingSetup(t)
	t.Parallel()
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) pagingClient
	}{
		{"octokit", func(t *testing.T) pagingClient { return p.octokit(t, "octo-org/hello-world", "renamed") }},
		{"pygithub", func(t *testing.T) pagingClient { return p.pygithub(t, "octo-org/hello-world", "renamed") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client(t)
			t.Parallel()
			fake := pagingFake(t)
			cas, s := recordAndReplay(t, fake, c)
			byID := fmt.Sprintf("/repositories/%d", fake.RepoID(fakegithub.Owner, fakegithub.Repo))

			var recorded []string
			for _, in := range cas.Interactions {
				line := fmt.Sprintf("%s %s %d", in.Request.Method, recordedPath(t, in.Request.URL), in.Response.Code)
				if loc := in.Response.Headers.Get("Location"); loc != "" {
					line += " Location " + recordedPath(t, loc)
				}
				recorded = append(recorded, line)
			}
			want := []string{
				"GET /repos/old-org/old-name 301 Location " + byID,
				"GET " + byID + " 200",
			}
			if !slices.Equal(recorded, want) {
				t.Errorf("recorded\n%s\nwant\n%s", strings.Join(recorded, "\n"), strings.Join(want, "\n"))
			}
			if got, want := endpointCounts(s), []string{"2 GET /repos/{owner}/{repo} repos/get"}; !slices.Equal(got, want) {
				t.Errorf("replayed and counted\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestPagingEscapedSlash: a branch whose name holds a slash, sent with it
// escaped (go-github's GetBranchProtection escapes a branch, octokit any
// {ref}), is recorded and replayed as sent and named as the documented
// operation.
func TestPagingEscapedSlash(t *testing.T) {
	p := newPagingSetup(t)
	t.Parallel()
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) pagingClient
		path   string // as the client sends it
		want   string // as callbudget must count it
	}{
		{"go-github branch protection", func(t *testing.T) pagingClient {
			return goGithub(t, "feature/x protected, strict true", "protection", "octo-org", "hello-world", "feature/x")
		}, "/repos/octo-org/hello-world/branches/feature%2Fx/protection",
			"1 GET /repos/{owner}/{repo}/branches/{branch}/protection repos/get-branch-protection"},
		{"octokit combined status", func(t *testing.T) pagingClient { return p.octokit(t, "feature/x pending", "status") },
			"/repos/octo-org/hello-world/commits/feature%2Fx/status",
			"1 GET /repos/{owner}/{repo}/commits/{ref}/status repos/get-combined-status-for-ref"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client(t)
			t.Parallel()
			fake := pagingFake(t)
			cas, s := recordAndReplay(t, fake, c)
			if reqs := fake.Requests(); len(reqs) != 1 || reqs[0].Path != tc.path {
				t.Fatalf("the fake saw %v, want the one call to %s", requestPaths(fake), tc.path)
			}
			if len(cas.Interactions) != 1 || recordedPath(t, cas.Interactions[0].Request.URL) != tc.path {
				t.Errorf("recorded %d interactions, the first for %s; want the one for %s", len(cas.Interactions), cas.Interactions[0].Request.URL, tc.path)
			}
			if got := endpointCounts(s); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("replayed and counted\n%s\nwant\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}

// recordedPath is a recorded URL's path, still escaped, and query: what
// the client asked the recorded host for.
func recordedPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("recorded URL %q: %v", raw, err)
	}
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}

func requestPaths(fake *fakegithub.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
