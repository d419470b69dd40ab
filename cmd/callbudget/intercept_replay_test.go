package main

// Tests of the replay's interception face (issue 12): real clients that
// always call https://api.github.com (PyGithub with no base URL, urllib,
// requests and curl with the URL written in, a Go program, gh on its
// default host) replayed by callbudget run through HTTPS_PROXY, counted
// exactly; their base-URL runs behind a dead outside proxy (NO_PROXY);
// CONNECTs to other hosts refused and reported; a client that refuses the
// run's CA told what to set.

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/report"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

const (
	irAPI = "https://api.github.com"
	irSHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	// irFiles is where GitHub's Link header sends the second page of a
	// pull request's files: by repository id, not by name.
	irFiles = irAPI + "/repositories/1296269/pulls/42/files"
	// irQuery is the GraphQL query the clients send.
	irQuery = "query ViewerLogin { viewer { login } }"
)

// irCassette writes, with go-vcr's own writer, what api.github.com
// answers the clients below: every URL in the bodies and Link headers is
// an https://api.github.com one, as recorded.
func irCassette(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "api-github-com")
	c := cassette.New(name)
	add := func(method, url, reqBody string, code int, link, body string) {
		h := http.Header{
			"Content-Type":          {"application/json; charset=utf-8"},
			"X-Ratelimit-Limit":     {"5000"},
			"X-Ratelimit-Remaining": {"4990"},
			"X-Ratelimit-Resource":  {"core"},
		}
		if strings.HasSuffix(url, "/graphql") {
			h.Set("X-Ratelimit-Resource", "graphql")
		}
		if link != "" {
			h.Set("Link", link)
		}
		c.AddInteraction(&cassette.Interaction{
			Request: cassette.Request{Method: method, URL: url, Body: reqBody, Host: "api.github.com"},
			Response: cassette.Response{Code: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
				Headers: h, Body: body, ContentLength: int64(len(body))},
		})
	}
	owner := `{"login":"o","id":1,"type":"Organization","url":"` + irAPI + `/users/o"}`
	add("GET", irAPI+"/repos/o/r", "", 200, "",
		`{"id":1296269,"name":"r","full_name":"o/r","owner":`+owner+`,"private":false,"default_branch":"main","url":"`+irAPI+`/repos/o/r"}`)
	pr := `{"id":4242,"number":42,"state":"open","title":"Update","url":"` + irAPI + `/repos/o/r/pulls/42",` +
		`"issue_url":"` + irAPI + `/repos/o/r/issues/42","statuses_url":"` + irAPI + `/repos/o/r/statuses/` + irSHA + `",` +
		`"head":{"ref":"feature","sha":"` + irSHA + `"},"base":{"ref":"main","sha":"0000000000000000000000000000000000000000"},"user":` + owner + `}`
	add("GET", irAPI+"/repos/o/r/pulls/42", "", 200, "", pr)
	// PyGithub, urllib, requests, curl and Go: the default page size.
	add("GET", irAPI+"/repos/o/r/pulls/42/files", "", 200,
		`<`+irFiles+`?page=2>; rel="next", <`+irFiles+`?page=2>; rel="last"`,
		`[{"sha":"1","filename":"a.go","status":"modified","additions":1,"deletions":0,"changes":1}]`)
	add("GET", irFiles+"?page=2", "", 200,
		`<`+irFiles+`?page=1>; rel="prev", <`+irFiles+`?page=1>; rel="first"`,
		`[{"sha":"2","filename":"b.go","status":"added","additions":3,"deletions":0,"changes":3}]`)
	// gh api --paginate asks for 100 a page.
	add("GET", irAPI+"/repos/o/r/pulls/42/files?per_page=100", "", 200,
		`<`+irFiles+`?per_page=100&page=2>; rel="next", <`+irFiles+`?per_page=100&page=2>; rel="last"`,
		`[{"sha":"1","filename":"a.go","status":"modified","additions":1,"deletions":0,"changes":1}]`)
	add("GET", irFiles+"?per_page=100&page=2", "", 200,
		`<`+irFiles+`?per_page=100&page=1>; rel="prev", <`+irFiles+`?per_page=100&page=1>; rel="first"`,
		`[{"sha":"2","filename":"b.go","status":"added","additions":3,"deletions":0,"changes":3}]`)
	// PyGithub reads the commit before it sets a status on it, and sets
	// it at the commit's own url (from the body).
	add("GET", irAPI+"/repos/o/r/commits/"+irSHA, "", 200, "",
		`{"sha":"`+irSHA+`","url":"`+irAPI+`/repos/o/r/commits/`+irSHA+`","commit":{"message":"Update"}}`)
	add("POST", irAPI+"/repos/o/r/statuses/"+irSHA, `{"state":"success","context":"ci"}`, 201, "",
		`{"id":1,"state":"success","context":"ci","url":"`+irAPI+`/repos/o/r/statuses/`+irSHA+`"}`)
	add("POST", irAPI+"/graphql", `{"query":"`+irQuery+`"}`, 200, "", `{"data":{"viewer":{"login":"octocat"}}}`)
	// gh pr view 42 -R o/r.
	add("POST", irAPI+"/graphql", `{"query":"query PullRequestByNumber($owner: String!, $repo: String!, $pr_number: Int!) { repository(owner: $owner, name: $repo) { pullRequest(number: $pr_number) { number } } }"}`, 200, "",
		`{"data":{"repository":{"pullRequest":{"id":"PR_1","url":"https://github.com/o/r/pull/42","number":42,"title":"Update","state":"OPEN","body":"A change.",`+
			`"author":{"login":"octocat"},"isDraft":false,"additions":4,"deletions":0,"commits":{"totalCount":1},"baseRefName":"main","headRefName":"feature",`+
			`"reviewRequests":{"nodes":[]},"reviews":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":""},"totalCount":0},`+
			`"assignees":{"nodes":[],"totalCount":0},"labels":{"nodes":[],"totalCount":0},"projectCards":{"nodes":[],"totalCount":0},`+
			`"milestone":null,"comments":{"nodes":[],"totalCount":0},"reactionGroups":[]}}}}`)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	return name + ".yaml"
}

