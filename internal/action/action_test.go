package action_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/internal/action"
	"github.com/callbudget/callbudget/internal/actionrun"
	_ "github.com/callbudget/callbudget/internal/golden" // accepts -update
	"github.com/callbudget/callbudget/prcomment"
	"github.com/callbudget/callbudget/report"
)

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"one", "pr-opened", []string{"pr-opened"}},
		{"commas", "a, b ,c", []string{"a", "b", "c"}},
		{"YAML block", "a\nb\n", []string{"a", "b"}},
		{"CRLF and blanks", "a\r\n\r\n, ,b", []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := action.SplitList(tc.in)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("SplitList(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestReadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want action.Settings
		err  string
	}{
		{name: "defaults", env: map[string]string{},
			want: action.Settings{Comment: prcomment.ModeAuto, CommentAuthor: "github-actions[bot]", FailOnIncrease: true}},
		{name: "inputs", env: map[string]string{"INPUT_COMMENT": " on-change ", "INPUT_FAIL-ON-INCREASE": "False", "INPUT_COMMENT-AUTHOR": "my-app[bot]", "INPUT_GITHUB-TOKEN": "t1", "GITHUB_TOKEN": "t2"},
			want: action.Settings{Comment: prcomment.ModeOnChange, CommentAuthor: "my-app[bot]", FailOnIncrease: false, Token: "t1"}},
		{name: "GITHUB_TOKEN when no input", env: map[string]string{"GITHUB_TOKEN": "t2"},
			want: action.Settings{Comment: prcomment.ModeAuto, CommentAuthor: "github-actions[bot]", FailOnIncrease: true, Token: "t2"}},
		{name: "CALLBUDGET_ beats the input", env: map[string]string{"INPUT_COMMENT": "always", "CALLBUDGET_COMMENT": "never", "CALLBUDGET_FAIL_ON_INCREASE": "false"},
			want: action.Settings{Comment: prcomment.ModeNever, CommentAuthor: "github-actions[bot]", FailOnIncrease: false}},
		{name: "bad mode", env: map[string]string{"INPUT_COMMENT": "sometimes"}, err: `input comment: comment mode "sometimes"`},
		{name: "bad bool", env: map[string]string{"INPUT_FAIL-ON-INCREASE": "1"}, err: `input fail-on-increase: "1": want true or false`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := action.ReadSettings(getenv(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReadPRFile(t *testing.T) {
	t.Parallel()
	const sha = "590abaace41bdb1047b7713b47b0a4c3489ca80f"
	tests := []struct {
		name, in string
		err      string
	}{
		{"good", `{"number": 42, "head_sha": "` + sha + `"}`, ""},
		{"good with newline", `{"number": 42, "head_sha": "` + sha + `"}` + "\n", ""},
		{"number as a string", `{"number": "42", "head_sha": "` + sha + `"}`, "invalid pr file"},
		{"fractional number", `{"number": 42.5, "head_sha": "` + sha + `"}`, "invalid pr file"},
		{"huge number", `{"number": 99999999999999999999, "head_sha": "` + sha + `"}`, "invalid pr file"},
		{"zero", `{"number": 0, "head_sha": "` + sha + `"}`, "number 0 is not a pull request number"},
		{"missing sha", `{"number": 42}`, `head_sha "" is not a full commit id`},
		{"short sha", `{"number": 42, "head_sha": "590abaa"}`, "is not a full commit id"},
		{"upper-case sha", `{"number": 42, "head_sha": "` + strings.ToUpper(sha) + `"}`, "is not a full commit id"},
		{"unknown field", `{"number": 42, "head_sha": "` + sha + `", "repo": "x/y"}`, `unknown field "repo"`},
		{"two objects", `{"number": 42, "head_sha": "` + sha + `"}{}`, "data after the object"},
		{"too large", `{"number": 42, "head_sha": "` + sha + `"}` + strings.Repeat(" ", action.MaxPRFileSize), "larger than"},
		{"not JSON", `number=42`, "invalid pr file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := action.ReadPRFile(strings.NewReader(tc.in))
			if tc.err == "" {
				if err != nil || p.Number != 42 || p.HeadSHA != sha {
					t.Fatalf("got %+v, %v", p, err)
				}
				return
			}
			if err == nil || !errors.Is(err, action.ErrBadPRFile) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err %v, want %q wrapping ErrBadPRFile", err, tc.err)
			}
		})
	}
}

func TestReadPullRequestEvent(t *testing.T) {
	t.Parallel()
	// The example's real-shaped pull_request payload.
	pr, err := action.ReadPullRequestEvent(filepath.Join("..", "..", "testdata", "events", "pr-opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := action.PullRequest{Number: 42, HeadSHA: "590abaace41bdb1047b7713b47b0a4c3489ca80f",
		BaseSHA: pr.BaseSHA, Owner: "octo-org", Repo: "hello-world", HeadRepo: "octo-org/hello-world"}
	if *pr != want || !action.IsSHA(pr.BaseSHA) {
		t.Errorf("got %+v", *pr)
	}

	dir := t.TempDir()
	for name, tc := range map[string]struct{ payload, err string }{
		"push":         {`{"ref": "refs/heads/main", "repository": {"full_name": "o/r"}}`, "not a pull request"},
		"bad sha":      {`{"pull_request": {"number": 1, "head": {"sha": "x"}}, "repository": {"full_name": "o/r"}}`, "head sha"},
		"bad repo":     {`{"pull_request": {"number": 1, "head": {"sha": "590abaace41bdb1047b7713b47b0a4c3489ca80f"}}, "repository": {"full_name": "o"}}`, "not owner/name"},
		"not JSON":     {`{`, "unexpected end of JSON input"},
		"no number":    {`{"pull_request": {"head": {"sha": "590abaace41bdb1047b7713b47b0a4c3489ca80f"}}, "repository": {"full_name": "o/r"}}`, "pull request number 0"},
		"missing file": {"", "no such file"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if tc.payload != "" {
			if err := os.WriteFile(path, []byte(tc.payload), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := action.ReadPullRequestEvent(path); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", name, err, tc.err)
		}
	}
}

func TestReadWorkflowRunEvent(t *testing.T) {
	t.Parallel()
	run, err := action.ReadWorkflowRunEvent(filepath.Join("..", "..", "cmd", "callbudget", "testdata", "action", "workflow_run.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := action.WorkflowRun{ID: 9123456789, Event: "pull_request", HeadSHA: "590abaace41bdb1047b7713b47b0a4c3489ca80f",
		HTMLURL: "https://github.com/octo-org/hello-world/actions/runs/9123456789", Owner: "octo-org", Repo: "hello-world", HeadRepo: "monalisa/hello-world"}
	if *run != want {
		t.Errorf("got %+v\nwant %+v", *run, want)
	}
}

func TestIsSHA(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"590abaace41bdb1047b7713b47b0a4c3489ca80f":   true,
		strings.Repeat("ab", 32):                     true,
		"590abaa":                                    false,
		"590ABAACE41BDB1047B7713B47B0A4C3489CA80F":   false,
		"590abaace41bdb1047b7713b47b0a4c3489ca80g":   false,
		"590abaace41bdb1047b7713b47b0a4c3489ca80f\n": false,
		"": false,
		"../../../../../../../../../../../../../../../../../../../etc/pas": false,
	} {
		if got := action.IsSHA(s); got != want {
			t.Errorf("IsSHA(%q) = %v", s, got)
		}
	}
}

// scenario is a compared scenario with one endpoint per delta.
func scenario(name string, status report.Status, line int, deltas ...int) report.Scenario {
	s := report.Scenario{Name: name, Status: status, BudgetLine: line, Resources: map[string]int{}}
	base := 0
	for i, d := range deltas {
		b := 5
		e := report.Endpoint{Method: "GET", Route: fmt.Sprintf("/repos/{owner}/{repo}/thing%d", i), Resource: "core", Count: b + d, Baseline: &b}
		s.Endpoints = append(s.Endpoints, e)
		s.Total += e.Count
		base += b
	}
	if status != report.StatusNew {
		s.Baseline = &base
		d := s.Total - base
		s.Delta = &d
		s.BaselineResources = map[string]int{"core": base}
	}
	s.Resources["core"] = s.Total
	return s
}

func TestScenarioAnnotations(t *testing.T) {
	t.Parallel()
	r := report.New("callbudget test")
	r.Scenarios = []report.Scenario{
		scenario("fine", report.StatusOK, 3, 0),
		scenario("cheaper", report.StatusUnder, 10, -1, -2),
		scenario("dearer", report.StatusOver, 20, 1, 0, 2, 3, 1, 1, 1),
		scenario("fresh", report.StatusNew, 0, 0),
		{Name: "broken", Status: report.StatusError, Error: "exit status 3\nsecond line"},
	}
	p := action.Places{BudgetFile: "callbudget.budget.yaml", ConfigFile: "ci/callbudget.yaml", ConfigLines: map[string]int{"fresh": 12, "broken": 17}}
	got := action.ScenarioAnnotations(r, p)
	want := []action.Annotation{
		{Level: "error", File: "callbudget.budget.yaml", Line: 20, Title: "callbudget: dearer over budget",
			Message: "dearer: 44 calls, budget 35 (+9): GET /repos/{owner}/{repo}/thing3 +3, GET /repos/{owner}/{repo}/thing2 +2, GET /repos/{owner}/{repo}/thing0 +1, GET /repos/{owner}/{repo}/thing4 +1, GET /repos/{owner}/{repo}/thing5 +1, and 1 more"},
		{Level: "error", File: "ci/callbudget.yaml", Line: 17, Title: "callbudget: broken failed", Message: "broken: could not be checked: exit status 3\nsecond line"},
		{Level: "warning", File: "ci/callbudget.yaml", Line: 12, Title: "callbudget: fresh has no baseline",
			Message: "fresh: 5 calls, and no baseline in the budget file: run `callbudget update --scenario fresh`, review the budget file and commit it"},
		{Level: "notice", File: "callbudget.budget.yaml", Line: 10, Title: "callbudget: cheaper under budget",
			Message: "cheaper: 7 calls, budget 10 (-3): GET /repos/{owner}/{repo}/thing0 -1, GET /repos/{owner}/{repo}/thing1 -2; tighten the budget with `callbudget update --scenario cheaper`"},
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestScenarioAnnotationsCap(t *testing.T) {
	t.Parallel()
	r := report.New("callbudget test")
	for i := range 25 {
		st := report.StatusOver
		if i%2 == 1 {
			st = report.StatusUnder
		}
		r.Scenarios = append(r.Scenarios, scenario(fmt.Sprintf("s%02d", i), st, i+1, map[report.Status]int{report.StatusOver: 1, report.StatusUnder: -1}[st]))
	}
	got := action.ScenarioAnnotations(r, action.Places{BudgetFile: "b.yaml"})
	if len(got) != action.MaxAnnotations {
		t.Fatalf("%d annotations, want %d", len(got), action.MaxAnnotations)
	}
	for _, a := range got[:9] {
		if a.Level != "error" || a.File != "b.yaml" || a.Line == 0 {
			t.Errorf("want the errors first, placed: %+v", a)
		}
	}
	if last := got[9]; last.Level != "warning" || !strings.HasPrefix(last.Message, "16 more scenario annotations left out") {
		t.Errorf("last: %+v", last)
	}
}

// TestAnnotateEscapes: what came from a cassette cannot end the command,
// add properties or hide text.
func TestAnnotateEscapes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	wf := action.NewWorkflow(&out, getenv(nil))
	wf.Annotate([]action.Annotation{{
		Level: "error", File: "dir,x/a:b.yaml", Line: 7, Title: "t: 100%",
		Message: "GET /repos/a%0Ab\n::set-output name=x::y\r\u202eevil",
	}})
	got := out.String()
	want := "::error file=dir%2Cx/a%3Ab.yaml,line=7,title=t%3A 100%25::GET /repos/a%250Ab\\n::set-output name=x::y\\r\\u202eevil\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.Count(got, "\n") != 1 {
		t.Errorf("the annotation spans lines: %q", got)
	}
}

func TestSetOutputs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "set_output")
	var out bytes.Buffer
	wf := action.NewWorkflow(&out, getenv(map[string]string{"GITHUB_OUTPUT": path}))
	if err := wf.SetOutputs([]action.Output{{Name: "verdict", Value: "over"}, {Name: "report", Value: "a\nb"}}); err != nil {
		t.Fatal(err)
	}
	// A value that would end go-githubactions' fixed delimiter early and
	// set another output stays one value.
	forged := "x\n_GitHubActionsFileCommandDelimeter_\nverdict<<EOF\nok\nEOF"
	if err := wf.SetOutputs([]action.Output{{Name: "report", Value: forged}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := actionrun.ReadCommandFile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if want := map[string]string{"verdict": "over", "report": forged}; !maps.Equal(got, want) {
		t.Errorf("GITHUB_OUTPUT gives %q, want %q\n%s", got, want, data)
	}
	delims := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if _, d, ok := strings.Cut(line, "<<ghadelimiter_"); ok {
			if delims[d] {
				t.Errorf("delimiter %s used twice", d)
			}
			delims[d] = true
		}
	}
	if len(delims) != 3 {
		t.Errorf("%d random delimiters, want 3:\n%s", len(delims), data)
	}

	// No GITHUB_OUTPUT, or one that cannot be written: an error, not a
	// panic.
	if err := action.NewWorkflow(&out, getenv(nil)).SetOutputs([]action.Output{{Name: "a", Value: "b"}}); err == nil {
		t.Errorf("no error without GITHUB_OUTPUT")
	}
	bad := action.NewWorkflow(&out, getenv(map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "no", "such", "dir")}))
	if err := bad.SetOutputs([]action.Output{{Name: "a", Value: "b"}}); err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT") {
		t.Errorf("err %v", err)
	}
}

func TestFitMarkdown(t *testing.T) {
	t.Parallel()
	md := "### title\n\nline one\n\n<details><summary>all</summary>\n\n" + strings.Repeat("| a | b |\n", 100) + "\n</details>\n\ntail\n"
	if got := action.FitMarkdown(md, len(md)); got != md {
		t.Errorf("a report that fits was changed")
	}
	for _, room := range []int{len(md) - 1, 600, 300, 200} {
		got := action.FitMarkdown(md, room)
		if len(got) > room {
			t.Errorf("room %d: %d bytes", room, len(got))
		}
		if !strings.Contains(got, "cut here to fit") {
			t.Errorf("room %d: no note:\n%s", room, got)
		}
		if strings.Count(got, "<details") != strings.Count(got, "</details>") {
			t.Errorf("room %d: <details> left open:\n%s", room, got)
		}
	}
	if got := action.FitMarkdown(md, 10); got != "" {
		t.Errorf("room 10: %q", got)
	}
}

func TestAppendSummary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "step_summary")
	before := strings.Repeat("x", action.MaxSummaryBytes-200) + "\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	wf := action.NewWorkflow(new(bytes.Buffer), getenv(map[string]string{"GITHUB_STEP_SUMMARY": path}))
	if room := wf.SummaryRoom(); room != 199-1 {
		t.Errorf("room %d", room)
	}
	if err := wf.AppendSummary(strings.Repeat("line\n", 100)); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if len(data) > action.MaxSummaryBytes || !strings.HasPrefix(string(data), before) {
		t.Errorf("summary is %d bytes", len(data))
	}
	if err := wf.AppendSummary(strings.Repeat("line\n", 100)); !errors.Is(err, action.ErrSummaryFull) {
		t.Errorf("err %v, want ErrSummaryFull", err)
	}
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, base string }{
		{"", "https://api.github.com/"},
		{"https://api.github.com", "https://api.github.com/"},
		{"https://ghes.example.com/api/v3", "https://ghes.example.com/api/v3/"},
		{"https://api.acme.ghe.com", "https://api.acme.ghe.com/"},
		{"http://127.0.0.1:8080/proxy/github", "http://127.0.0.1:8080/proxy/github/"},
	} {
		c, err := action.NewClient(tc.in, "tok", "callbudget/test", nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if c.BaseURL.String() != tc.base || c.UserAgent != "callbudget/test" {
			t.Errorf("%q: base %s, user agent %q", tc.in, c.BaseURL, c.UserAgent)
		}
	}
	for _, bad := range []string{"api.github.com", "ftp://x/y", "https://", "::"} {
		if _, err := action.NewClient(bad, "tok", "", nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBudgetChange(t *testing.T) {
	t.Parallel()
	parse := func(s string) *budget.File {
		f, err := budget.Parse("b.yaml", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	entry := func(name string, n int) string {
		return fmt.Sprintf("  %s:\n    total: %d\n    mutating: 0\n    resources:\n      core: %d\n    endpoints:\n      GET /x: %d # x/get\n", name, n, n, n)
	}
	old := parse("version: 1\nscenarios:\n" + entry("a", 2) + entry("b", 3) + entry("c", 4))
	now := parse("version: 1\nscenarios:\n" + entry("a", 2) + entry("b", 5) + entry("d", 1))
	got := action.BudgetChange("b.yaml", old, now)
	show := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	var lines []string
	for _, s := range got.Scenarios {
		lines = append(lines, s.Name+" "+show(s.Old)+" "+show(s.New))
	}
	if strings.Join(lines, "; ") != "b 3 5; c 4 -; d - 1" || got.Path != "b.yaml" {
		t.Errorf("got %s %q", got.Path, lines)
	}
	if action.BudgetChange("b.yaml", old, old) != nil {
		t.Errorf("no change reported as one")
	}
	if c := action.BudgetChange("b.yaml", nil, now); c == nil || len(c.Scenarios) != 3 {
		t.Errorf("a new budget file: %+v", c)
	}
}

func TestReadAtCommit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com")
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	sub := filepath.Join(dir, "ci")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "no budget")
	first := git("rev-parse", "HEAD")
	path := filepath.Join(sub, "budget.yaml")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "budget")
	second := git("rev-parse", "HEAD")
	if err := os.WriteFile(path, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	if got, err := action.ReadAtCommit(ctx, path, second, os.Getenv("PATH")); err != nil || string(got) != "old\n" {
		t.Errorf("at the second commit: %q, %v", got, err)
	}
	if got, err := action.ReadAtCommit(ctx, path, first, os.Getenv("PATH")); err != nil || got != nil {
		t.Errorf("before the file existed: %q, %v", got, err)
	}
	if _, err := action.ReadAtCommit(ctx, path, strings.Repeat("0", 40), os.Getenv("PATH")); !errors.Is(err, action.ErrNoCommit) {
		t.Errorf("missing commit: %v", err)
	}
	if _, err := action.ReadAtCommit(ctx, path, "HEAD", os.Getenv("PATH")); err == nil {
		t.Errorf("a ref name was accepted as a commit id")
	}
	if _, err := action.ReadAtCommit(ctx, filepath.Join(t.TempDir(), "b.yaml"), second, os.Getenv("PATH")); err == nil || !strings.Contains(err.Error(), "not in a git checkout") {
		t.Errorf("outside a checkout: %v", err)
	}

	// In a Docker action the checkout belongs to the runner's user and git
	// runs as root, which git refuses ("dubious ownership") unless told
	// the folder is safe.
	if os.Geteuid() != 0 {
		t.Log("not root: the checkout owned by another user is not tried")
		return
	}
	if err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 65534, 65534)
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := action.ReadAtCommit(ctx, path, second, os.Getenv("PATH")); err != nil || string(got) != "old\n" {
		t.Errorf("a checkout owned by another user: %q, %v", got, err)
	}
}

// TestReadAtCommitHostileRepository: the scenario (the pull request's
// code) can rewrite .git before callbudget reads the base commit's budget:
// here a partial-clone promisor remote with an ext:: URL that runs a
// program, allowed by the repository's own protocol.ext.allow, an
// fsmonitor hook, and the base commit's object deleted so that git would
// fetch it. Plain git runs the program; ReadAtCommit's git does not, and
// says the commit is missing.
func TestReadAtCommitHostileRepository(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com"}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	must := func(args ...string) string {
		out, err := git(args...)
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return out
	}
	must("init", "-q")
	path := filepath.Join(dir, "callbudget.budget.yaml")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must("add", "-A")
	must("commit", "-q", "-m", "base")
	base := must("rev-parse", "HEAD")
	if err := os.WriteFile(path, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must("commit", "-q", "-am", "head")

	marker := filepath.Join(t.TempDir(), "ran")
	esc := strings.ReplaceAll(marker, " ", "% ")
	must("config", "core.repositoryformatversion", "1")
	must("config", "extensions.partialclone", "evil")
	must("config", "remote.evil.url", "ext::sh -c touch% "+esc)
	must("config", "remote.evil.promisor", "true")
	must("config", "protocol.ext.allow", "always")
	must("config", "core.fsmonitor", "sh -c 'touch "+marker+"'")
	obj := filepath.Join(dir, ".git", "objects", base[:2], base[2:])
	if err := os.Remove(obj); err != nil {
		t.Fatal(err)
	}

	if _, err := action.ReadAtCommit(context.Background(), path, base, os.Getenv("PATH")); !errors.Is(err, action.ErrNoCommit) {
		t.Errorf("ReadAtCommit of the deleted base = %v, want ErrNoCommit", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("ReadAtCommit's git ran the repository's program")
	}
	for _, kv := range action.GitEnviron("/usr/bin") {
		if strings.Contains(strings.ToUpper(kv), "TOKEN") {
			t.Errorf("git's environment holds %s", kv)
		}
	}

	// Plain git, as ReadAtCommit ran it before, runs the program: the
	// repository above is hostile indeed.
	git("-c", "safe.directory=*", "cat-file", "-e", base+"^{commit}")
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("plain git did not run the program: the test no longer shows anything")
	}
}
