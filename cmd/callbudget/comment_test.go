package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
)

// The comment tests run the two-stage workflow for pull requests from
// forks: stage 1 is the action on pull_request with a read-only token
// (TestActionFaults covers its warning), which leaves the JSON report and
// pr.json as the artifact; stage 2 is `callbudget comment` on
// workflow_run, with a token that may comment and no checkout, run as the
// runner runs a step: GITHUB_EVENT_PATH a real-shaped workflow_run payload,
// GITHUB_TOKEN from the step's env.

const commentToken = "ghs_stagetwotoken9876543210"

// stage2 is the comment job: the artifact from stage 1 and the runner's
// variables of a workflow_run job.
type stage2 struct {
	*actionSetup
	artifact string // the downloaded artifact's folder
}

// newStage2 runs stage 1 (the action, read-only token) on a pull request
// whose budget files are base and head, and sets up stage 2 with its
// artifact: the report and the pr.json the stage-1 workflow writes.
func newStage2(t *testing.T, base, head string) *stage2 {
	t.Helper()
	s := newActionSetup(t, "/api/v3", base, head)
	s.gh.SetReadOnly(true)
	res, _ := s.run(t, "check")
	if res.code == exitError {
		t.Fatalf("stage 1: exit %d\n%s", res.code, res.stderr)
	}
	s.gh.SetReadOnly(false)

	st := &stage2{actionSetup: s, artifact: t.TempDir()}
	data, err := os.ReadFile(filepath.Join(s.ws, outputs(t, res.output)["report"]))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(st.artifact, "callbudget-report.json"), string(data))
	writeTestFile(t, filepath.Join(st.artifact, "callbudget-pr.json"), `{"number": 42, "head_sha": "`+s.headSHA+`"}`+"\n")

	// The budget file at both commits, as the contents API serves it.
	for sha, name := range map[string]string{s.baseSHA: base, s.headSHA: head} {
		b, err := os.ReadFile(filepath.Join("testdata", "action", "budgets", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		s.gh.SetFile(actionOwner, actionRepo, sha, "callbudget.budget.yaml", string(b))
	}

	// Stage 2's environment: a workflow_run job, no inputs, no checkout.
	ws := t.TempDir()
	s.vars = map[string]string{
		"PATH":                os.Getenv("PATH"),
		"HOME":                filepath.Join(s.dir, "home"),
		"CI":                  "true",
		"GITHUB_ACTIONS":      "true",
		"GITHUB_WORKSPACE":    ws,
		"GITHUB_EVENT_NAME":   "workflow_run",
		"GITHUB_EVENT_PATH":   filepath.Join(s.dir, "workflow_run.json"),
		"GITHUB_OUTPUT":       filepath.Join(s.dir, "file_commands", "set_output_2"),
		"GITHUB_STEP_SUMMARY": filepath.Join(s.dir, "file_commands", "step_summary_2"),
		"GITHUB_API_URL":      strings.TrimSuffix(s.gh.URL(), "/"),
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_REPOSITORY":   actionOwner + "/" + actionRepo,
		"GITHUB_RUN_ID":       "9002",
		"GITHUB_TOKEN":        commentToken,
	}
	st.writeRunEvent(t, s.headSHA, "octo-org/hello-world", "pull_request")
	return st
}

// writeRunEvent writes testdata/action/workflow_run.json with the run's
// head commit, head repository and event.
func (st *stage2) writeRunEvent(t *testing.T, head, headRepo, event string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "action", "workflow_run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	run := ev["workflow_run"].(map[string]any)
	run["head_sha"], run["event"] = head, event
	run["head_repository"].(map[string]any)["full_name"] = headRepo
	out, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, st.vars["GITHUB_EVENT_PATH"], string(out))
}

func (st *stage2) args(extra ...string) []string {
	return append([]string{"comment",
		"--report", filepath.Join(st.artifact, "callbudget-report.json"),
		"--pr-file", filepath.Join(st.artifact, "callbudget-pr.json"),
	}, extra...)
}