// irPython is one script for urllib and requests: with --base-url it
// calls GITHUB_API_URL, else https://api.github.com, written in. It checks
// that the URLs it is given back are on the host it called (so nothing is
// rewritten on the interception face), follows the Link header, and makes
// one more call when EXTRA_CALL is set.
const irPython = `import json, os, sys
lib = sys.argv[1]
base = os.environ["GITHUB_API_URL"] if "--base-url" in sys.argv else "https://api.github.com"
auth = {"Authorization": "token " + os.environ["GITHUB_TOKEN"], "Accept": "application/vnd.github+json"}

if lib == "requests":
    import requests
    session = requests.Session()
    def call(method, url, body=None):
        r = session.request(method, url, json=body, headers=auth, timeout=30)
        r.raise_for_status()
        return r.links.get("next", {}).get("url"), r.json()
else:
    import re, urllib.request
    def call(method, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=dict(auth, **{"Content-Type": "application/json"}))
        with urllib.request.urlopen(req, timeout=30) as r:
            m = re.search(r'<([^>]*)>; rel="next"', r.headers.get("Link", ""))
            return (m.group(1) if m else None), json.loads(r.read())

_, repo = call("GET", base + "/repos/o/r")
assert repo["full_name"] == "o/r", repo
_, pr = call("GET", base + "/repos/o/r/pulls/42")
assert pr["url"] == base + "/repos/o/r/pulls/42", (pr["url"], base)
files, url = [], pr["url"] + "/files"
while url:
    assert url.startswith(base + "/"), (url, base)
    url, page = call("GET", url)
    files += [f["filename"] for f in page]
assert files == ["a.go", "b.go"], files
call("POST", base + "/repos/o/r/statuses/" + pr["head"]["sha"], {"state": "success", "context": "ci"})
_, gql = call("POST", base + "/graphql", {"query": "` + irQuery + `"})
assert gql["data"]["viewer"]["login"] == "octocat", gql
if os.environ.get("EXTRA_CALL"):
    call("GET", base + "/repos/o/r/pulls/42")
print(lib + ": ok, " + base)
`

