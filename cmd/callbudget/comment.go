package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/internal/action"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/internal/regfile"
	"github.com/callbudget/callbudget/prcomment"
	"github.com/callbudget/callbudget/report"
	"github.com/google/go-github/v62/github"
	"github.com/spf13/cobra"
)

// maxReportSize caps the JSON report the comment command reads: it comes
// from a workflow run of untrusted code, and a real one is kilobytes.
const maxReportSize = 5 << 20

func (a *app) commentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "comment --report FILE (--pr-file FILE | --pr N --head-sha SHA)",
		Short: "Post or update the sticky PR comment from a saved JSON report",
		Long: `Post the sticky pull-request comment check posts, from a JSON report saved
by an earlier run: the second stage of the two-stage workflow for pull
requests from forks, whose first stage has only a read-only token (see
docs/workflows/).

The report and pr.json come from a run of the pull request's code, so both
are checked: the report's schema and size (at most 5 MiB), the pull request
number, and the head commit, which must be the workflow_run event's head_sha
(when run on workflow_run) and the pull request's head now. A pull request
that has moved on to another head is not commented on (exit 0). The note on
a budget file the pull request changes reads --budget at the pull request's
base and head commits through the API.

The token is the github-token input or GITHUB_TOKEN; the repository is the
workflow_run event's, else GITHUB_REPOSITORY.

Exit codes: 0 commented, or nothing to do (--comment mode, a moved head, a
read-only token or a locked conversation: a warning); 2 a bad report, pr
file or flag, a head commit that does not match, or a comment GitHub
refused.`,
		Example: `  callbudget comment --report callbudget-report.json --pr-file callbudget-pr.json
  GITHUB_REPOSITORY=o/r callbudget comment --report r.json --pr 42 --head-sha 590abaace41bdb1047b7713b47b0a4c3489ca80f`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.comment(cmd.Context()) },
	}
	f := cmd.Flags()
	// --report names the report to read here, where the other commands
	// write one: this flag shadows the persistent one.
	f.String("report", "", "the JSON report saved by check (required)")
	f.String("pr-file", "", `pr.json written by the first stage: {"number": N, "head_sha": "SHA"}`)
	f.Int("pr", 0, "the pull request number (instead of --pr-file)")
	f.String("head-sha", "", "the head commit the report is for (with --pr)")
	f.String("key", config.DefaultFile, "the comment's key: the config's path in the repository, as check uses it")
	f.String("budget", config.DefaultBudget, `the budget file's path in the repository, read at the pull request's base and head for the budget-change note ("" for no note)`)
	f.String("comment", string(prcomment.ModeAuto), "when to comment: auto, always, on-change or never")
	f.String("comment-author", prcomment.DefaultAuthor, "the login the sticky comment is searched under (the token's)")
	return cmd
}