// TestCommentStage2 is the comment job of the two-stage workflow: it
// checks the pull request's head, reads the budget file at the base and
// head through the API, and creates the comment stage 1 could not; run
// again, it has nothing to change.
func TestCommentStage2(t *testing.T) {
	t.Parallel()
	st := newStage2(t, "over", "over")
	s := st.actionSetup
	s.gh.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, HeadSHA: s.headSHA, BaseSHA: s.baseSHA})
	res, reqs := s.run(t, st.args()...)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	// Post reuses the pull request read first for its check before the
	// create, then lists again and reads the head after it
	// (prcomment/doc.go).
	if got, want := shortRequests(reqs), []string{"GET pull", "GET contents", "GET contents", "GET comments", "POST comments", "GET comments", "GET pull"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+commentToken {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
	if q := reqs[1].RawQuery + " " + reqs[2].RawQuery; q != "ref="+s.baseSHA+" ref="+s.headSHA {
		t.Errorf("contents read at %q, want the base and the head", q)
	}
	bodies := commentBodies(s)
	if len(bodies) != 1 {
		t.Fatalf("%d comments, want 1", len(bodies))
	}
	// The comment links the run that counted (stage 1), from the event.
	if !strings.Contains(bodies[0], "https://github.com/octo-org/hello-world/actions/runs/9123456789") {
		t.Errorf("the comment does not link the stage 1 run")
	}
	s.golden(t, "comment-stage2.comment", bodies[0])
	// The same comment the single-stage action posts for this pull
	// request (TestActionCheckOver), but for the link to the run.
	single, err := os.ReadFile(filepath.Join("testdata", "action", "check-over.comment.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.normalize(bodies[0]), strings.Replace(string(single), "/actions/runs/9001)", "/actions/runs/9123456789)", 1); got != want {
		t.Errorf("stage 2's comment is not the single-stage one")
	}
	s.golden(t, "comment-stage2.stderr", res.stderr)

	res, reqs = s.run(t, st.args()...)
	if res.code != exitOK {
		t.Fatalf("second run: exit %d\n%s", res.code, res.stderr)
	}
	if got, want := shortRequests(reqs), []string{"GET pull", "GET contents", "GET contents", "GET comments"}; !slices.Equal(got, want) {
		t.Errorf("second run: requests %q, want %q", got, want)
	}
	if !strings.Contains(res.stderr, "callbudget: PR comment on #42 unchanged") {
		t.Errorf("second run: %s", res.stderr)
	}
}

// TestCommentStage2BudgetChanged: the note on a budget file the pull
// request changes comes from the API, not from the artifact.
func TestCommentStage2BudgetChanged(t *testing.T) {
	t.Parallel()
	st := newStage2(t, "over", "ok")
	res, _ := st.run(t, st.args()...)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	bodies := commentBodies(st.actionSetup)
	if len(bodies) != 1 || !strings.Contains(bodies[0], "> | <code>pr-opened</code> | 2 | 3 | **+1** |") {
		t.Errorf("no budget note:\n%s", bodies)
	}
}