// irPyGithub is PyGithub as ogr builds it: github.Github(token), no base
// URL (or GITHUB_API_URL with --base-url).
const irPyGithub = `import os, sys, github
if "--base-url" in sys.argv:
    g = github.Github("x", base_url=os.environ["GITHUB_API_URL"])
else:
    g = github.Github("x")
repo = g.get_repo("o/r")
pr = repo.get_pull(42)
files = [f.filename for f in pr.get_files()]
assert files == ["a.go", "b.go"], files
repo.get_commit(pr.head.sha).create_status("success", context="ci")
if os.environ.get("EXTRA_CALL"):
    repo.get_pull(42)
print("pygithub: ok")
`

// irCurl is curl with the URL written in (BASE=$GITHUB_API_URL for the
// base-URL run), following the Link header by hand.
const irCurl = `set -eu
B=${BASE:-https://api.github.com}
c() { curl -sSf --max-time 30 -H "Authorization: token $GITHUB_TOKEN" "$@"; }
c "$B/repos/o/r" >/dev/null
c "$B/repos/o/r/pulls/42" | grep -q "\"url\":\"$B/repos/o/r/pulls/42\""
h=$(mktemp)
trap 'rm -f "$h"' EXIT
c -D "$h" "$B/repos/o/r/pulls/42/files" >/dev/null
next=$(tr -d '\r' <"$h" | sed -n 's/^[Ll]ink: <\([^>]*\)>; rel="next".*/\1/p')
case "$next" in "$B"/*) ;; *) echo "next page $next is not on $B" >&2; exit 1;; esac
c "$next" >/dev/null
c -X POST -d '{"state":"success","context":"ci"}' "$B/repos/o/r/statuses/` + irSHA + `" >/dev/null
c -X POST -d '{"query":"` + irQuery + `"}' "$B/graphql" | grep -q octocat
echo "curl: ok, $B"
`

// irGo is a Go program with https://api.github.com written in: net/http
// honours HTTPS_PROXY and SSL_CERT_FILE.
const irGo = `package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
)

var base = "https://api.github.com"

var nextRE = regexp.MustCompile("<([^>]*)>; rel=\"next\"")

func call(method, url, body string) (string, []byte) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "token "+os.Getenv("GITHUB_TOKEN"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		fmt.Fprintln(os.Stderr, "goclient:", method, url, resp.Status)
		os.Exit(1)
	}
	next := ""
	if m := nextRE.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		next = m[1]
	}
	return next, b
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--base-url" {
		base = os.Getenv("GITHUB_API_URL")
	}
	call("GET", base+"/repos/o/r", "")
	_, b := call("GET", base+"/repos/o/r/pulls/42", "")
	var pr struct{ URL string }
	json.Unmarshal(b, &pr)
	if pr.URL != base+"/repos/o/r/pulls/42" {
		fmt.Fprintln(os.Stderr, "goclient: pull request url", pr.URL)
		os.Exit(1)
	}
	for url := pr.URL + "/files"; url != ""; {
		if !strings.HasPrefix(url, base+"/") {
			fmt.Fprintln(os.Stderr, "goclient: next page off", base, url)
			os.Exit(1)
		}
		url, _ = call("GET", url, "")
	}
	call("POST", base+"/repos/o/r/statuses/` + irSHA + `", "{\"state\":\"success\",\"context\":\"ci\"}")
	if _, b := call("POST", base+"/graphql", "{\"query\":\"` + irQuery + `\"}"); !bytes.Contains(b, []byte("octocat")) {
		os.Exit(1)
	}
	fmt.Println("goclient: ok,", base)
}
`

