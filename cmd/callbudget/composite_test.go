package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/actionrun"
	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/testdeps"
)

// The composite-action test adopts callbudget the way a team does: a new
// repository whose bot has three parts, in Python (PyGithub), JavaScript
// (@octokit/rest) and Go (go-github), each a scenario recorded with
// `callbudget record` against a fake GitHub and budgeted with `callbudget
// update`; then action.yml runs on pull requests as the runner runs a
// composite action (internal/actionrun): the install step finds no release
// for the ref and builds the action's source, the check step runs the
// binary in the workspace with the inputs mapped, and the scenarios run
// with the runner's own python3, node and go. The pull request's comment
// goes to a second fake GitHub under /api/v3 (GitHub Enterprise Server's
// shape), as GITHUB_API_URL says.

const compositePy = `import os, github
gh = github.Github(login_or_token=os.environ["GITHUB_TOKEN"], base_url=os.environ["GITHUB_API_URL"])
repo = gh.get_repo("octo-org/hello-world")
pr = repo.get_pull(42)
print("python:", pr.title)
`

const compositeJS = `import { Octokit } from "@octokit/rest";
const octokit = new Octokit({ baseUrl: process.env.GITHUB_API_URL, auth: process.env.GITHUB_TOKEN });
const owner = "octo-org", repo = "hello-world";
const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: 42 });
await octokit.rest.repos.createCommitStatus({ owner, repo, sha: pr.head.sha, state: "success", context: "bot" });
console.log("node:", pr.title);
`

const compositeGo = `package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/google/go-github/v62/github"
)

func main() {
	c := github.NewClient(nil).WithAuthToken(os.Getenv("GITHUB_TOKEN"))
	base, err := url.Parse(strings.TrimSuffix(os.Getenv("GITHUB_API_URL"), "/") + "/")
	if err != nil {
		panic(err)
	}
	c.BaseURL = base
	ctx := context.Background()
	files, _, err := c.PullRequests.ListFiles(ctx, "octo-org", "hello-world", 42, &github.ListOptions{PerPage: 100})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("go:", len(files), "files")
}
`

const compositeConfig = `budget: callbudget.budget.yaml
scenarios:
  - name: python
    cassette: testdata/python.yaml
    run: python3 bot.py
  - name: node
    cassette: testdata/node.yaml
    run: node bot.mjs
  - name: go
    cassette: testdata/go.yaml
    run: go run ./gobot
    timeout: 5m
`

type compositeRepo struct {
	ws, temp string
	bin      string // callbudget built by the test, for record and update
	gh       *fakegithub.Server
	env      map[string]string
}

func newCompositeRepo(t *testing.T) *compositeRepo {
	t.Helper()
	python := testdeps.PythonModules(t, "github")
	_, modules := testdeps.Node(t, "@octokit/rest")
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go is not on PATH")
	}
	r := &compositeRepo{ws: filepath.Join(t.TempDir(), "bot"), temp: t.TempDir()}
	r.bin = filepath.Join(t.TempDir(), "callbudget")
	build := exec.Command("go", "build", "-o", r.bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for name, content := range map[string]string{
		"bot.py": compositePy, "bot.mjs": compositeJS, "gobot/main.go": compositeGo,
		"callbudget.yaml": compositeConfig,
		"go.mod":          "module example.com/bot\n\ngo 1.22\n\nrequire github.com/google/go-github/v62 v62.0.0\n",
		".gitignore":      "node_modules\n",
	} {
		writeTestFile(t, filepath.Join(r.ws, name), content)
	}
	// What a team's setup steps leave: npm ci's node_modules, go.sum.
	if err := os.Symlink(modules, filepath.Join(r.ws, "node_modules")); err != nil {
		t.Fatal(err)
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = r.ws
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	// The job's environment: python3 is Debian's, with PyGithub.
	r.env = map[string]string{
		"PATH":              filepath.Dir(python) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":              os.Getenv("HOME"),
		"GOPATH":            os.Getenv("GOPATH"),
		"GOCACHE":           goEnvValue(t, "GOCACHE"),
		"GOMODCACHE":        goEnvValue(t, "GOMODCACHE"),
		"GOFLAGS":           "-mod=mod",
		"CI":                "true",
		"GITHUB_ACTIONS":    "true",
		"GITHUB_WORKSPACE":  r.ws,
		"GITHUB_REPOSITORY": actionOwner + "/" + actionRepo,
		"GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_EVENT_PATH": filepath.Join(r.temp, "event.json"),
		"GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_RUN_ID":     "9001",
		"RUNNER_TEMP":       r.temp,
		"RUNNER_OS":         "Linux",
		"RUNNER_ARCH":       "X64",
	}

	// Record each scenario against a fake github.com, then budget them.
	rec := fakegithub.New(t, fakegithub.Options{Files: 3})
	rec.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, Title: "Update to hello 2.12.1", HeadSHA: strings.Repeat("a", 40), BaseSHA: strings.Repeat("b", 40)})
	// testdata/ does not exist yet: record makes it.
	for _, sc := range []struct{ name, cmd string }{{"python", "python3 bot.py"}, {"node", "node bot.mjs"}, {"go", "go run ./gobot"}} {
		r.cli(t, 0, "record", "--cassette", "testdata/"+sc.name+".yaml", "--upstream", rec.URL(), "--", "sh", "-c", sc.cmd)
	}
	r.cli(t, 0, "update")
	git(t, r.ws, "init", "-q", "-b", "main")
	git(t, r.ws, "add", "-A")
	git(t, r.ws, "commit", "-q", "-m", "base")
	base := git(t, r.ws, "rev-parse", "HEAD")

	r.gh = fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", Token: actionToken, Logins: map[string]string{actionToken: actionAuthor}})
	r.env["GITHUB_API_URL"] = strings.TrimSuffix(r.gh.URL(), "/")
	r.push(t, base, "README", "the pull request\n")
	return r
}

