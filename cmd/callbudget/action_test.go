package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/report"
	"github.com/google/go-github/v62/github"
)

// The action tests run `callbudget check` in-process with what a step in
// GitHub Actions gives it: GITHUB_ACTIONS=true, the inputs as INPUT_*
// variables (INPUT_GITHUB-TOKEN with its dash, as the runner passes them
// to the container image used as a Docker action, `uses:
// docker://ghcr.io/callbudget/callbudget`; action.yml, a composite action,
// passes them as CALLBUDGET_* variables instead, and TestCompositeAction
// runs it), GITHUB_EVENT_PATH with a
// pull_request payload, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files,
// GITHUB_WORKSPACE a git checkout, RUNNER_TEMP a folder that is not there
// (as in a Docker action, which does not get it mounted), and GITHUB_API_URL a fake
// GitHub on a non-empty path prefix. The scenario command is this test
// binary (TestActionHelperClient), a go-github client in its own process.
// The one difference from the runner: the working directory is the
// package's, not the workspace, so INPUT_CONFIG is absolute
// (TestActionBinary runs the built binary in the workspace).

const (
	actionToken  = "ghs_actiontesttoken0123456789"
	actionAuthor = "github-actions[bot]"
	actionOwner  = "octo-org"
	actionRepo   = "hello-world"
	actionPR     = 42
)

// TestActionHelperClient is not a test: it is the scenario command of the
// action tests, run as `callbudget.test -test.run=^TestActionHelperClient$
// -- OP...` with CB_HELPER_CLIENT=1. Each OP is one go-github call on
// octo-org/hello-world#42 against GITHUB_API_URL (the replay server). It
// also tries what untrusted code would: issue workflow commands and look
// for the action's token.
func TestActionHelperClient(t *testing.T) {
	if os.Getenv("CB_HELPER_CLIENT") != "1" {
		return
	}
	ops := os.Args[slices.Index(os.Args, "--")+1:]
	c := github.NewClient(nil).WithAuthToken(os.Getenv("GITHUB_TOKEN"))
	base, err := c.BaseURL.Parse(strings.TrimSuffix(os.Getenv("GITHUB_API_URL"), "/") + "/")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c.BaseURL = base
	ctx := context.Background()
	// Untrusted code trying to set the step's outputs and annotate.
	fmt.Println("::warning::from the scenario")
	fmt.Println("::set-output name=verdict::ok")
	for _, kv := range os.Environ() {
		if strings.Contains(kv, actionToken) {
			fmt.Println("LEAKED", strings.SplitN(kv, "=", 2)[0])
		}
	}
	// The runner's command files would let it set outputs, the summary,
	// and later steps' environment and PATH.
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
		if v := os.Getenv(k); v != "" {
			fmt.Println("LEAKED", k)
		}
	}
	for _, op := range ops {
		var err error
		switch op {
		case "get-pull":
			_, _, err = c.PullRequests.Get(ctx, actionOwner, actionRepo, actionPR)
		case "list-files":
			_, _, err = c.PullRequests.ListFiles(ctx, actionOwner, actionRepo, actionPR, &github.ListOptions{PerPage: 100})
		case "comment":
			_, _, err = c.Issues.CreateComment(ctx, actionOwner, actionRepo, actionPR, &github.IssueComment{Body: github.String("Build queued")})
		case "hostile":
			// A path a cassette could hold: every character that could
			// break a table, a comment marker, a mention, HTML, a line or
			// the reading order. Its answer does not matter.
			req, rerr := c.NewRequest("GET", "repos/octo-org/hello-world/x|`y`-->@user<img src=x>%0A%E2%80%AEevil%25::error::pwned", nil)
			if rerr != nil {
				err = rerr
				break
			}
			_, err = c.Do(ctx, req, nil)
			var er *github.ErrorResponse
			if errors.As(err, &er) {
				err = nil
			}
		case "status":
			_, _, err = c.Repositories.CreateStatus(ctx, actionOwner, actionRepo, "590abaace41bdb1047b7713b47b0a4c3489ca80f",
				&github.RepoStatus{State: github.String("success"), Context: github.String("bot")})
		default:
			err = fmt.Errorf("unknown op %q", op)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, op+":", err)
			os.Exit(1)
		}
		fmt.Println("helper:", op)
	}
	os.Exit(0)
}

// actionRepo is a workspace checkout with two commits, base and head, and
// the fake GitHub its pull request lives on.
type actionSetup struct {
	ws, dir          string // the checkout; a folder for the runner's files
	baseSHA, headSHA string
	gh               *fakegithub.Server
	vars             map[string]string
	// summaryBefore is what the step's summary file holds before the
	// run: what earlier commands of the step wrote.
	summaryBefore string
}