// irGh is gh on its default host, github.com: every request goes to
// https://api.github.com.
const irGh = `set -eu
gh api repos/o/r >/dev/null
test "$(gh api --paginate repos/o/r/pulls/42/files --jq '.[].filename' | tr '\n' ' ')" = "a.go b.go "
test "$(gh api graphql -f query='` + irQuery + `' --jq .data.viewer.login)" = octocat
gh pr view 42 -R o/r | grep -q Update
echo "gh: ok"
`

// Counts every REST client above makes, by endpoint.
var irRESTCalls = []string{
	"1 POST /graphql graphql/ViewerLogin",
	"1 GET /repos/{owner}/{repo} repos/get",
	"1 GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get",
	"2 GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files", // page 2 by GitHub's /repositories/{id} Link
	"1 POST /repos/{owner}/{repo}/statuses/{sha} repos/create-commit-status",
}

var irPyGithubCalls = []string{
	"1 GET /repos/{owner}/{repo} repos/get",
	"1 GET /repos/{owner}/{repo}/commits/{ref} repos/get-commit",
	"1 GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get",
	"2 GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files", // page 2 by GitHub's /repositories/{id} Link
	"1 POST /repos/{owner}/{repo}/statuses/{sha} repos/create-commit-status",
}

var irGhCalls = []string{
	"1 POST /graphql graphql/PullRequestByNumber",
	"1 POST /graphql graphql/ViewerLogin",
	"1 GET /repos/{owner}/{repo} repos/get",
	"2 GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files", // page 2 by GitHub's /repositories/{id} Link
}

// irClient is one client, run by callbudget run.
type irClient struct {
	name  string
	argv  func(dir string, baseURL bool) []string
	env   []string // on top of the test's environment
	calls []string
}

// irClients finds the clients (skipping the test, or failing it in CI,
// for one that is missing) and writes their scripts to dir.
func irClients(t *testing.T, dir string) []irClient {
	t.Helper()
	py := testdeps.PythonModules(t, "github", "requests")
	testdeps.Gh(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	writeFile(t, filepath.Join(dir, "client.py"), irPython)
	writeFile(t, filepath.Join(dir, "pygithub_client.py"), irPyGithub)
	writeFile(t, filepath.Join(dir, "curl_client.sh"), irCurl)
	writeFile(t, filepath.Join(dir, "gh_client.sh"), irGh)
	goBin := irBuildGo(t, dir)
	withBase := func(base bool, argv ...string) []string {
		if base {
			argv = append(argv, "--base-url")
		}
		return argv
	}
	return []irClient{
		{name: "pygithub", calls: irPyGithubCalls, argv: func(d string, b bool) []string {
			return withBase(b, py, filepath.Join(d, "pygithub_client.py"))
		}},
		{name: "urllib", calls: irRESTCalls, argv: func(d string, b bool) []string {
			return withBase(b, py, filepath.Join(d, "client.py"), "urllib")
		}},
		{name: "requests", calls: irRESTCalls, argv: func(d string, b bool) []string {
			return withBase(b, py, filepath.Join(d, "client.py"), "requests")
		}},
		{name: "curl", calls: irRESTCalls, argv: func(d string, b bool) []string {
			if b {
				return []string{"sh", "-c", `BASE="$GITHUB_API_URL" exec sh "$0"`, filepath.Join(d, "curl_client.sh")}
			}
			return []string{"sh", filepath.Join(d, "curl_client.sh")}
		}},
		{name: "go", calls: irRESTCalls, argv: func(_ string, b bool) []string { return withBase(b, goBin) }},
		{name: "gh", calls: irGhCalls, env: []string{"GH_CONFIG_DIR=" + t.TempDir(), "GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "NO_COLOR=1", "GH_PAGER=cat"},
			argv: func(d string, _ bool) []string { return []string{"sh", filepath.Join(d, "gh_client.sh")} }},
	}
}

// irBuildGo builds the Go client, a program of its own outside any module.
func irBuildGo(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "goclient", "main.go")
	writeFile(t, src, irGo)
	bin := filepath.Join(dir, "goclient", "goclient")
	cmd := exec.Command("go", "build", "-o", bin, "main.go")
	cmd.Dir = filepath.Dir(src)
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the Go client: %v\n%s", err, out)
	}
	return bin
}