// TestCommentStage2Refuses: a bad artifact, or one that is not about the
// run's pull request, fails with exit 2 and comments nothing.
func TestCommentStage2Refuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(t *testing.T, st *stage2)
		args   []string
		stderr string
		want   []string // the requests made
	}{
		{
			name:   "report not JSON",
			setup:  func(t *testing.T, st *stage2) { st.writeArtifact(t, "callbudget-report.json", "<html>") },
			stderr: "invalid report",
		},
		{
			name: "report too large",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-report.json", `{"version": 1`+strings.Repeat(" ", maxReportSize)+`}`)
			},
			stderr: "invalid report: larger than 5242880 bytes",
		},
		{
			name: "report of another schema",
			setup: func(t *testing.T, st *stage2) {
				st.editReport(t, func(r map[string]any) { r["version"] = 2 })
			},
			stderr: "version 2, want 1",
		},
		{
			name: "report whose verdict hides a regression",
			setup: func(t *testing.T, st *stage2) {
				st.editReport(t, func(r map[string]any) { r["verdict"] = "ok" })
			},
			stderr: `verdict "ok" contradicts the scenarios`,
		},
		{
			name: "pr number a string",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-pr.json", `{"number": "42", "head_sha": "`+st.headSHA+`"}`)
			},
			stderr: "invalid pr file",
		},
		{
			name: "pr number negative",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-pr.json", `{"number": -42, "head_sha": "`+st.headSHA+`"}`)
			},
			stderr: "invalid pr file: number -42 is not a pull request number",
		},
		{
			name: "head sha not a commit id",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-pr.json", `{"number": 42, "head_sha": "HEAD"}`)
			},
			stderr: `invalid pr file: head_sha "HEAD" is not a full commit id`,
		},
		{
			name: "pr file with more fields",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-pr.json", `{"number": 42, "head_sha": "`+st.headSHA+`", "owner": "evil"}`)
			},
			stderr: `unknown field "owner"`,
		},
		{
			name: "head sha not the run's",
			setup: func(t *testing.T, st *stage2) {
				st.writeRunEvent(t, "0123456789abcdef0123456789abcdef01234567", "octo-org/hello-world", "pull_request")
			},
			stderr: "but the workflow run's head is 0123456789abcdef0123456789abcdef01234567: refusing to comment",
		},
		{
			name: "a run that was not for a pull request",
			setup: func(t *testing.T, st *stage2) {
				st.writeRunEvent(t, st.headSHA, "octo-org/hello-world", "push")
			},
			stderr: `the workflow run was for a "push" event, not a pull request`,
		},
		{
			name: "another pull request from another repository",
			setup: func(t *testing.T, st *stage2) {
				st.writeRunEvent(t, st.headSHA, "mallory/hello-world", "pull_request")
			},
			stderr: "pull request #42 comes from octo-org/hello-world, but the workflow run from mallory/hello-world",
			want:   []string{"GET pull"},
		},
		{
			name: "no such pull request",
			setup: func(t *testing.T, st *stage2) {
				st.writeArtifact(t, "callbudget-pr.json", `{"number": 7, "head_sha": "`+st.headSHA+`"}`)
			},
			stderr: "pull request octo-org/hello-world#7 not found",
			want:   []string{"GET /repos/octo-org/hello-world/pulls/7"},
		},
		{
			name:   "no token",
			setup:  func(t *testing.T, st *stage2) { delete(st.vars, "GITHUB_TOKEN") },
			stderr: "no token",
		},
		{
			name:   "--pr-file and --pr",
			args:   []string{"--pr", "42"},
			stderr: "give --pr-file, or --pr and --head-sha, not both",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newStage2(t, "over", "over")
			if tc.setup != nil {
				tc.setup(t, st)
			}
			res, reqs := st.run(t, st.args(tc.args...)...)
			if res.code != exitError {
				t.Fatalf("exit %d, want %d\n%s", res.code, exitError, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, res.stderr)
			}
			if got := shortRequests(reqs); !slices.Equal(got, tc.want) {
				t.Errorf("requests %q, want %q", got, tc.want)
			}
			if n := len(st.gh.Comments(actionOwner, actionRepo, actionPR)); n != 0 {
				t.Errorf("%d comments", n)
			}
		})
	}
}

func (st *stage2) writeArtifact(t *testing.T, name, content string) {
	t.Helper()
	writeTestFile(t, filepath.Join(st.artifact, name), content)
}

func (st *stage2) editReport(t *testing.T, edit func(map[string]any)) {
	t.Helper()
	path := filepath.Join(st.artifact, "callbudget-report.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	edit(r)
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, path, string(out))
}

