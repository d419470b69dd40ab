package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/internal/action"
	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/prcomment"
	"github.com/callbudget/callbudget/report"
	"github.com/google/go-github/v62/github"
	"github.com/spf13/cobra"
)

// reportFileName is the JSON report's name when neither --report nor the
// config names one.
const reportFileName = "callbudget-report.json"

// actionSetup adds the GitHub Action's parts to the command tree: the
// comment command, and the action's inputs as a layer of settings under
// the flags and CALLBUDGET_* (applied after settings, so for the flags
// those left unset).
func (a *app) actionSetup(root *cobra.Command) {
	root.AddCommand(a.commentCmd())
	settings := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := settings(cmd, args); err != nil {
			return err
		}
		return a.actionInputs(cmd)
	}
}

// actionInputs applies the action's inputs inside GitHub Actions
// (GITHUB_ACTIONS=true): the runner passes a Docker action's inputs as
// INPUT_<NAME> variables, read here with go-githubactions. An input that
// stands for a flag (config, scenarios, tolerance; comment and
// comment-author for the comment command) sets it when neither the command
// line nor CALLBUDGET_<FLAG> did, so the precedence is: flag, then
// CALLBUDGET_<FLAG>, then the input, then callbudget.yaml, then the
// default. For check the inputs that are not flags (comment,
// comment-author, fail-on-increase) are checked here too, so that a bad
// one fails with exit 2 before any scenario runs.
func (a *app) actionInputs(cmd *cobra.Command) error {
	if a.env.get("GITHUB_ACTIONS") != "true" {
		return nil
	}
	for _, in := range action.FlagInputs {
		f := cmd.Flags().Lookup(in.Flag)
		if f == nil || f.Changed {
			continue
		}
		v := action.FlagValue(in, action.Input(a.env.get, in.Input))
		if v == "" {
			continue
		}
		if in.Flag == "tolerance" {
			if _, err := budget.ParseTolerance(v); err != nil {
				return &usageError{fmt.Errorf("input %s: %w", in.Input, err)}
			}
		}
		if err := cmd.Flags().Set(in.Flag, v); err != nil {
			return &usageError{fmt.Errorf("input %s %q: %v", in.Input, v, err)}
		}
	}
	if cmd.Name() == "check" {
		if _, err := action.ReadSettings(a.env.get); err != nil {
			return &usageError{err}
		}
	}
	return nil
}

// actionReport does what `check` does only inside GitHub Actions
// (GITHUB_ACTIONS=true), once the report is written: the step outputs
// (verdict, total, delta, report: the JSON report's path), the job summary,
// at most 10 annotations pointing at the budget file, and the sticky PR
// comment on a pull_request event. Workflow commands go to stderr, which
// the runner reads like stdout, so that stdout stays the report (--format
// json).
//
// It never changes the verdict: a fault here is a warning, and the exit
// code stays the budget's. It reports whether an over verdict should pass
// the step anyway (the fail-on-increase input is false; it has warned);
// the outputs and the report say "over" still.
func (a *app) actionReport(ctx context.Context, cfg *config.Config, r *report.Report, pre actionPrelude) (passOver bool) {
	wf := action.NewWorkflow(a.stderr, a.env.get)
	st, err := action.ReadSettings(a.env.get)
	if err != nil { // checked before the scenarios ran; unreachable
		wf.Warning("callbudget: %v", err)
		return false
	}
	ws := a.workspace()

	reportPath, err := a.actionReportFile(r, ws)
	if err != nil {
		wf.Warning("callbudget: %v", err)
	}
	total, delta := r.Totals()
	if err := wf.SetOutputs([]action.Output{
		{Name: "verdict", Value: string(r.Verdict)},
		{Name: "total", Value: strconv.Itoa(total)},
		{Name: "delta", Value: action.Signed(delta)},
		{Name: "report", Value: reportPath},
		// For the action's comment step: the comment's key and the
		// budget file, as the comment command's --key and --budget.
		{Name: "comment-key", Value: commentKey(cfg.Path, ws)},
		{Name: "budget-file", Value: workspaceRel(a.budgetPath(), ws)},
	}); err != nil {
		wf.Warning("callbudget: step outputs not set: %v", err)
	}

	pr, change := pre.pr, pre.change
	ro := prcomment.RenderOptions{Key: commentKey(cfg.Path, ws), RunURL: a.runURL(), Budget: change}
	if pr != nil {
		ro.HeadSHA = pr.HeadSHA
	}

	if a.env.get("GITHUB_STEP_SUMMARY") == "" {
		wf.Warning("callbudget: GITHUB_STEP_SUMMARY is not set: no job summary")
	} else {
		so := ro
		so.MaxChars = wf.SummaryRoom()
		if err := wf.AppendSummary(withoutMarker(prcomment.Render(r, so))); err != nil {
			wf.Warning("callbudget: job summary not written: %v", err)
		}
	}

	lines := make(map[string]int, len(cfg.Scenarios))
	for _, s := range cfg.Scenarios {
		lines[s.Name] = s.Line
	}
	wf.Annotate(action.ScenarioAnnotations(r, action.Places{
		BudgetFile: workspaceRel(a.budgetPath(), ws), ConfigFile: workspaceRel(cfg.Path, ws), ConfigLines: lines,
	}))

	// The action posts the comment in a step of its own, after this
	// process and every scenario process are gone: the token is never
	// where the pull request's code runs (docs/SECURITY.md).
	if pr != nil && a.env.get(envCommentLater) != "true" {
		a.postComment(ctx, wf, st, commentTarget{
			owner: pr.Owner, repo: pr.Repo, number: pr.Number, headSHA: pr.HeadSHA,
		}, r, ro)
	}

	if r.Verdict == report.VerdictOver && !st.FailOnIncrease {
		wf.Warning("callbudget: over budget, but fail-on-increase is false: the step passes")
		return true
	}
	return false
}