// irEnv is the test's environment for the clients: no proxy, CA bundle,
// GitHub or callbudget settings of the caller's, plus extra.
func irEnv(extra ...string) []string {
	var env []string
	for _, kv := range pythonEnv() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(runner.CABundleEnv, k) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// irRun replays cassette for argv with callbudget run and returns its
// exit code and JSON report.
func irRun(t *testing.T, env []string, cassette string, flags []string, argv ...string) (result, report.Scenario) {
	t.Helper()
	args := append([]string{"run", "--cassette", cassette, "--format", "json", "--timeout", "2m"}, flags...)
	r := runCLI(t, env, append(append(args, "--"), argv...)...)
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil {
		t.Fatalf("callbudget run: exit %d, report: %v\n%s", r.code, err, r)
	}
	if len(rep.Scenarios) != 1 {
		t.Fatalf("%d scenarios in the report, want 1", len(rep.Scenarios))
	}
	return r, rep.Scenarios[0]
}

// irCounts is a scenario's counts, one "N METHOD ROUTE OPERATION" per
// endpoint, in the report's order.
func irCounts(s report.Scenario) []string {
	var lines []string
	for _, e := range s.Endpoints {
		lines = append(lines, strings.TrimSpace(fmt.Sprintf("%d %s %s %s", e.Count, e.Method, e.Route, e.Operation)))
	}
	return lines
}

func irCheckExact(t *testing.T, what string, r result, s report.Scenario, want []string) {
	t.Helper()
	if r.code != exitOK || s.Status != report.StatusOK {
		t.Errorf("%s: exit %d, status %s (%s)\n%s", what, r.code, s.Status, s.Error, r.stderr)
	}
	got := irCounts(s)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: counted\n%s\nwant\n%s\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"), r.stderr)
	}
	total := 0
	for _, w := range want {
		n, _ := strconv.Atoi(strings.Fields(w)[0])
		total += n
	}
	if s.Total != total || len(s.Unmatched) != 0 || len(s.Refused) != 0 || s.Repeats != 0 {
		t.Errorf("%s: total %d (want %d), unmatched %v, refused %v, repeats %d", what, s.Total, total, s.Unmatched, s.Refused, s.Repeats)
	}
}

// TestInterceptReplayDefaultHost: each client, with no base URL (the
// URL https://api.github.com written in), replayed by callbudget run,
// counted exactly, nothing unmatched or refused; each client checks that
// what it got back points at https://api.github.com, as recorded.
func TestInterceptReplayDefaultHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cassetteFile := irCassette(t)
	for _, c := range irClients(t, dir) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, s := irRun(t, irEnv(c.env...), cassetteFile, nil, c.argv(dir, false)...)
			irCheckExact(t, c.name+" (no base URL)", r, s, c.calls)
			if !strings.Contains(r.stderr, ": ok") {
				t.Errorf("the client did not finish:\n%s", r.stderr)
			}
		})
	}
}