// gitEnv makes commits reproducible: same content, same SHAs.
var gitEnv = []string{
	"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
	"GIT_AUTHOR_NAME=Mona", "GIT_AUTHOR_EMAIL=mona@example.com", "GIT_AUTHOR_DATE=2024-05-01T12:00:00Z",
	"GIT_COMMITTER_NAME=Mona", "GIT_COMMITTER_EMAIL=mona@example.com", "GIT_COMMITTER_DATE=2024-05-01T12:00:00Z",
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newActionSetup copies testdata/action/workspace into a git repository
// with the budget file testdata/action/budgets/<baseBudget>.yaml in the
// base commit and <headBudget>.yaml in the head commit, and starts a fake
// GitHub (on prefix) whose pull request #42 has those commits.
func newActionSetup(t *testing.T, prefix, baseBudget, headBudget string) *actionSetup {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	s := &actionSetup{ws: filepath.Join(t.TempDir(), "workspace"), dir: t.TempDir()}
	copyDir(t, filepath.Join("testdata", "action", "workspace"), s.ws)
	setBudget := func(name string) {
		data, err := os.ReadFile(filepath.Join("testdata", "action", "budgets", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(s.ws, "callbudget.budget.yaml"), string(data))
	}
	git(t, s.ws, "init", "-q", "-b", "main")
	setBudget(baseBudget)
	git(t, s.ws, "add", "-A")
	git(t, s.ws, "commit", "-q", "-m", "base")
	s.baseSHA = git(t, s.ws, "rev-parse", "HEAD")
	setBudget(headBudget)
	writeTestFile(t, filepath.Join(s.ws, "README"), "head\n")
	git(t, s.ws, "add", "-A")
	git(t, s.ws, "commit", "-q", "-m", "head")
	s.headSHA = git(t, s.ws, "rev-parse", "HEAD")

	s.gh = fakegithub.New(t, fakegithub.Options{Prefix: prefix, Token: actionToken, Logins: map[string]string{actionToken: actionAuthor, commentToken: actionAuthor}})
	s.gh.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, Title: "Update to hello 2.12.1", HeadSHA: s.headSHA, BaseSHA: s.baseSHA})

	runnerFiles := filepath.Join(s.dir, "file_commands")
	if err := os.MkdirAll(runnerFiles, 0o755); err != nil {
		t.Fatal(err)
	}
	s.vars = map[string]string{
		"PATH":                os.Getenv("PATH"),
		"HOME":                filepath.Join(s.dir, "home"),
		"CI":                  "true",
		"GITHUB_ACTIONS":      "true",
		"GITHUB_WORKSPACE":    s.ws,
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_EVENT_PATH":   filepath.Join(s.dir, "event.json"),
		"GITHUB_OUTPUT":       filepath.Join(runnerFiles, "set_output_1"),
		"GITHUB_STEP_SUMMARY": filepath.Join(runnerFiles, "step_summary_1"),
		"GITHUB_API_URL":      strings.TrimSuffix(s.gh.URL(), "/"),
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_REPOSITORY":   actionOwner + "/" + actionRepo,
		"GITHUB_RUN_ID":       "9001",
		"RUNNER_TEMP":         "/home/runner/work/_temp", // not mounted in the container
		"CB_TEST_BINARY":      os.Args[0],
		// One scenario at a time: their lines on stderr come in config
		// order, for the goldens.
		"CALLBUDGET_JOBS": "1",
		// The inputs, as the runner passes them: every input of
		// action.yml, with its default when the workflow gives none.
		"INPUT_CONFIG":           filepath.Join(s.ws, "callbudget.yaml"),
		"INPUT_SCENARIOS":        "",
		"INPUT_GITHUB-TOKEN":     actionToken,
		"INPUT_COMMENT":          "auto",
		"INPUT_FAIL-ON-INCREASE": "true",
		"INPUT_TOLERANCE":        "",
		"INPUT_COMMENT-AUTHOR":   actionAuthor,
	}
	for _, kv := range testdeps.ChildEnv() { // CB_TEST_BINARY under go test -cover
		k, v, _ := strings.Cut(kv, "=")
		s.vars[k] = v
	}
	s.writeEvent(t, s.headSHA, s.baseSHA)
	return s
}

// writeEvent writes the pull_request payload: the example pipeline's
// real-shaped testdata/events/pr-opened.json with the setup's commits.
func (s *actionSetup) writeEvent(t *testing.T, head, base string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", "pr-opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	pr := ev["pull_request"].(map[string]any)
	pr["head"].(map[string]any)["sha"] = head
	pr["base"].(map[string]any)["sha"] = base
	out, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, s.vars["GITHUB_EVENT_PATH"], string(out))
}

// push makes a new head commit, as a push to the pull request does.
func (s *actionSetup) push(t *testing.T, budgetName string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "action", "budgets", budgetName+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(s.ws, "callbudget.budget.yaml"), string(data))
	writeTestFile(t, filepath.Join(s.ws, "README"), "pushed\n")
	git(t, s.ws, "add", "callbudget.budget.yaml", "README")
	git(t, s.ws, "commit", "-q", "-m", "push")
	s.headSHA = git(t, s.ws, "rev-parse", "HEAD")
	s.gh.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, Title: "Update to hello 2.12.1", HeadSHA: s.headSHA, BaseSHA: s.baseSHA})
	s.writeEvent(t, s.headSHA, s.baseSHA)
}

