package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

// Paths from this package's folder (where go test runs) to the repo root's
// testdata, and the same paths as callbudget.yaml names them.
const (
	repoRoot    = "../.."
	eventsDir   = "testdata/events"
	cassetteDir = "testdata/cassettes"
)

func eventFile(name string) string    { return filepath.Join(eventsDir, name+".json") }
func cassetteFile(name string) string { return filepath.Join(cassetteDir, name+".yaml") }

// scenario is one pipeline run with a committed event and cassette.
type scenario struct {
	name string // of the event file and the cassette
	// seed puts into the fake GitHub what the event refers to.
	seed func(fake *fakegithub.Server, ev *github.PullRequestEvent)
	// check asserts what the recorded run left on the fake GitHub.
	check func(t *testing.T, fake *fakegithub.Server, ev *github.PullRequestEvent)
	// want is the calls per operation a run makes: the figures the
	// budget will hold.
	want map[string]int
}

// configContent is the bot's config at the head commits, as in Packit.
const configContent = `specfile_path: hello.spec
upstream_package_name: hello
downstream_package_name: hello
jobs:
  - job: copr_build
    trigger: pull_request
    targets:
      - fedora-all
  - job: tests
    trigger: pull_request
    targets:
      - fedora-all
  - job: propose_downstream
    trigger: release
    dist_git_branches:
      - fedora-all
`

// changed lists n changed files: the spec file, sources, then test data,
// enough to take more than one page at per_page=100.
func changed(n int) []string {
	files := []string{"hello.spec", "NEWS", "configure.ac", "src/hello.c", "src/system.h", "doc/hello.texi"}
	for i := 1; len(files) < n; i++ {
		files = append(files, fmt.Sprintf("tests/golden/case%03d.out", i))
	}
	return files[:n]
}

var scenarios = []scenario{
	{
		name: "pr-opened",
		seed: func(fake *fakegithub.Server, ev *github.PullRequestEvent) {
			seedPull(fake, ev, changed(140))
		},
		check: func(t *testing.T, fake *fakegithub.Server, ev *github.PullRequestEvent) {
			checkReported(t, fake, ev)
			comments := fake.Comments(fakegithub.Owner, fakegithub.Repo, ev.GetNumber())
			if len(comments) != 1 || !strings.Contains(comments[0].Body, "140 changed files") || !strings.Contains(comments[0].Body, "and 130 more") {
				t.Errorf("comments = %+v, want one summary of 140 files", comments)
			}
		},
		want: map[string]int{
			"pulls/get":                  1,
			"repos/get-content":          1,
			"pulls/list-files":           2, // 140 files, 100 a page
			"repos/create-commit-status": 2, // pending, success
			"checks/create":              1,
			"issues/create-comment":      1,
			"checks/update":              1,
		},
	},
	{
		name: "pr-synchronize",
		seed: func(fake *fakegithub.Server, ev *github.PullRequestEvent) {
			seedPull(fake, ev, changed(142))
			o, r, n := fakegithub.Owner, fakegithub.Repo, ev.GetNumber()
			// The thread so far: the bot's summary of the first push
			// among people's comments.
			fake.AddComment(o, r, n, fakegithub.Login, commentMarker+"\n**rpm-build** started for "+ev.GetBefore()[:7]+".\n\n140 changed files:\n")
			fake.AddComment(o, r, n, "hubot", "Could you also refresh the golden files for the new locale?")
			fake.AddComment(o, r, n, "monalisa", "Done, pushed.")
		},
		check: func(t *testing.T, fake *fakegithub.Server, ev *github.PullRequestEvent) {
			checkReported(t, fake, ev)
			comments := fake.Comments(fakegithub.Owner, fakegithub.Repo, ev.GetNumber())
			if len(comments) != 3 || !strings.Contains(comments[0].Body, "142 changed files") {
				t.Errorf("comments = %+v, want the first one edited to summarise 142 files", comments)
			}
		},
		want: map[string]int{
			"pulls/get":                  1,
			"repos/get-content":          1,
			"pulls/list-files":           2, // 142 files, 100 a page
			"repos/create-commit-status": 2,
			"checks/create":              1,
			"issues/list-comments":       1, // 3 comments, one page
			"issues/update-comment":      1,
			"checks/update":              1,
		},
	},
}

// seedPull adds the event's pull request, with files, and the config file
// at its head commit.
func seedPull(fake *fakegithub.Server, ev *github.PullRequestEvent, files []string) {
	pr := ev.GetPullRequest()
	owner, repo := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName()
	fake.AddPullRequest(owner, repo, fakegithub.PullRequest{
		Number: pr.GetNumber(), Title: pr.GetTitle(), User: pr.GetUser().GetLogin(),
		HeadRef: pr.GetHead().GetRef(), HeadSHA: pr.GetHead().GetSHA(),
		BaseRef: pr.GetBase().GetRef(), BaseSHA: pr.GetBase().GetSHA(),
		Files: files,
	})
	fake.SetFile(owner, repo, pr.GetHead().GetSHA(), ".packit.yaml", configContent)
}

// checkReported asserts the statuses and the check run a successful run
// leaves on the head commit.
func checkReported(t *testing.T, fake *fakegithub.Server, ev *github.PullRequestEvent) {
	t.Helper()
	sha := ev.GetPullRequest().GetHead().GetSHA()
	var states []string
	for _, s := range fake.Statuses(fakegithub.Owner, fakegithub.Repo) {
		if s.SHA != sha || s.Context != statusContext {
			t.Errorf("status %+v, want on %s as %s", s, sha, statusContext)
		}
		states = append(states, s.State)
	}
	if got := strings.Join(states, ","); got != "pending,success" {
		t.Errorf("statuses = %s, want pending,success", got)
	}
	runs := fake.CheckRuns(fakegithub.Owner, fakegithub.Repo)
	if len(runs) != 1 || runs[0].HeadSHA != sha || runs[0].Status != "completed" || runs[0].Conclusion != "success" {
		t.Errorf("check runs = %+v, want one completed with success on %s", runs, sha)
	}
}

func loadEvent(t *testing.T, name string) *github.PullRequestEvent {
	t.Helper()
	ev, err := readEvent(filepath.Join(repoRoot, eventFile(name)))
	if err != nil {
		t.Fatal(err)
	}
	if o, r := ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName(); o != fakegithub.Owner || r != fakegithub.Repo {
		// The checks above look at the fake's default repository.
		t.Fatalf("event %s is for %s/%s, want %s/%s", name, o, r, fakegithub.Owner, fakegithub.Repo)
	}
	return ev
}