// TestInterceptReplayDeadOutsideProxy: with HTTP_PROXY and HTTPS_PROXY
// (and curl's lower-case http_proxy) naming a proxy nobody answers on, the
// base-URL runs still reach the replay: NO_PROXY holds loopback. The same
// runs with --no-intercept too, where callbudget leaves HTTPS_PROXY alone.
func TestInterceptReplayDeadOutsideProxy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cassetteFile := irCassette(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	proxyEnv := []string{"HTTP_PROXY=" + dead, "HTTPS_PROXY=" + dead, "http_proxy=" + dead, "https_proxy=" + dead, "ALL_PROXY=" + dead}
	for _, c := range irClients(t, dir) {
		if c.name == "gh" || c.name == "go" || c.name == "urllib" {
			continue // the three: PyGithub, requests and curl
		}
		for _, flags := range [][]string{nil, {"--no-intercept"}} {
			t.Run(c.name+strings.Join(flags, ""), func(t *testing.T) {
				t.Parallel()
				r, s := irRun(t, irEnv(append(proxyEnv, c.env...)...), cassetteFile, flags, c.argv(dir, true)...)
				irCheckExact(t, c.name+" (base URL, dead outside proxy)", r, s, c.calls)
			})
		}
	}
}

// TestInterceptReplayAddedCall: one more call through the interception
// face is +1 against the budget `callbudget update` took of the same
// client, and check fails over budget.
func TestInterceptReplayAddedCall(t *testing.T) {
	t.Parallel()
	py := testdeps.PythonModules(t, "github", "requests")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "client.py"), irPython)
	writeFile(t, filepath.Join(dir, "pygithub_client.py"), irPyGithub)
	cassetteFile := irCassette(t)
	config := func(name, extra string) string {
		path := filepath.Join(dir, name)
		writeFile(t, path, fmt.Sprintf(`budget: budget.yaml
scenarios:
  - name: requests
    cassette: %s
    run: %s client.py requests
    env: {EXTRA_CALL: "%s"}
  - name: pygithub
    cassette: %s
    run: %s pygithub_client.py
    env: {EXTRA_CALL: "%s"}
`, cassetteFile, py, extra, cassetteFile, py, extra))
		return path
	}
	if r := runCLI(t, irEnv(), "update", "--config", config("callbudget.yaml", "")); r.code != exitOK {
		t.Fatalf("update: exit %d\n%s", r.code, r)
	}
	if r := runCLI(t, irEnv(), "check", "--config", config("callbudget.yaml", ""), "--format", "json"); r.code != exitOK {
		t.Fatalf("check of the same calls: exit %d\n%s", r.code, r)
	}
	r := runCLI(t, irEnv(), "check", "--config", config("extra.yaml", "1"), "--format", "json")
	if r.code != exitOver {
		t.Fatalf("check with one more call: exit %d, want %d (over)\n%s", r.code, exitOver, r)
	}
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Scenarios {
		if s.Status != report.StatusOver || s.Delta == nil || *s.Delta != 1 {
			t.Errorf("%s: status %s, delta %v; want over by +1", s.Name, s.Status, s.Delta)
		}
		for _, e := range s.Endpoints {
			if e.Operation == "pulls/get" && (e.Count != 2 || e.Baseline == nil || *e.Baseline != 1) {
				t.Errorf("%s: pulls/get counted %d, baseline %v; want 2 against 1", s.Name, e.Count, e.Baseline)
			}
		}
	}
}