func (s *actionSetup) environ() []string {
	var env []string
	for k, v := range s.vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// actionResult is one run: its streams and exit code, and what it left in
// the runner's files.
type actionResult struct {
	stdout, stderr string
	code           int
	output         string // GITHUB_OUTPUT's content
	summary        string // GITHUB_STEP_SUMMARY's content
}

// run runs callbudget with args in-process, with fresh runner files (the
// runner gives each step its own), and the fake's requests of this run.
func (s *actionSetup) run(t *testing.T, args ...string) (actionResult, []fakegithub.Request) {
	t.Helper()
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if err := os.Remove(s.vars[k]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	if s.summaryBefore != "" {
		writeTestFile(t, s.vars["GITHUB_STEP_SUMMARY"], s.summaryBefore)
	}
	before := len(s.gh.Requests())
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr, s.environ())
	res := actionResult{stdout: stdout.String(), code: exitCode(err, &stderr)}
	res.stderr = stderr.String()
	res.output = readIfExists(t, s.vars["GITHUB_OUTPUT"])
	res.summary = readIfExists(t, s.vars["GITHUB_STEP_SUMMARY"])
	if strings.Contains(res.stdout+res.stderr+res.output+res.summary, actionToken) {
		t.Errorf("the token shows in the run's output")
	}
	return res, s.gh.Requests()[before:]
}

func readIfExists(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// outputs parses GITHUB_OUTPUT's name<<DELIMITER blocks.
func outputs(t *testing.T, content string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %d: %q is not name<<delimiter", i+1, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("GITHUB_OUTPUT: output %s has no closing delimiter", name)
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// commands are the workflow commands of stream that are in force: those
// outside a ::stop-commands:: fence.
func commands(stream string) []string {
	var cmds []string
	stop := ""
	for _, line := range strings.Split(stream, "\n") {
		switch {
		case stop != "":
			if line == "::"+stop+"::" {
				stop = ""
			}
		case strings.HasPrefix(line, "::stop-commands::"):
			stop = strings.TrimPrefix(line, "::stop-commands::")
		case strings.HasPrefix(line, "::"):
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// annotations are the ::error, ::warning and ::notice commands in force.
func annotations(stream string) []string {
	var out []string
	for _, c := range commands(stream) {
		if strings.HasPrefix(c, "::error") || strings.HasPrefix(c, "::warning") || strings.HasPrefix(c, "::notice") {
			out = append(out, c)
		}
	}
	return out
}

// requestLines are the fake's requests as "METHOD /path", without
// queries.
func requestLines(reqs []fakegithub.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

var (
	stopTokenRE = regexp.MustCompile(`::stop-commands::[A-Za-z0-9]+|::[A-Z2-7]{26}::`)
	loopbackRE  = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	// delimiterRE is a step output's heredoc delimiter, random per value.
	delimiterRE = regexp.MustCompile(`ghadelimiter_[A-Z2-7]{26}`)
)

// normalize makes a run's text stable for a golden file: paths, the fake's
// port, the fence tokens, the outputs' delimiters, the version and the
// setup's commits.
func (s *actionSetup) normalize(text string) string {
	text = strings.ReplaceAll(text, s.ws, "$WORKSPACE")
	text = strings.ReplaceAll(text, s.dir, "$RUNNER")
	text = strings.ReplaceAll(text, os.Args[0], "$TEST_BINARY")
	text = stopTokenRE.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(m, "::stop-commands::") {
			return "::stop-commands::TOKEN"
		}
		return "::TOKEN::"
	})
	text = loopbackRE.ReplaceAllString(text, "http://127.0.0.1:PORT")
	text = delimiterRE.ReplaceAllString(text, "ghadelimiter_RANDOM")
	return maskVersion(maskDurations(text))
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commentBodies(s *actionSetup) []string {
	var out []string
	for _, c := range s.gh.Comments(actionOwner, actionRepo, actionPR) {
		out = append(out, c.Body)
	}
	return out
}

// goldenAction compares a normalized run with testdata/action/NAME.
func (s *actionSetup) golden(t *testing.T, name, content string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "action", name+".golden"), []byte(s.normalize(content)))
}

// TestActionCheckOver is the whole action on a pull request over budget:
// exit 1, the outputs, the summary, the annotations at the budget file's
// lines, the scenario output fenced, and one comment created.
func TestActionCheckOver(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "over", "over")
	res, reqs := s.run(t, "check")
	if res.code != exitOver {
		t.Fatalf("exit %d, want %d\n%s", res.code, exitOver, res.stderr)
	}
	out := outputs(t, res.output)
	want := map[string]string{
		"verdict": "over", "total": "6", "delta": "0", "report": "callbudget-report.json",
		// For the comment step: the config and the budget file, relative
		// to the workspace.
		"comment-key": "callbudget.yaml", "budget-file": "callbudget.budget.yaml",
	}
	if !maps.Equal(out, want) {
		t.Errorf("outputs %v, want %v", out, want)
	}
	// Each value has a delimiter of its own, random, so that no value
	// can end its block early and set another output.
	delims := delimiterRE.FindAllString(res.output, -1)
	if len(delims) != 2*len(want) {
		t.Errorf("%d random delimiters in GITHUB_OUTPUT, want %d:\n%s", len(delims), 2*len(want), res.output)
	}
	seen := map[string]int{}
	for _, d := range delims {
		seen[d]++
	}
	for d, n := range seen {
		if n != 2 {
			t.Errorf("delimiter %s used by more than one value", d)
		}
	}
	// The report output names the JSON report in the workspace (RUNNER_TEMP
	// is not mounted in a Docker action), relative to it.
	f, err := os.Open(filepath.Join(s.ws, out["report"]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f, maxReportSize)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != report.VerdictOver || len(r.Scenarios) != 2 {
		t.Errorf("report: verdict %s, %d scenarios", r.Verdict, len(r.Scenarios))
	}

	anns := annotations(res.stderr)
	wantAnns := []string{
		"::error file=callbudget.budget.yaml,line=7,title=callbudget%3A pr-opened over budget::pr-opened: 3 calls, budget 2 (+1), mutating 1 > 0 allowed: POST /repos/{owner}/{repo}/issues/{issue_number}/comments +1",
		"::notice file=callbudget.budget.yaml,line=15,title=callbudget%3A pr-synchronize under budget::pr-synchronize: 3 calls, budget 4 (-1): GET /repos/{owner}/{repo}/pulls/{pull_number}/files -1; tighten the budget with `callbudget update --scenario pr-synchronize`",
	}
	if !slices.Equal(anns, wantAnns) {
		t.Errorf("annotations:\n%s\nwant:\n%s", strings.Join(anns, "\n"), strings.Join(wantAnns, "\n"))
	}
	// What the scenario printed is fenced: its ::warning and ::set-output
	// are not workflow commands, and it never saw the token.
	for _, c := range commands(res.stderr + res.stdout) {
		if strings.Contains(c, "from the scenario") || strings.HasPrefix(c, "::set-output") {
			t.Errorf("the scenario's %q is a workflow command in force", c)
		}
	}
	if !strings.Contains(res.stderr, "::warning::from the scenario") || strings.Contains(res.stderr, "LEAKED") {
		t.Errorf("scenario output missing, or it saw the token:\n%s", res.stderr)
	}
	// The head is read before the create and after it, and the comments
	// listed again for a racing run's (prcomment/doc.go).
	if got, want := requestLines(reqs), []string{
		"GET /repos/octo-org/hello-world/issues/42/comments",
		"GET /repos/octo-org/hello-world/pulls/42",
		"POST /repos/octo-org/hello-world/issues/42/comments",
		"GET /repos/octo-org/hello-world/issues/42/comments",
		"GET /repos/octo-org/hello-world/pulls/42",
	}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+actionToken {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
	bodies := commentBodies(s)
	if len(bodies) != 1 {
		t.Fatalf("%d comments, want 1", len(bodies))
	}
	s.golden(t, "check-over.stderr", res.stderr)
	s.golden(t, "check-over.output", res.output)
	s.golden(t, "check-over.summary", res.summary)
	s.golden(t, "check-over.comment", bodies[0])
}

// TestActionCommentLifecycle runs the action four times on one pull
// request: the first run creates the comment, a run with another result
// on the same head updates it, a run with the same result leaves it, and a
// run after a push updates it again; a run for the old head after that
// writes nothing. The fake serves the API on a prefix that is not
// GitHub Enterprise's /api/v3, so the client must keep GITHUB_API_URL's
// path as it is.
func TestActionCommentLifecycle(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/proxy/github", "over", "over")
	steps := []struct {
		name   string
		before func()
		code   int
		want   []string
		action string
	}{
		// Every write is between two reads of the head, after a push or
		// not; a create lists the comments again (prcomment/doc.go).
		{"create", nil, exitOver, []string{"GET comments", "GET pull", "POST comments", "GET comments", "GET pull"}, "created"},
		{"same head, another result: update", func() { s.vars["INPUT_TOLERANCE"] = "1" }, exitOK,
			[]string{"GET comments", "GET pull", "PATCH comment", "GET pull"}, "updated"},
		{"same head, same result: nothing to write", nil, exitOK, []string{"GET comments"}, "unchanged"},
		{"after a push: update", func() { s.push(t, "ok") }, exitOK,
			[]string{"GET comments", "GET pull", "PATCH comment", "GET pull"}, "updated"},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		res, reqs := s.run(t, "check")
		if res.code != st.code {
			t.Fatalf("%s: exit %d, want %d\n%s", st.name, res.code, st.code, res.stderr)
		}
		if got := shortRequests(reqs); !slices.Equal(got, st.want) {
			t.Errorf("%s: requests %q, want %q", st.name, got, st.want)
		}
		if !strings.Contains(res.stderr, "callbudget: PR comment on #42 "+st.action) {
			t.Errorf("%s: stderr does not say %q:\n%s", st.name, st.action, res.stderr)
		}
	}
	comments := s.gh.Comments(actionOwner, actionRepo, actionPR)
	if len(comments) != 1 || comments[0].User != actionAuthor || !strings.Contains(comments[0].Body, "head="+s.headSHA) {
		t.Fatalf("comments after the push: %+v", comments)
	}

	// A run for the old head, finishing after the newer one: stale.
	git(t, s.ws, "checkout", "-q", "HEAD~1")
	s.writeEvent(t, git(t, s.ws, "rev-parse", "HEAD"), s.baseSHA)
	s.vars["INPUT_TOLERANCE"] = ""
	res, reqs := s.run(t, "check")
	if res.code != exitOver {
		t.Fatalf("stale run: exit %d, want %d", res.code, exitOver)
	}
	if got, want := shortRequests(reqs), []string{"GET comments", "GET pull"}; !slices.Equal(got, want) {
		t.Errorf("stale run: requests %q, want %q", got, want)
	}
	if after := s.gh.Comments(actionOwner, actionRepo, actionPR); len(after) != 1 || after[0].Body != comments[0].Body {
		t.Errorf("the stale run changed the comment")
	}
	if !strings.Contains(res.stderr, "callbudget: PR comment on #42 stale") {
		t.Errorf("stale run: stderr:\n%s", res.stderr)
	}
}

// shortRequests names the fake's requests for the comment flow briefly.
func shortRequests(reqs []fakegithub.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		p := r.Path
		switch {
		case strings.HasSuffix(p, "/issues/42/comments"):
			p = "comments"
		case strings.Contains(p, "/issues/comments/"):
			p = "comment"
		case strings.HasSuffix(p, "/pulls/42"):
			p = "pull"
		case strings.Contains(p, "/contents/"):
			p = "contents"
		}
		out[i] = r.Method + " " + p
	}
	return out
}

// TestActionFaults: whatever the comment meets, the exit code is the
// budget's and the job summary is written; a read-only token (a fork's) or
// a locked conversation is one warning.
func TestActionFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		budget   string
		fault    func(s *actionSetup)
		code     int
		warnings []string // substrings of the ::warning commands, in order
		want     []string
		comments int
	}{
		{
			name: "read-only token, over budget", budget: "over",
			fault: func(s *actionSetup) { s.gh.SetReadOnly(true) },
			code:  exitOver, warnings: []string{"no PR comment on #42: create comment on octo-org/hello-world#42: the token may not comment"},
			want: []string{"GET comments", "GET pull", "POST comments"},
		},
		{
			name: "read-only token, within budget", budget: "ok",
			fault: func(s *actionSetup) { s.gh.SetReadOnly(true); s.vars["INPUT_COMMENT"] = "always" },
			code:  exitOK, warnings: []string{"no PR comment on #42: create comment on octo-org/hello-world#42: the token may not comment"},
			want: []string{"GET comments", "GET pull", "POST comments"},
		},
		{
			name: "locked conversation", budget: "ok",
			fault: func(s *actionSetup) {
				s.vars["INPUT_COMMENT"] = "always"
				s.gh.FailWith("POST", "/repos/octo-org/hello-world/issues/42/comments", 1, fakegithub.Fault{Status: 403, Message: "Unable to create comment because issue is locked.", Header: http.Header{}})
			},
			code: exitOK, warnings: []string{"conversation is locked"},
			want: []string{"GET comments", "GET pull", "POST comments"},
		},
		{
			name: "500 twice, then created", budget: "over",
			fault: func(s *actionSetup) { s.gh.Fail("POST", "/repos/octo-org/hello-world/issues/42/comments", 500, 2) },
			code:  exitOver,
			want:  []string{"GET comments", "GET pull", "POST comments", "POST comments", "POST comments", "GET comments", "GET pull"}, comments: 1,
		},
		{
			name: "listing fails for good", budget: "ok",
			fault: func(s *actionSetup) {
				s.vars["INPUT_COMMENT"] = "always"
				s.gh.Fail("GET", "/repos/octo-org/hello-world/issues/42/comments", 404, 1)
			},
			code: exitOK, warnings: []string{"PR comment on #42 failed"},
			want: []string{"GET comments"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newActionSetup(t, "/api/v3", tc.budget, tc.budget)
			tc.fault(s)
			res, reqs := s.run(t, "check")
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tc.code, res.stderr)
			}
			var warns []string
			for _, a := range annotations(res.stderr) {
				if strings.HasPrefix(a, "::warning") {
					warns = append(warns, a)
				}
			}
			if len(warns) != len(tc.warnings) {
				t.Fatalf("warnings %q, want %d", warns, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q does not say %q", warns[i], w)
				}
			}
			if got := shortRequests(reqs); !slices.Equal(got, tc.want) {
				t.Errorf("requests %q, want %q", got, tc.want)
			}
			if n := len(s.gh.Comments(actionOwner, actionRepo, actionPR)); n != tc.comments {
				t.Errorf("%d comments, want %d", n, tc.comments)
			}
			if !strings.HasPrefix(res.summary, "### callbudget: ") {
				t.Errorf("no job summary:\n%s", res.summary)
			}
			if out := outputs(t, res.output); out["verdict"] == "" {
				t.Errorf("no verdict output")
			}
		})
	}
}