// TestCommentStage2NothingToDo: a pull request that has moved on, a
// read-only token and --comment never exit 0 without commenting.
func TestCommentStage2NothingToDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(st *stage2)
		args    []string
		stderr  string
		want    []string
		warning bool
	}{
		{
			name: "the pull request has moved on",
			setup: func(st *stage2) {
				st.gh.AddPullRequest(actionOwner, actionRepo, fakegithub.PullRequest{Number: actionPR, HeadSHA: "89abcdef0123456789abcdef0123456789abcdef", BaseSHA: st.baseSHA})
			},
			stderr: "::notice::callbudget: pull request #42 has moved on to 89abcdef0123456789abcdef0123456789abcdef",
			want:   []string{"GET pull"},
		},
		{
			name:    "read-only token",
			setup:   func(st *stage2) { st.gh.SetReadOnly(true) },
			stderr:  "::warning::callbudget: no PR comment on #42: create comment on octo-org/hello-world#42: the token may not comment",
			want:    []string{"GET pull", "GET contents", "GET contents", "GET comments", "POST comments"},
			warning: true,
		},
		{
			name:   "--comment never",
			args:   []string{"--comment", "never"},
			stderr: "callbudget: --comment never: nothing to do",
		},
		{
			name:   "CALLBUDGET_COMMENT=never",
			setup:  func(st *stage2) { st.vars["CALLBUDGET_COMMENT"] = "never" },
			stderr: "callbudget: --comment never: nothing to do",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newStage2(t, "over", "over")
			if tc.setup != nil {
				tc.setup(st)
			}
			res, reqs := st.run(t, st.args(tc.args...)...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, res.stderr)
			}
			if got := shortRequests(reqs); !slices.Equal(got, tc.want) {
				t.Errorf("requests %q, want %q", got, tc.want)
			}
			var warns int
			for _, a := range annotations(res.stderr) {
				if strings.HasPrefix(a, "::warning") {
					warns++
				}
			}
			if want := map[bool]int{true: 1}[tc.warning]; warns != want {
				t.Errorf("%d warnings, want %d:\n%s", warns, want, res.stderr)
			}
			if n := len(st.gh.Comments(actionOwner, actionRepo, actionPR)); n != 0 {
				t.Errorf("%d comments", n)
			}
		})
	}
}

// TestCommentFlags: outside workflow_run (a developer, or the dogfood
// scenario), the pull request comes from --pr and --head-sha and the
// repository from GITHUB_REPOSITORY; warnings are plain text outside
// GitHub Actions.
func TestCommentFlags(t *testing.T) {
	t.Parallel()
	st := newStage2(t, "over", "over")
	for _, k := range []string{"GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		delete(st.vars, k)
	}
	args := []string{"comment", "--report", filepath.Join(st.artifact, "callbudget-report.json"), "--pr", "42", "--head-sha", st.headSHA, "--budget", "missing.yaml"}
	res, reqs := st.run(t, args...)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	// Post reuses the pull request read first for its check before the
	// create, then lists again and reads the head after it
	// (prcomment/doc.go).
	if got, want := shortRequests(reqs), []string{"GET pull", "GET contents", "GET contents", "GET comments", "POST comments", "GET comments", "GET pull"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if strings.Contains(res.stderr, "::") {
		t.Errorf("workflow commands outside GitHub Actions:\n%s", res.stderr)
	}

	for _, bad := range [][]string{
		{"--pr", "42"},
		{"--pr", "0", "--head-sha", st.headSHA},
		{"--pr", "42abc", "--head-sha", st.headSHA},
		{"--pr", "42", "--head-sha", strings.ToUpper(st.headSHA)},
	} {
		res, reqs := st.run(t, append([]string{"comment", "--report", filepath.Join(st.artifact, "callbudget-report.json")}, bad...)...)
		if res.code != exitError || len(reqs) != 0 {
			t.Errorf("%q: exit %d, %d requests\n%s", bad, res.code, len(reqs), res.stderr)
		}
	}
	if res, _ := st.run(t, "comment", "--pr", "42", "--head-sha", st.headSHA); res.code != exitError || !strings.Contains(res.stderr, "--report is required") {
		t.Errorf("no --report: exit %d\n%s", res.code, res.stderr)
	}
}