func goEnvValue(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// cli runs the test's callbudget in the workspace with the job's
// environment (outside GitHub Actions) and wants exit code want.
func (r *compositeRepo) cli(t *testing.T, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.ws
	env := []string{"GITHUB_TOKEN=ghp_recordingtoken0123456789abcdefABCDEF"}
	for k, v := range r.env {
		if k != "GITHUB_ACTIONS" && !strings.HasPrefix(k, "GITHUB_EVENT") {
			env = append(env, k+"="+v)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("callbudget %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, out)
	}
	return string(out)
}

// push commits file on top of parent as the pull request's new head, and
// writes the pull_request event for it.
func (r *compositeRepo) push(t *testing.T, base, file, content string) {
	t.Helper()
	writeTestFile(t, filepath.Join(r.ws, file), content)
	git(t, r.ws, "add", "-A")
	git(t, r.ws, "commit", "-q", "-m", "change "+file)
	head := git(t, r.ws, "rev-parse", "HEAD")
	r.gh.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, Title: "Update to hello 2.12.1", HeadSHA: head, BaseSHA: base})
	event := `{"action": "synchronize", "number": 42,
  "pull_request": {"number": 42, "head": {"sha": "` + head + `", "repo": {"full_name": "octo-org/hello-world"}},
    "base": {"sha": "` + base + `", "repo": {"full_name": "octo-org/hello-world"}}},
  "repository": {"full_name": "octo-org/hello-world"}}`
	writeTestFile(t, r.env["GITHUB_EVENT_PATH"], event)
}

// action runs action.yml from the repository's root (uses: OWNER/callbudget@main:
// a branch, so the install step builds the source) with inputs.
func (r *compositeRepo) action(t *testing.T, inputs map[string]string) (*actionrun.Result, string) {
	t.Helper()
	return r.runAction(t, repoRoot(t), inputs)
}

// runAction runs the action.yml of dir.
func (r *compositeRepo) runAction(t *testing.T, dir string, inputs map[string]string) (*actionrun.Result, string) {
	t.Helper()
	var log bytes.Buffer
	run := &actionrun.Runner{
		ActionPath: dir,
		Workspace:  r.ws,
		Env:        r.env,
		Inputs:     inputs,
		Github:     map[string]string{"action_ref": "main", "action_repository": "callbudget/callbudget", "token": actionToken},
		Uses: func(uses string, with map[string]string) (map[string]string, error) {
			t.Errorf("%s ran, though the runner has go: %v", uses, with)
			return nil, nil
		},
		Log: &log,
	}
	res, err := run.Run(context.Background())
	if err != nil {
		t.Fatalf("action.yml: %v\n%s", err, log.String())
	}
	if strings.Contains(log.String()+res.Summary, actionToken) {
		t.Error("the token shows in the job log or the summary")
	}
	return res, log.String()
}

func TestCompositeAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callbudget and runs Python, Node and Go scenarios (not with -short)")
	}
	r := newCompositeRepo(t)
	base := git(t, r.ws, "rev-parse", "HEAD~1")
	in := map[string]string{"github-token": actionToken, "comment": "always"}

	// 1. Within budget: exit 0, a comment created.
	res, log := r.action(t, in)
	if res.ExitCode != 0 || res.Outputs["verdict"] != "ok" {
		t.Fatalf("within budget: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}
	if st := res.Step("install"); st.Outputs["build"] != "true" || st.Outputs["setup-go"] != "false" {
		t.Errorf("install outputs %v, want a source build with the runner's go", st.Outputs)
	}
	for _, want := range []string{"python: Update to hello 2.12.1", "node: Update to hello 2.12.1", "go: "} {
		if !strings.Contains(log, want) {
			t.Errorf("the job log misses the scenario's %q\n%s", want, log)
		}
	}
	if res.Outputs["total"] != "5" || res.Outputs["delta"] != "0" || !strings.HasSuffix(res.Outputs["report"], "callbudget-report.json") {
		t.Errorf("outputs %v", res.Outputs)
	}
	if !strings.Contains(res.Summary, "python") || !strings.Contains(res.Summary, "node") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	bodies := commentBodies(&actionSetup{gh: r.gh})
	if len(bodies) != 1 {
		t.Fatalf("after the first run: %d comments, want 1", len(bodies))
	}

	// 2. The Node part reads the pull request twice: over budget, exit 1,
	// the same comment updated.
	r.push(t, base, "bot.mjs", strings.Replace(compositeJS, "const { data: pr }", "await octokit.rest.pulls.get({ owner, repo, pull_number: 42 });\nconst { data: pr }", 1))
	res, log = r.action(t, in)
	if res.ExitCode != exitOver || res.Outputs["verdict"] != "over" || res.Outputs["delta"] != "+1" {
		t.Fatalf("over budget: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}
	bodies = commentBodies(&actionSetup{gh: r.gh})
	if len(bodies) != 1 || !strings.Contains(bodies[0], "pulls/get") {
		t.Fatalf("after the second run: %d comments (want 1, updated), %.300q", len(bodies), bodies)
	}

	// 3. A pull request from a fork: a read-only token. The exit code is
	// still the budget's, with a warning, and the summary is written.
	r.push(t, base, "README", "pushed from a fork\n")
	r.gh.SetReadOnly(true)
	res, log = r.action(t, in)
	r.gh.SetReadOnly(false)
	if res.ExitCode != exitOver || res.Outputs["verdict"] != "over" || !strings.Contains(log, "::warning") || res.Summary == "" {
		t.Fatalf("read-only token: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}
	if b := commentBodies(&actionSetup{gh: r.gh}); len(b) != 1 || b[0] != bodies[0] {
		t.Errorf("the read-only run changed the comments: %.300q", b)
	}
	if !strings.Contains(log, "callbudget main-source") {
		t.Errorf("the job log does not show the built binary's version\n%s", log)
	}

	// The scenarios input, a YAML block list: the node scenario is left out.
	res, log = r.action(t, map[string]string{"github-token": actionToken, "comment": "never", "scenarios": "python\ngo\n"})
	if res.ExitCode != 0 || res.Outputs["verdict"] != "ok" || res.Outputs["total"] != "3" || strings.Contains(log, "node:") {
		t.Fatalf("scenarios python, go: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}

	// 4. The Python part makes a call the cassette has no answer for: it
	// must be re-recorded, exit 2.
	r.push(t, base, "bot.py", compositePy+"print(repo.get_branch('main').name)\n")
	res, log = r.action(t, in)
	if res.ExitCode != exitError || res.Outputs["verdict"] != "error" {
		t.Fatalf("unmatched: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}
}

// TestCompositeInstallAction runs install/action.yml (uses:
// callbudget/callbudget/install@main): a source build, and a bin output
// that runs.
func TestCompositeInstallAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callbudget (not with -short)")
	}
	t.Parallel()
	r := &compositeRepo{ws: t.TempDir(), env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "GOCACHE": goEnvValue(t, "GOCACHE"), "GOMODCACHE": goEnvValue(t, "GOMODCACHE"),
		"RUNNER_TEMP": t.TempDir(), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
	}}
	res, log := r.runAction(t, filepath.Join(repoRoot(t), "install"), nil)
	if res.ExitCode != 0 || res.Outputs["bin"] == "" {
		t.Fatalf("exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, log)
	}
	out, err := exec.Command(res.Outputs["bin"], "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "callbudget main-source") {
		t.Errorf("%s version: %v\n%s", res.Outputs["bin"], err, out)
	}
}