// TestActionCommentEdgeCases: the comment on a pull request with many
// comments, one deleted while the run edits it, and one too long for
// GitHub.
func TestActionCommentEdgeCases(t *testing.T) {
	t.Parallel()
	t.Run("120 comments before ours", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "over", "over")
		for i := range 120 {
			s.gh.AddComment(actionOwner, actionRepo, actionPR, "monalisa", fmt.Sprintf("comment %d", i+1))
		}
		if res, _ := s.run(t, "check"); res.code != exitOver {
			t.Fatalf("exit %d", res.code)
		}
		s.vars["INPUT_TOLERANCE"] = "1"
		res, reqs := s.run(t, "check")
		if res.code != exitOK {
			t.Fatalf("exit %d", res.code)
		}
		if got, want := shortRequests(reqs), []string{"GET comments", "GET comments", "GET pull", "PATCH comment", "GET pull"}; !slices.Equal(got, want) {
			t.Errorf("requests %q, want %q", got, want)
		}
		if n := len(s.gh.Comments(actionOwner, actionRepo, actionPR)); n != 121 {
			t.Errorf("%d comments, want 121", n)
		}
	})
	t.Run("a spoofed marker by someone else is not ours", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "over", "over")
		if res, _ := s.run(t, "check"); res.code != exitOver {
			t.Fatalf("exit %d", res.code)
		}
		ours := commentBodies(s)[0]
		s.gh.AddComment(actionOwner, actionRepo, actionPR, "mallory", ours)
		s.vars["INPUT_TOLERANCE"] = "1"
		if res, _ := s.run(t, "check"); res.code != exitOK {
			t.Fatalf("exit %d", res.code)
		}
		cs := s.gh.Comments(actionOwner, actionRepo, actionPR)
		if len(cs) != 2 || cs[0].Body == ours || cs[1].Body != ours {
			t.Errorf("the bot's comment was not the one updated: %+v", cs)
		}
	})
	t.Run("deleted while editing: created again", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "over", "over")
		if res, _ := s.run(t, "check"); res.code != exitOver {
			t.Fatalf("exit %d", res.code)
		}
		first := s.gh.Comments(actionOwner, actionRepo, actionPR)[0].ID
		// Someone deletes the comment just before the run's PATCH reaches
		// GitHub. (An injected 404 alone no longer shows this: Post lists
		// the comments again after creating, finds the old one still
		// there, and keeps it; the next subtest.)
		s.gh.Intercept("PATCH", "/repos/octo-org/hello-world/issues/comments/", func(r fakegithub.Request, n int) {
			if n != 1 {
				return
			}
			req, err := http.NewRequest("DELETE", strings.TrimSuffix(s.gh.URL(), "/")+r.Path, nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+actionToken)
			resp, err := s.gh.HTTPClient().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("DELETE %s: %s", r.Path, resp.Status)
			}
		})
		s.vars["INPUT_TOLERANCE"] = "1"
		res, reqs := s.run(t, "check")
		if res.code != exitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		// The DELETE is the other actor's.
		if got, want := shortRequests(reqs), []string{"GET comments", "GET pull", "DELETE comment", "PATCH comment", "POST comments", "GET comments", "GET pull"}; !slices.Equal(got, want) {
			t.Errorf("requests %q, want %q", got, want)
		}
		if !strings.Contains(res.stderr, "answered 404 to the edit") || !strings.Contains(res.stderr, "callbudget: PR comment on #42 created") {
			t.Errorf("no warning, or not created:\n%s", res.stderr)
		}
		if cs := s.gh.Comments(actionOwner, actionRepo, actionPR); len(cs) != 1 || cs[0].ID == first || !strings.Contains(cs[0].Body, "within budget") {
			t.Errorf("comments %+v, want one new one within budget", cs)
		}
	})
	t.Run("404 on edit, comment still there: the older one kept", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "over", "over")
		if res, _ := s.run(t, "check"); res.code != exitOver {
			t.Fatalf("exit %d", res.code)
		}
		first := s.gh.Comments(actionOwner, actionRepo, actionPR)[0].ID
		// The 404 on PATCH is taken for a deleted comment and a new one is
		// posted; but the list after the create still holds the old one,
		// the oldest, so Post keeps it as the sticky comment: it PATCHes
		// it (the head read again after) and deletes the new one. (This
		// subtest was "created again" before Post listed again after a
		// create; the case of a real deletion is the one above.)
		s.gh.Fail("PATCH", "/repos/octo-org/hello-world/issues/comments/", 404, 1)
		s.vars["INPUT_TOLERANCE"] = "1"
		res, reqs := s.run(t, "check")
		if res.code != exitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		if got, want := shortRequests(reqs), []string{"GET comments", "GET pull", "PATCH comment", "POST comments", "GET comments", "GET pull", "PATCH comment", "GET pull", "DELETE comment"}; !slices.Equal(got, want) {
			t.Errorf("requests %q, want %q", got, want)
		}
		if !strings.Contains(res.stderr, "answered 404 to the edit") || !strings.Contains(res.stderr, "callbudget: PR comment on #42 updated") {
			t.Errorf("no warning, or not updated:\n%s", res.stderr)
		}
		if cs := s.gh.Comments(actionOwner, actionRepo, actionPR); len(cs) != 1 || cs[0].ID != first || !strings.Contains(cs[0].Body, "within budget") {
			t.Errorf("comments %+v, want the first one, within budget", cs)
		}
	})
	t.Run("too long for GitHub: shortened once", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "over", "over")
		s.gh.FailWith("POST", "/repos/octo-org/hello-world/issues/42/comments", 1, fakegithub.Fault{
			Status: 422, Message: "Validation Failed",
			Errors: []fakegithub.FieldError{{Resource: "IssueComment", Field: "body", Code: "custom", Message: "body is too long (maximum is 65536 characters)"}},
		})
		res, reqs := s.run(t, "check")
		if res.code != exitOver {
			t.Fatalf("exit %d", res.code)
		}
		if got, want := shortRequests(reqs), []string{"GET comments", "GET pull", "POST comments", "POST comments", "GET comments", "GET pull"}; !slices.Equal(got, want) {
			t.Fatalf("requests %q, want %q", got, want)
		}
		first, second := reqs[2].Body, reqs[3].Body
		if len(second) >= len(first) || !strings.Contains(res.stderr, "was too long for GitHub and was shortened") {
			t.Errorf("not shortened: %d then %d bytes\n%s", len(first), len(second), res.stderr)
		}
	})
}