// envCommentLater, set to true by action.yml's check step, says that a
// later step posts the comment (with the comment command): check has no
// token, and only writes the report.
const envCommentLater = "CALLBUDGET_COMMENT_LATER"

// actionPrelude is what check reads inside GitHub Actions before any
// scenario runs, as a scenario (the pull request's code) could change it:
// the pull request event (GITHUB_EVENT_PATH is a file in the runner's
// temp folder), and the budget file at the pull request's base commit
// (with git, whose repository the scenario could rewrite) against the
// one check loaded.
type actionPrelude struct {
	pr     *action.PullRequest
	change *prcomment.BudgetChange
}

// readActionPrelude reads the actionPrelude; now is the budget file check
// loaded (nil when there is none). Faults are warnings: the comment then
// lacks the note.
func (a *app) readActionPrelude(ctx context.Context, wf *action.Workflow, now *budget.File) actionPrelude {
	var pre actionPrelude
	pr, err := action.ReadPullRequestEvent(a.env.get("GITHUB_EVENT_PATH"))
	if err != nil && !errors.Is(err, action.ErrNotPullRequest) {
		wf.Warning("callbudget: no PR comment: %v", err)
	}
	pre.pr = pr
	if pr != nil && pr.BaseSHA != "" {
		pre.change, err = a.budgetChangeSince(ctx, pr.BaseSHA, a.budgetPath(), a.workspace(), now)
		if err != nil {
			wf.Warning("callbudget: cannot tell whether this pull request changes the budget file: %v", err)
		}
	}
	return pre
}

// commentTarget is the pull request a comment goes to.
type commentTarget struct {
	owner, repo string
	number      int
	headSHA     string
	pull        *github.PullRequest // as just read, when the caller did
}