func (a *app) comment(ctx context.Context) error {
	reportPath := a.v.GetString("report")
	if reportPath == "" {
		return &usageError{errors.New("comment: --report is required")}
	}
	mode, err := prcomment.ParseMode(a.v.GetString("comment"))
	if err != nil {
		return &usageError{fmt.Errorf("--comment: %w", err)}
	}
	pr, err := a.commentPR()
	if err != nil {
		return err
	}
	r, err := readReportFile(reportPath)
	if err != nil {
		return err
	}
	wf := action.NewWorkflow(a.stderr, a.env.get)
	inActions := a.env.get("GITHUB_ACTIONS") == "true"
	warn := func(format string, args ...any) {
		if inActions {
			wf.Warning(format, args...)
		} else {
			fmt.Fprintf(a.stderr, "warning: "+format+"\n", args...)
		}
	}

	t := commentTarget{number: pr.Number, headSHA: pr.HeadSHA}
	runURL := a.runURL()
	var headRepo string
	if a.env.get("GITHUB_EVENT_NAME") == "workflow_run" {
		run, err := action.ReadWorkflowRunEvent(a.env.get("GITHUB_EVENT_PATH"))
		if err != nil {
			return err
		}
		if run.Event != "pull_request" && run.Event != "pull_request_target" {
			return fmt.Errorf("comment: the workflow run was for a %q event, not a pull request", run.Event)
		}
		if run.HeadSHA != pr.HeadSHA {
			return fmt.Errorf("comment: the report is for head %s but the workflow run's head is %s: refusing to comment", pr.HeadSHA, run.HeadSHA)
		}
		t.owner, t.repo, headRepo = run.Owner, run.Repo, run.HeadRepo
		if run.HTMLURL != "" {
			runURL = run.HTMLURL // the run that counted, not this one
		}
	} else {
		var ok bool
		full := a.env.get("GITHUB_REPOSITORY")
		if t.owner, t.repo, ok = strings.Cut(full, "/"); !ok || t.owner == "" || t.repo == "" {
			return &usageError{fmt.Errorf("comment: GITHUB_REPOSITORY %q is not owner/name", full)}
		}
	}

	st := action.Settings{Comment: mode, CommentAuthor: a.v.GetString("comment-author"), Token: action.Input(a.env.get, "github-token")}
	if st.Token == "" {
		st.Token = strings.TrimSpace(a.env.get("GITHUB_TOKEN"))
	}
	if mode == prcomment.ModeNever {
		fmt.Fprintln(a.stderr, "callbudget: --comment never: nothing to do")
		return nil
	}
	if st.Token == "" {
		return errors.New("comment: no token: set GITHUB_TOKEN (or the github-token input)")
	}
	client, err := action.NewClient(a.env.get("GITHUB_API_URL"), st.Token, "callbudget/"+version, nil)
	if err != nil {
		return err
	}

	// The pull request as GitHub has it now: its head must still be the
	// report's, from the same repository as the run's.
	ghPR, err := prcomment.PullRequest(ctx, prcomment.Options{Client: client, Owner: t.owner, Repo: t.repo, Number: t.number})
	if err != nil {
		if resp := (*github.ErrorResponse)(nil); errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusNotFound {
			return fmt.Errorf("comment: pull request %s/%s#%d not found", t.owner, t.repo, t.number)
		}
		return fmt.Errorf("comment: read pull request %s/%s#%d: %w", t.owner, t.repo, t.number, err)
	}
	if got := ghPR.GetHead().GetRepo().GetFullName(); headRepo != "" && got != "" && got != headRepo {
		return fmt.Errorf("comment: pull request #%d comes from %s, but the workflow run from %s: refusing to comment", t.number, got, headRepo)
	}
	if head := ghPR.GetHead().GetSHA(); head != pr.HeadSHA {
		if inActions {
			wf.Notice("callbudget: pull request #%d has moved on to %s; this report is for %s: not commenting", t.number, head, pr.HeadSHA)
		} else {
			fmt.Fprintf(a.stderr, "callbudget: pull request #%d has moved on to %s; this report is for %s: not commenting\n", t.number, head, pr.HeadSHA)
		}
		return nil
	}

	var change *prcomment.BudgetChange
	if path := a.v.GetString("budget"); path != "" {
		change, err = budgetChangeAPI(ctx, client, t.owner, t.repo, path, ghPR.GetBase().GetSHA(), pr.HeadSHA)
		if err != nil {
			warn("callbudget: cannot tell whether the pull request changes %s: %v", path, err)
		}
	}
	ro := prcomment.RenderOptions{Key: a.v.GetString("key"), RunURL: runURL, Budget: change}
	t.pull = ghPR
	if err := a.postComment(ctx, wf, st, t, r, ro); err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	return nil
}

// commentPR is the pull request number and head commit, from --pr-file or
// from --pr and --head-sha, checked.
func (a *app) commentPR() (action.PRFile, error) {
	file, num, head := a.v.GetString("pr-file"), a.v.GetInt("pr"), a.v.GetString("head-sha")
	switch {
	case file != "" && (num != 0 || head != ""):
		return action.PRFile{}, &usageError{errors.New("comment: give --pr-file, or --pr and --head-sha, not both")}
	case file != "":
		f, _, err := regfile.Open(file)
		if err != nil {
			return action.PRFile{}, fmt.Errorf("comment: %s: %w", file, err)
		}
		defer f.Close()
		p, err := action.ReadPRFile(f)
		if err != nil {
			return action.PRFile{}, fmt.Errorf("comment: %s: %w", file, err)
		}
		return p, nil
	case num == 0 && head == "":
		return action.PRFile{}, &usageError{errors.New("comment: give --pr-file, or --pr and --head-sha")}
	}
	p := action.PRFile{Number: num, HeadSHA: head}
	if err := p.Validate(); err != nil {
		return action.PRFile{}, &usageError{fmt.Errorf("comment: --pr %d --head-sha %q: %w", num, head, err)}
	}
	return p, nil
}

// readReportFile reads a JSON report from a run this command does not
// trust, with report.ReadJSON's checks and a size cap.
func readReportFile(path string) (*report.Report, error) {
	f, _, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("comment: %s: %w", path, err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f, maxReportSize)
	if err != nil {
		return nil, fmt.Errorf("comment: %s: %w", path, err)
	}
	return r, nil
}

// budgetChangeAPI compares the budget file at the base and head commits,
// read through the contents API: the comment job has no checkout of the
// pull request, and the artifact cannot be trusted to say.
func budgetChangeAPI(ctx context.Context, c *github.Client, owner, repo, path, baseSHA, headSHA string) (*prcomment.BudgetChange, error) {
	read := func(sha string) (*budget.File, error) {
		fc, _, resp, err := c.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: sha})
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if fc == nil {
			return nil, fmt.Errorf("%s is a folder", path)
		}
		text, err := fc.GetContent()
		if err != nil {
			return nil, err
		}
		return budget.Parse(path+"@"+sha[:min(len(sha), 12)], []byte(text))
	}
	if !action.IsSHA(baseSHA) {
		return nil, fmt.Errorf("base commit %q is not a commit id", baseSHA)
	}
	old, err := read(baseSHA)
	if err != nil {
		return nil, err
	}
	now, err := read(headSHA)
	if err != nil {
		return nil, err
	}
	return action.BudgetChange(path, old, now), nil
}