// TestActionFailOnIncrease: with fail-on-increase false, over budget
// passes with a warning, and the outputs still say over.
func TestActionFailOnIncrease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		code  int
	}{{"true", exitOver}, {"false", exitOK}, {"False", exitOK}} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			s := newActionSetup(t, "/api/v3", "over", "over")
			s.vars["INPUT_COMMENT"] = "never"
			s.vars["INPUT_FAIL-ON-INCREASE"] = tc.value
			res, reqs := s.run(t, "check")
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tc.code, res.stderr)
			}
			if v := outputs(t, res.output)["verdict"]; v != "over" {
				t.Errorf("verdict output %q, want over", v)
			}
			warned := strings.Contains(res.stderr, "::warning::callbudget: over budget, but fail-on-increase is false: the step passes")
			if warned != (tc.code == exitOK) {
				t.Errorf("warning shown: %v\n%s", warned, res.stderr)
			}
			if len(reqs) != 0 {
				t.Errorf("comment never made requests: %q", requestLines(reqs))
			}
		})
	}
}

// TestActionBudgetChanged: a pull request that raises its own budget is
// within it, and the comment and the summary say the budget file changed,
// with the totals at the base and the head.
func TestActionBudgetChanged(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "over", "ok")
	res, _ := s.run(t, "check")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	note := "> | <code>pr-opened</code> | 2 | 3 | **+1** |"
	body := commentBodies(s)
	if len(body) != 1 || !strings.Contains(body[0], "**This pull request changes the budget file <code>callbudget.budget.yaml</code>.**") || !strings.Contains(body[0], note) {
		t.Errorf("the comment does not note the budget change:\n%s", body)
	}
	if !strings.Contains(res.summary, note) {
		t.Errorf("the summary does not note the budget change:\n%s", res.summary)
	}
	if strings.Contains(res.summary, "<!-- callbudget:") {
		t.Errorf("the summary holds the comment's marker")
	}
}