// postComment renders and posts the sticky comment as st says. Every
// failure is a warning (one for a read-only token or a locked
// conversation); it returns the error for the comment command's exit
// code, nil for those two.
func (a *app) postComment(ctx context.Context, wf *action.Workflow, st action.Settings, t commentTarget, r *report.Report, ro prcomment.RenderOptions) error {
	if st.Comment == prcomment.ModeNever {
		return nil
	}
	if st.Token == "" {
		err := errors.New("no token: set the github-token input (or GITHUB_TOKEN)")
		wf.Warning("callbudget: no PR comment: %v", err)
		return err
	}
	client, err := action.NewClient(a.env.get("GITHUB_API_URL"), st.Token, "callbudget/"+version, nil)
	if err != nil {
		wf.Warning("callbudget: no PR comment: %v", err)
		return err
	}
	ro.HeadSHA = t.headSHA
	body := prcomment.Render(r, ro)
	res, err := prcomment.Post(ctx, body, prcomment.Options{
		Client: client, Owner: t.owner, Repo: t.repo, Number: t.number,
		HeadSHA: t.headSHA, Key: ro.Key, Author: st.CommentAuthor, PullRequest: t.pull,
		Mode: st.Comment, Changed: prcomment.Changed(r, ro.Budget),
		Shorten: func(body string) string {
			short := ro
			short.MaxChars = len(body) / 2
			return prcomment.Render(r, short)
		},
	})
	for _, w := range res.Warnings {
		wf.Warning("callbudget: %s", w)
	}
	switch {
	case errors.Is(err, prcomment.ErrReadOnly), errors.Is(err, prcomment.ErrLocked):
		wf.Warning("callbudget: no PR comment on #%d: %v; the job summary has the report (for pull requests from forks, see docs/workflows/callbudget-fork-stage2.yml)", t.number, err)
		return nil
	case err != nil:
		wf.Warning("callbudget: PR comment on #%d failed: %v", t.number, err)
		return err
	}
	msg := fmt.Sprintf("callbudget: PR comment on #%d %s", t.number, res.Action)
	if res.URL != "" {
		msg += ": " + res.URL
	}
	if len(res.Deleted) > 0 {
		msg += fmt.Sprintf(" (%d duplicate(s) deleted)", len(res.Deleted))
	}
	fmt.Fprintln(a.stderr, msg)
	return nil
}

// actionReportFile returns the path of the JSON report for the report
// output, writing the report when neither --report nor the config asked
// for one: to RUNNER_TEMP when that folder exists (a step running the
// binary directly), else to the workspace (a Docker action, where the
// runner's temp folder is not mounted). A path inside the workspace is
// given relative to it, which names the same file inside the action's
// container (/github/workspace) and in the steps after it.
func (a *app) actionReportFile(r *report.Report, ws string) (string, error) {
	path := a.v.GetString("report")
	if path == "" {
		dir := ws
		if t := a.env.get("RUNNER_TEMP"); t != "" {
			if fi, err := os.Stat(t); err == nil && fi.IsDir() {
				dir = t
			}
		}
		path = filepath.Join(dir, reportFileName)
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			return "", err
		}
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			return "", fmt.Errorf("write report %s: %w", path, err)
		}
	}
	return workspaceRel(path, ws), nil
}

// budgetChangeSince compares the budget file at the pull request's base
// commit with now, the one checked out (nil when there is none).
func (a *app) budgetChangeSince(ctx context.Context, baseSHA, bpath, ws string, now *budget.File) (*prcomment.BudgetChange, error) {
	data, err := action.ReadAtCommit(ctx, bpath, baseSHA, a.env.get("PATH"))
	if err != nil {
		return nil, err
	}
	var old *budget.File
	if data != nil {
		if old, err = budget.Parse(workspaceRel(bpath, ws)+"@"+baseSHA[:12], data); err != nil {
			return nil, err
		}
	}
	return action.BudgetChange(workspaceRel(bpath, ws), old, now), nil
}

// workspace is GITHUB_WORKSPACE as an absolute path, else the working
// directory.
func (a *app) workspace() string {
	ws := a.env.get("GITHUB_WORKSPACE")
	if ws == "" {
		ws = "."
	}
	if abs, err := filepath.Abs(ws); err == nil {
		return abs
	}
	return ws
}

// workspaceRel is path relative to the workspace, with slashes, when it
// is inside it (what annotations and later steps want); else absolute.
func workspaceRel(path, ws string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(ws, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return abs
}

// commentKey is the sticky comment's key: the config's path in the
// repository, so that each config has its own comment.
func commentKey(configPath, ws string) string {
	return workspaceRel(configPath, ws)
}

// runURL links the workflow run, from the runner's variables.
func (a *app) runURL() string {
	server, repo, id := a.env.get("GITHUB_SERVER_URL"), a.env.get("GITHUB_REPOSITORY"), a.env.get("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + repo + "/actions/runs/" + id
}

// withoutMarker makes a comment body the job summary: it drops the hidden
// marker and metadata lines, and the footer's note about the comment.
func withoutMarker(body string) string {
	if _, ok := prcomment.ParseMeta(body); !ok {
		return body
	}
	for range 2 {
		line, rest, _ := strings.Cut(body, "\n")
		if !strings.HasPrefix(line, "<!-- callbudget:") {
			break
		}
		body = rest
	}
	body = strings.Replace(body, " · this comment is updated in place on each run</sub>", "</sub>", 1)
	return strings.TrimLeft(body, "\n")
}