// TestInterceptReplayRefusesOtherHosts: replay has no network. curl's
// CONNECT to example.com through the replay's HTTPS_PROXY gets a 403; the
// report lists the host, and the scenario fails saying so even when the
// command shrugs the failure off, unless --allow-unmatched.
func TestInterceptReplayRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	cassetteFile := irCassette(t)
	tests := []struct {
		name     string
		script   string
		flags    []string
		wantCode int
		wantErr  string
	}{
		{name: "curl fails", script: `curl -sS --max-time 30 https://example.com/`, wantCode: exitError,
			wantErr: "command exited with status 56; it tried to reach example.com through the replay's HTTPS proxy, which was refused: replay has no network"},
		{name: "failure ignored", script: `curl -sS --max-time 30 https://example.com/ https://example.com/x || true`, wantCode: exitError,
			wantErr: "scenario api-github-com: it tried to reach example.com (2 times) through the replay's HTTPS proxy, which was refused: replay has no network"},
		{name: "allowed", script: `curl -sS --max-time 30 https://example.com/ || true`, flags: []string{"--allow-unmatched"}, wantCode: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, s := irRun(t, irEnv(), cassetteFile, tt.flags, "sh", "-c", tt.script)
			if r.code != tt.wantCode || !strings.Contains(s.Error, tt.wantErr) {
				t.Errorf("exit %d, error %q; want exit %d, an error with %q\n%s", r.code, s.Error, tt.wantCode, tt.wantErr, r.stderr)
			}
			if len(s.Refused) != 1 || s.Refused[0].Host != "example.com" || s.Total != 0 {
				t.Errorf("refused %v, total %d; want example.com and no call", s.Refused, s.Total)
			}
			if !strings.Contains(r.stderr, "403") && !strings.Contains(r.stderr, "CONNECT") {
				t.Errorf("curl's message does not show the refusal:\n%s", r.stderr)
			}
		})
	}

	// The text report has a line for the host.
	r := runCLI(t, irEnv(), "run", "--cassette", cassetteFile, "--", "sh", "-c", `curl -sS --max-time 30 https://example.com/ || true`)
	if !strings.Contains(r.stdout, "refused CONNECT to example.com ×1 (replay has no network") {
		t.Errorf("the text report does not list the refused host:\n%s", r.stdout)
	}
}

// TestInterceptReplayRefusedCA: a client that does not trust the run's
// CA (curl told to trust only the system's roots, as a client that pins
// or ignores the CA variables would) fails its handshake; the scenario's
// error says which host and which variables.
func TestInterceptReplayRefusedCA(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	roots := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(roots); err != nil {
		t.Skip("no system CA bundle at " + roots)
	}
	r, s := irRun(t, irEnv(), irCassette(t), nil, "curl", "-sS", "--max-time", "30", "--cacert", roots, irAPI+"/repos/o/r")
	want := "a client refused callbudget's interception CA for api.github.com: it does not read SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or NODE_EXTRA_CA_CERTS"
	if r.code != exitError || !strings.Contains(s.Error, want) || !strings.Contains(s.Error, "point it at GITHUB_API_URL instead") {
		t.Errorf("exit %d, error %q; want exit %d and %q\n%s", r.code, s.Error, exitError, want, r.stderr)
	}
	if s.Total != 0 {
		t.Errorf("counted %d calls, want none", s.Total)
	}
}