// TestActionBaseCommitMissing: a shallow checkout without the base commit
// is a warning, not a failure, and the comment is still posted.
func TestActionBaseCommitMissing(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "ok", "ok")
	s.vars["INPUT_COMMENT"] = "always"
	s.writeEvent(t, s.headSHA, "0123456789abcdef0123456789abcdef01234567")
	res, reqs := s.run(t, "check")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	want := "::warning::callbudget: cannot tell whether this pull request changes the budget file: commit not in the checkout: 0123456789abcdef0123456789abcdef01234567 (check out with fetch-depth: 0, or fetch the base commit)"
	if !slices.Contains(annotations(res.stderr), want) {
		t.Errorf("no warning %q:\n%s", want, res.stderr)
	}
	if got := shortRequests(reqs); !slices.Equal(got, []string{"GET comments", "GET pull", "POST comments", "GET comments", "GET pull"}) {
		t.Errorf("requests %q", got)
	}
}

// TestActionNotPullRequest: on a push there is nothing to comment on; the
// outputs and the summary are written all the same.
func TestActionNotPullRequest(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "ok", "ok")
	s.vars["GITHUB_EVENT_NAME"] = "push"
	writeTestFile(t, s.vars["GITHUB_EVENT_PATH"], `{"ref": "refs/heads/main", "before": "`+s.baseSHA+`", "after": "`+s.headSHA+`", "repository": {"full_name": "octo-org/hello-world"}}`)
	res, reqs := s.run(t, "check")
	if res.code != exitOK || len(reqs) != 0 {
		t.Fatalf("exit %d, requests %q\n%s", res.code, requestLines(reqs), res.stderr)
	}
	if outputs(t, res.output)["verdict"] != "ok" || !strings.Contains(res.summary, "within budget") {
		t.Errorf("outputs or summary missing:\n%s\n%s", res.output, res.summary)
	}
	if w := annotations(res.stderr); len(w) != 0 {
		t.Errorf("annotations on a run within budget: %q", w)
	}
}

