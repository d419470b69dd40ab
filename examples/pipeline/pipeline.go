package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-github/v62/github"
	"gopkg.in/yaml.v3"
)

// What the bot calls itself on GitHub.
const (
	checkName     = "rpm-build"
	statusContext = "example-pipeline/rpm-build"
	// commentMarker lets the bot find its own comment again without
	// trusting the author's login (apps and tokens change).
	commentMarker = "<!-- example-pipeline:summary -->"
	// perPage is GitHub's maximum page size: every list is read in as few
	// calls as it can be.
	perPage = 100
	// listedFiles is how many changed files the comment names.
	listedFiles = 10
)

// botConfig is the part of the bot's config file (a Packit-style
// .packit.yaml) the pipeline reads.
type botConfig struct {
	SpecfilePath string `yaml:"specfile_path"`
	Jobs         []struct {
		Job     string `yaml:"job"`
		Trigger string `yaml:"trigger"`
	} `yaml:"jobs"`
}

// run handles one pull_request event through gh, logging to stderr. Every
// API call is here, so the calls callbudget counts are the calls this
// function makes. Any API error stops the run and is returned.
func run(ctx context.Context, gh *github.Client, ev *github.PullRequestEvent, configPath string, stderr io.Writer) error {
	owner, repo := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName()
	number, sha := ev.GetPullRequest().GetNumber(), ev.GetPullRequest().GetHead().GetSHA()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "pipeline: "+format+"\n", args...)
	}
	logf("%s/%s#%d %s, head %.7s", owner, repo, number, ev.GetAction(), sha)
	switch ev.GetAction() {
	case "opened", "reopened", "synchronize":
	default:
		logf("nothing to do for %q", ev.GetAction())
		return nil
	}

	// Webhooks arrive late and out of order: act only if the event still
	// describes the pull request.
	pr, _, err := gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return fmt.Errorf("get pull request #%d: %w", number, err)
	}
	if pr.GetState() != "open" || pr.GetHead().GetSHA() != sha {
		logf("skipped: the pull request is %s at %.7s now", pr.GetState(), pr.GetHead().GetSHA())
		return nil
	}

	cfg, err := readConfig(ctx, gh, owner, repo, configPath, sha)
	if err != nil {
		return err
	}
	jobs := cfg.pullRequestJobs()
	if len(jobs) == 0 {
		logf("skipped: %s has no pull_request jobs", configPath)
		return nil
	}
	logf("config %s: %s, jobs %s", configPath, cfg.SpecfilePath, strings.Join(jobs, ", "))

	files, err := changedFiles(ctx, gh, owner, repo, number)
	if err != nil {
		return err
	}
	logf("%d changed files", len(files))

	if err := setStatus(ctx, gh, owner, repo, sha, "pending", "Build started"); err != nil {
		return err
	}
	cr, _, err := gh.Checks.CreateCheckRun(ctx, owner, repo, github.CreateCheckRunOptions{
		Name:    checkName,
		HeadSHA: sha,
		Status:  github.String("in_progress"),
	})
	if err != nil {
		return fmt.Errorf("create check run: %w", err)
	}
	logf("check run %d in progress", cr.GetID())

	body := summary(sha, cfg.SpecfilePath, jobs, files)
	if ev.GetAction() == "opened" {
		// A pull request just opened has no comment of ours: skip looking.
		c, _, err := gh.Issues.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: &body})
		if err != nil {
			return fmt.Errorf("create comment: %w", err)
		}
		logf("comment %d posted", c.GetID())
	} else if err := upsertComment(ctx, gh, owner, repo, number, body, logf); err != nil {
		return err
	}

	// The build itself is out of scope; it always passes here.
	_, _, err = gh.Checks.UpdateCheckRun(ctx, owner, repo, cr.GetID(), github.UpdateCheckRunOptions{
		Name:       checkName,
		Conclusion: github.String("success"),
		Output: &github.CheckRunOutput{
			Title:   github.String("Build passed"),
			Summary: github.String(fmt.Sprintf("%d jobs for %d changed files.", len(jobs), len(files))),
		},
	})
	if err != nil {
		return fmt.Errorf("complete check run %d: %w", cr.GetID(), err)
	}
	if err := setStatus(ctx, gh, owner, repo, sha, "success", "Build passed"); err != nil {
		return err
	}
	logf("done: success")
	return nil
}