// TestInterceptReplayEnvironment: what the command is given, and that the
// CA bundle is gone once the run is over; with --no-intercept (or a
// scenario's intercept: false) no HTTPS_PROXY and no CA variable, and
// NO_PROXY still holds loopback.
func TestInterceptReplayEnvironment(t *testing.T) {
	t.Parallel()
	cassetteFile := irCassette(t)
	vars := []string{"HTTPS_PROXY", "https_proxy", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO", "NO_PROXY", "no_proxy", "GITHUB_API_URL"}
	script := `for v in ` + strings.Join(vars, " ") + `; do eval "echo $v=\${$v-unset}"; done > "$OUT"; grep -q "callbudget interception CA" "$SSL_CERT_FILE" 2>/dev/null && echo bundle-ok >> "$OUT"; true`
	read := func(t *testing.T, path string) map[string]string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			k, v, _ := strings.Cut(l, "=")
			m[k] = v
		}
		return m
	}

	t.Run("default", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "env")
		r, _ := irRun(t, irEnv("OUT="+out), cassetteFile, nil, "sh", "-c", script)
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		env := read(t, out)
		if env["HTTPS_PROXY"] != env["GITHUB_API_URL"] || env["https_proxy"] != env["GITHUB_API_URL"] || !strings.HasPrefix(env["HTTPS_PROXY"], "http://127.0.0.1:") {
			t.Errorf("HTTPS_PROXY %q, https_proxy %q; want the replay server %s", env["HTTPS_PROXY"], env["https_proxy"], env["GITHUB_API_URL"])
		}
		bundle := env["SSL_CERT_FILE"]
		for _, v := range []string{"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO"} {
			if env[v] != bundle {
				t.Errorf("%s = %q, want the bundle %s", v, env[v], bundle)
			}
		}
		if _, ok := env["bundle-ok"]; !ok {
			t.Errorf("the bundle %s does not hold the run's CA", bundle)
		}
		if _, err := os.Stat(bundle); !os.IsNotExist(err) {
			t.Errorf("the CA bundle %s is still there after the run (%v)", bundle, err)
		}
		if !strings.Contains(env["NO_PROXY"], "127.0.0.1") {
			t.Errorf("NO_PROXY = %q", env["NO_PROXY"])
		}
	})

	off := func(t *testing.T, env map[string]string) {
		t.Helper()
		for _, v := range vars[:7] {
			if env[v] != "unset" {
				t.Errorf("%s = %q with interception off, want it unset", v, env[v])
			}
		}
		if !strings.Contains(env["NO_PROXY"], "127.0.0.1") || !strings.Contains(env["no_proxy"], "localhost") {
			t.Errorf("NO_PROXY = %q, no_proxy = %q; want loopback in both", env["NO_PROXY"], env["no_proxy"])
		}
	}
	t.Run("--no-intercept", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "env")
		if r, _ := irRun(t, irEnv("OUT="+out), cassetteFile, []string{"--no-intercept"}, "sh", "-c", script); r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		off(t, read(t, out))
	})
	t.Run("intercept: false", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		out := filepath.Join(dir, "env")
		writeFile(t, filepath.Join(dir, "callbudget.yaml"), fmt.Sprintf("scenarios:\n  - name: off\n    cassette: %s\n    run: '%s'\n    intercept: false\n    env: {OUT: %q}\n",
			cassetteFile, strings.ReplaceAll(script, "'", "''"), out))
		if r := runCLI(t, irEnv(), "update", "--config", filepath.Join(dir, "callbudget.yaml")); r.code != exitOK {
			t.Fatalf("update: exit %d\n%s", r.code, r)
		}
		off(t, read(t, out))
	})
}

// TestInterceptReplayEnterpriseHost: gh with GH_HOST on a GitHub
// Enterprise host the scenario names in intercept_hosts reaches the
// replay through the proxy (https://HOST/api/v3/…), counted like the
// default host. gh wants a token for that host: a dummy in the
// scenario's env, as the real one is never passed on.
func TestInterceptReplayEnterpriseHost(t *testing.T) {
	t.Parallel()
	testdeps.Gh(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "callbudget.yaml"), fmt.Sprintf(`scenarios:
  - name: ghes
    cassette: %s
    run: gh api repos/o/r --jq .full_name && gh api --paginate repos/o/r/pulls/42/files --jq '.[].filename'
    intercept_hosts: [ghe.example.com]
    env: {GH_HOST: ghe.example.com, GH_ENTERPRISE_TOKEN: dummy, GH_CONFIG_DIR: %q, GH_NO_UPDATE_NOTIFIER: "1"}
`, irCassette(t), t.TempDir()))
	r := runCLI(t, irEnv(), "update", "--config", filepath.Join(dir, "callbudget.yaml"), "--format", "json")
	if r.code != exitOK {
		t.Fatalf("update: exit %d\n%s", r.code, r)
	}
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 GET /repos/{owner}/{repo} repos/get",
		"2 GET /repos/{owner}/{repo}/pulls/{pull_number}/files pulls/list-files",
	}
	if got := irCounts(rep.Scenarios[0]); strings.Join(got, "\n") != strings.Join(want, "\n") || len(rep.Scenarios[0].Refused) != 0 {
		t.Errorf("counted\n%s\nrefused %v; want\n%s\n%s", strings.Join(got, "\n"), rep.Scenarios[0].Refused, strings.Join(want, "\n"), r.stderr)
	}
	if !strings.Contains(r.stderr, "ghes | o/r") || !strings.Contains(r.stderr, "ghes | b.go") {
		t.Errorf("gh's output:\n%s", r.stderr)
	}
}