// TestActionInputs: the inputs reach the flags they stand for, below the
// command line and CALLBUDGET_*; bad ones fail with exit 2 before any
// scenario runs.
func TestActionInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		vars      map[string]string
		args      []string
		code      int
		scenarios []string // in the report
		stderr    string   // a substring of stderr
	}{
		{name: "scenarios, a YAML block list", vars: map[string]string{"INPUT_SCENARIOS": "pr-synchronize\n"}, code: exitOK, scenarios: []string{"pr-synchronize"}},
		{name: "scenarios, comma-separated", vars: map[string]string{"INPUT_SCENARIOS": " pr-opened , pr-synchronize "}, code: exitOver, scenarios: []string{"pr-opened", "pr-synchronize"}},
		{name: "the flag beats the input", vars: map[string]string{"INPUT_SCENARIOS": "pr-opened"}, args: []string{"--scenario", "pr-synchronize"}, code: exitOK, scenarios: []string{"pr-synchronize"}},
		{name: "CALLBUDGET_SCENARIO beats the input", vars: map[string]string{"INPUT_SCENARIOS": "pr-opened", "CALLBUDGET_SCENARIO": "pr-synchronize"}, code: exitOK, scenarios: []string{"pr-synchronize"}},
		{name: "tolerance", vars: map[string]string{"INPUT_TOLERANCE": "1"}, code: exitOK, scenarios: []string{"pr-opened", "pr-synchronize"}},
		{name: "tolerance as a percentage", vars: map[string]string{"INPUT_TOLERANCE": "50%"}, code: exitOK, scenarios: []string{"pr-opened", "pr-synchronize"}},
		{name: "CALLBUDGET_TOLERANCE beats the input", vars: map[string]string{"INPUT_TOLERANCE": "1", "CALLBUDGET_TOLERANCE": "0"}, code: exitOver, scenarios: []string{"pr-opened", "pr-synchronize"}},
		{name: "bad tolerance", vars: map[string]string{"INPUT_TOLERANCE": "lots"}, code: exitError, stderr: "callbudget: input tolerance: "},
		{name: "bad comment mode", vars: map[string]string{"INPUT_COMMENT": "sometimes"}, code: exitError, stderr: `callbudget: input comment: comment mode "sometimes": want auto, always, on-change or never`},
		{name: "bad fail-on-increase", vars: map[string]string{"INPUT_FAIL-ON-INCREASE": "yes"}, code: exitError, stderr: `callbudget: input fail-on-increase: "yes": want true or false`},
		{name: "unknown scenario", vars: map[string]string{"INPUT_SCENARIOS": "nope"}, code: exitError, stderr: "nope"},
		{name: "outside GitHub Actions the inputs are not read", vars: map[string]string{"GITHUB_ACTIONS": "", "INPUT_SCENARIOS": "nope", "INPUT_CONFIG": "missing.yaml", "CALLBUDGET_CONFIG": "$WS/callbudget.yaml"}, code: exitOver, scenarios: []string{"pr-opened", "pr-synchronize"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newActionSetup(t, "/api/v3", "over", "over")
			s.vars["INPUT_COMMENT"] = "never"
			for k, v := range tc.vars {
				s.vars[k] = strings.ReplaceAll(v, "$WS", s.ws)
			}
			res, _ := s.run(t, append([]string{"check", "--format", "json"}, tc.args...)...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tc.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, res.stderr)
			}
			if tc.code == exitError {
				if strings.Contains(res.stderr, "helper:") || res.output != "" {
					t.Errorf("ran scenarios or set outputs after a bad input:\n%s", res.stderr)
				}
				return
			}
			r, err := report.ReadJSON(strings.NewReader(res.stdout), maxReportSize)
			if err != nil {
				t.Fatalf("stdout is not the JSON report (workflow commands must go to stderr): %v\n%s", err, res.stdout)
			}
			var names []string
			for _, sc := range r.Scenarios {
				names = append(names, sc.Name)
			}
			if !slices.Equal(names, tc.scenarios) {
				t.Errorf("scenarios %q, want %q", names, tc.scenarios)
			}
		})
	}
}

// TestActionReportPath: the report output is the JSON report: the
// --report file when given (relative to the workspace when in it), else
// one in RUNNER_TEMP when that folder exists (a step running the binary
// directly).
func TestActionReportPath(t *testing.T) {
	t.Parallel()
	t.Run("RUNNER_TEMP", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "ok", "ok")
		s.vars["INPUT_COMMENT"] = "never"
		s.vars["RUNNER_TEMP"] = t.TempDir()
		res, _ := s.run(t, "check")
		want := filepath.Join(s.vars["RUNNER_TEMP"], reportFileName)
		if got := outputs(t, res.output)["report"]; got != want {
			t.Errorf("report output %q, want %q", got, want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(filepath.Join(s.ws, reportFileName)); err == nil {
			t.Errorf("a report was written to the workspace too")
		}
	})
	t.Run("--report", func(t *testing.T) {
		t.Parallel()
		s := newActionSetup(t, "/api/v3", "ok", "ok")
		s.vars["INPUT_COMMENT"] = "never"
		if err := os.Mkdir(filepath.Join(s.ws, "out"), 0o755); err != nil {
			t.Fatal(err)
		}
		res, _ := s.run(t, "check", "--report", filepath.Join(s.ws, "out", "r.json"))
		if got := outputs(t, res.output)["report"]; got != "out/r.json" {
			t.Errorf("report output %q, want out/r.json", got)
		}
	})
}

// TestActionSummaryFull: a step whose summary is nearly full gets the
// report shortened to fit, saying so, under GitHub's 1 MiB.
func TestActionSummaryFull(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "over", "over")
	s.vars["INPUT_COMMENT"] = "never"
	before := strings.Repeat("x", 1<<20-1500) + "\n"
	s.summaryBefore = before
	res, _ := s.run(t, "check")
	got := readIfExists(t, s.vars["GITHUB_STEP_SUMMARY"])
	if len(got) > 1<<20 {
		t.Errorf("summary is %d bytes, over 1 MiB", len(got))
	}
	added := strings.TrimPrefix(got, before)
	if !strings.HasPrefix(added, "### callbudget: over budget") || !strings.Contains(added, "left out") {
		t.Errorf("summary not cut with a note:\n%s\n%s", added, res.stderr)
	}
}