// readConfig reads and decodes the bot's config file at ref.
func readConfig(ctx context.Context, gh *github.Client, owner, repo, path, ref string) (*botConfig, error) {
	file, _, _, err := gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, fmt.Errorf("read %s at %.7s: %w", path, ref, err)
	}
	if file == nil {
		return nil, fmt.Errorf("read %s at %.7s: a directory, not a file", path, ref)
	}
	text, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("read %s at %.7s: %w", path, ref, err)
	}
	var cfg botConfig
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		return nil, fmt.Errorf("%s at %.7s: %w", path, ref, err)
	}
	return &cfg, nil
}

func (c *botConfig) pullRequestJobs() []string {
	var jobs []string
	for _, j := range c.Jobs {
		if j.Trigger == "pull_request" {
			jobs = append(jobs, j.Job)
		}
	}
	return jobs
}

// changedFiles lists every file the pull request changes, following the
// pages.
func changedFiles(ctx context.Context, gh *github.Client, owner, repo string, number int) ([]string, error) {
	var names []string
	opts := &github.ListOptions{PerPage: perPage}
	for {
		files, resp, err := gh.PullRequests.ListFiles(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, fmt.Errorf("list files of #%d (page %d): %w", number, max(opts.Page, 1), err)
		}
		for _, f := range files {
			names = append(names, f.GetFilename())
		}
		if resp.NextPage == 0 {
			return names, nil
		}
		opts.Page = resp.NextPage
	}
}

func setStatus(ctx context.Context, gh *github.Client, owner, repo, sha, state, description string) error {
	_, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, sha, &github.RepoStatus{
		State:       &state,
		Context:     github.String(statusContext),
		Description: &description,
	})
	if err != nil {
		return fmt.Errorf("set %s status on %.7s: %w", state, sha, err)
	}
	return nil
}

// upsertComment edits the bot's comment on the pull request, or posts one
// if there is none, so each pull request carries one summary however many
// times it is pushed to.
func upsertComment(ctx context.Context, gh *github.Client, owner, repo string, number int, body string, logf func(string, ...any)) error {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		comments, resp, err := gh.Issues.ListComments(ctx, owner, repo, number, opts)
		if err != nil {
			return fmt.Errorf("list comments of #%d: %w", number, err)
		}
		for _, c := range comments {
			if strings.HasPrefix(c.GetBody(), commentMarker) {
				if _, _, err := gh.Issues.EditComment(ctx, owner, repo, c.GetID(), &github.IssueComment{Body: &body}); err != nil {
					return fmt.Errorf("edit comment %d: %w", c.GetID(), err)
				}
				logf("comment %d updated", c.GetID())
				return nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	c, _, err := gh.Issues.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: &body})
	if err != nil {
		return fmt.Errorf("create comment: %w", err)
	}
	logf("comment %d posted", c.GetID())
	return nil
}

// summary is the comment's Markdown, starting with commentMarker.
func summary(sha, specfile string, jobs, files []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n**%s** started for %.7s (`%s`: %s).\n\n", commentMarker, checkName, sha, specfile, strings.Join(jobs, ", "))
	fmt.Fprintf(&b, "%d changed files:\n", len(files))
	for _, f := range files[:min(len(files), listedFiles)] {
		fmt.Fprintf(&b, "- `%s`\n", f)
	}
	if n := len(files) - listedFiles; n > 0 {
		fmt.Fprintf(&b, "- … and %d more\n", n)
	}
	return b.String()
}