// TestActionScenarioFails: a scenario that cannot be checked is exit 2,
// with the verdict output error and an annotation at its config line; the
// summary and the comment still go out.
func TestActionScenarioFails(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "ok", "ok")
	cfg, err := os.ReadFile(filepath.Join(s.ws, "callbudget.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(cfg), "get-pull list-files status", "get-pull explode", 1)
	writeTestFile(t, filepath.Join(s.ws, "ci", "broken.yaml"), strings.ReplaceAll(broken, "cassettes/", "../cassettes/"))
	writeTestFile(t, filepath.Join(s.ws, "ci", "callbudget.budget.yaml"), readIfExists(t, filepath.Join(s.ws, "callbudget.budget.yaml")))
	s.vars["INPUT_CONFIG"] = filepath.Join(s.ws, "ci", "broken.yaml")
	res, reqs := s.run(t, "check")
	if res.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", res.code, exitError, res.stderr)
	}
	if v := outputs(t, res.output)["verdict"]; v != "error" {
		t.Errorf("verdict output %q", v)
	}
	anns := annotations(res.stderr)
	if len(anns) != 1 || !strings.HasPrefix(anns[0], "::error file=ci/broken.yaml,line=12,title=callbudget%3A pr-synchronize failed::pr-synchronize: could not be checked: ") {
		t.Errorf("annotations %q", anns)
	}
	if !strings.Contains(res.summary, "could not check every scenario") {
		t.Errorf("summary:\n%s", res.summary)
	}
	// The key is the config's path: another config, another comment.
	if got := shortRequests(reqs); !slices.Equal(got, []string{"GET comments", "GET pull", "POST comments", "GET comments", "GET pull"}) {
		t.Errorf("requests %q", got)
	}
	if b := commentBodies(s); len(b) != 1 || !strings.HasPrefix(b[0], "<!-- callbudget:comment key=") || strings.HasPrefix(b[0], "<!-- callbudget:comment key=9d433165db28 -->") {
		t.Errorf("comment marker: %.80q", b)
	}
}

// TestActionBinary runs the built binary as the runner runs the container
// image's entrypoint: in the workspace, with the inputs' defaults as they
// come (config: callbudget.yaml, relative).
func TestActionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH")
	}
	bin := filepath.Join(t.TempDir(), "callbudget")
	build := exec.Command(gobin, "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := newActionSetup(t, "/api/v3", "over", "over")
	s.vars["INPUT_CONFIG"] = "callbudget.yaml"
	cmd := exec.Command(bin, "check")
	cmd.Dir = s.ws
	cmd.Env = s.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitOver {
		t.Fatalf("exit: %v, want %d\n%s", err, exitOver, stderr.String())
	}
	out := outputs(t, readIfExists(t, s.vars["GITHUB_OUTPUT"]))
	if out["verdict"] != "over" || out["report"] != "callbudget-report.json" {
		t.Errorf("outputs %v", out)
	}
	if _, err := os.Stat(filepath.Join(s.ws, "callbudget-report.json")); err != nil {
		t.Error(err)
	}
	if anns := annotations(stderr.String()); len(anns) != 2 || !strings.HasPrefix(anns[0], "::error file=callbudget.budget.yaml,line=7,") {
		t.Errorf("annotations %q", anns)
	}
	if b := commentBodies(s); len(b) != 1 || !strings.HasPrefix(b[0], "<!-- callbudget:comment key=9d433165db28 -->") {
		t.Errorf("comments %.80q", b)
	}
}

// TestActionHostileCassette: a request path from the code under test ends
// up in the annotations, the summary and the comment harmless: one line
// per annotation, no workflow command of its own, no HTML, no mention, no
// reordered text.
func TestActionHostileCassette(t *testing.T) {
	t.Parallel()
	s := newActionSetup(t, "/api/v3", "ok", "ok")
	writeTestFile(t, filepath.Join(s.ws, "hostile.yaml"), `budget: hostile.budget.yaml
scenarios:
  - name: hostile
    cassette: cassettes/pr.yaml
    run: '"$CB_TEST_BINARY" -test.run=^TestActionHelperClient$ -- get-pull hostile'
    allow_unmatched: true
    env:
      CB_HELPER_CLIENT: "1"
`)
	writeTestFile(t, filepath.Join(s.ws, "hostile.budget.yaml"), `version: 1
scenarios:
  hostile:
    total: 1
    mutating: 0
    resources:
      core: 1
    endpoints:
      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
`)
	s.vars["INPUT_CONFIG"] = filepath.Join(s.ws, "hostile.yaml")
	res, _ := s.run(t, "check")
	if res.code != exitOver {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, c := range commands(res.stderr) {
		if strings.Contains(c, "pwned") && !strings.HasPrefix(c, "::error file=hostile.budget.yaml,line=3,") {
			t.Errorf("the path made a workflow command: %q", c)
		}
	}
	anns := annotations(res.stderr)
	if len(anns) != 1 || strings.ContainsAny(anns[0], "\n\r\u202e") || !strings.Contains(anns[0], `\u202e`) {
		t.Errorf("annotation %q", anns)
	}
	s.golden(t, "hostile.annotations", strings.Join(anns, "\n")+"\n")
	body := commentBodies(s)
	if len(body) != 1 {
		t.Fatalf("%d comments", len(body))
	}
	for name, md := range map[string]string{"summary": res.summary, "comment": body[0]} {
		for _, bad := range []string{"<img", "\u202e", "@user", "--><", "`y`"} {
			if strings.Contains(md, bad) {
				t.Errorf("the %s holds %q", name, bad)
			}
		}
		if strings.Count(md, "-->") != strings.Count(md, "<!--") {
			t.Errorf("the %s closes an HTML comment it did not open", name)
		}
	}
}
