package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/callbudget/callbudget/internal/regfile"
)

// maxEventSize bounds the event payload read: GitHub caps webhook payloads
// at 25 MB.
const maxEventSize = 32 << 20

// PullRequest is what the comment needs from a pull_request event.
type PullRequest struct {
	Number  int
	HeadSHA string
	BaseSHA string
	// Owner and Repo name the base repository, where the PR and its
	// comments live.
	Owner, Repo string
	// HeadRepo is the head repository's owner/name: another one for a
	// pull request from a fork.
	HeadRepo string
}

// ErrNotPullRequest is returned by [ReadPullRequestEvent] for a payload
// that is not about a pull request (a push, a schedule, …).
var ErrNotPullRequest = errors.New("the event is not a pull request")

// ReadPullRequestEvent reads the pull_request (or pull_request_target)
// payload at path, as GitHub writes it at GITHUB_EVENT_PATH.
func ReadPullRequestEvent(path string) (*PullRequest, error) {
	var ev struct {
		Number      int `json:"number"`
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA  string `json:"sha"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
			Base struct {
				SHA string `json:"sha"`
			} `json:"base"`
		} `json:"pull_request"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := readEvent(path, &ev); err != nil {
		return nil, err
	}
	if ev.PullRequest == nil {
		return nil, ErrNotPullRequest
	}
	pr := &PullRequest{Number: ev.PullRequest.Number, HeadSHA: ev.PullRequest.Head.SHA, BaseSHA: ev.PullRequest.Base.SHA}
	if pr.Number == 0 {
		pr.Number = ev.Number
	}
	if ev.PullRequest.Head.Repo != nil {
		pr.HeadRepo = ev.PullRequest.Head.Repo.FullName
	}
	var ok bool
	if pr.Owner, pr.Repo, ok = splitRepo(ev.Repository.FullName); !ok {
		return nil, fmt.Errorf("event %s: repository.full_name %q is not owner/name", path, ev.Repository.FullName)
	}
	switch {
	case pr.Number <= 0:
		return nil, fmt.Errorf("event %s: pull request number %d", path, pr.Number)
	case !IsSHA(pr.HeadSHA):
		return nil, fmt.Errorf("event %s: head sha %q is not a commit id", path, pr.HeadSHA)
	case pr.BaseSHA != "" && !IsSHA(pr.BaseSHA):
		return nil, fmt.Errorf("event %s: base sha %q is not a commit id", path, pr.BaseSHA)
	}
	return pr, nil
}

// WorkflowRun is what the comment command needs from a workflow_run
// event: GitHub writes it, so unlike the artifact it can be trusted.
type WorkflowRun struct {
	ID int64
	// Event is the event of the run that finished ("pull_request").
	Event   string
	HeadSHA string
	HTMLURL string
	// Owner and Repo name the repository the workflows run in.
	Owner, Repo string
	// HeadRepo is the owner/name of the repository of the run's head
	// commit: the fork.
	HeadRepo string
}

// ReadWorkflowRunEvent reads the workflow_run payload at path.
func ReadWorkflowRunEvent(path string) (*WorkflowRun, error) {
	var ev struct {
		WorkflowRun *struct {
			ID             int64  `json:"id"`
			Event          string `json:"event"`
			HeadSHA        string `json:"head_sha"`
			HTMLURL        string `json:"html_url"`
			HeadRepository *struct {
				FullName string `json:"full_name"`
			} `json:"head_repository"`
		} `json:"workflow_run"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := readEvent(path, &ev); err != nil {
		return nil, err
	}
	if ev.WorkflowRun == nil {
		return nil, fmt.Errorf("event %s: no workflow_run: the comment command runs on: workflow_run", path)
	}
	wr := &WorkflowRun{ID: ev.WorkflowRun.ID, Event: ev.WorkflowRun.Event, HeadSHA: ev.WorkflowRun.HeadSHA, HTMLURL: ev.WorkflowRun.HTMLURL}
	if ev.WorkflowRun.HeadRepository != nil {
		wr.HeadRepo = ev.WorkflowRun.HeadRepository.FullName
	}
	var ok bool
	if wr.Owner, wr.Repo, ok = splitRepo(ev.Repository.FullName); !ok {
		return nil, fmt.Errorf("event %s: repository.full_name %q is not owner/name", path, ev.Repository.FullName)
	}
	if !IsSHA(wr.HeadSHA) {
		return nil, fmt.Errorf("event %s: workflow_run.head_sha %q is not a commit id", path, wr.HeadSHA)
	}
	return wr, nil
}

func readEvent(path string, v any) error {
	if path == "" {
		return errors.New("GITHUB_EVENT_PATH is not set")
	}
	f, _, err := regfile.Open(path)
	if err != nil {
		return fmt.Errorf("read event %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEventSize+1))
	if err != nil {
		return fmt.Errorf("read event %s: %w", path, err)
	}
	if len(data) > maxEventSize {
		return fmt.Errorf("event %s: larger than %d bytes", path, maxEventSize)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("event %s: %w", path, err)
	}
	return nil
}

// splitRepo splits "owner/name".
func splitRepo(full string) (owner, name string, ok bool) {
	owner, name, ok = strings.Cut(full, "/")
	return owner, name, ok && owner != "" && name != "" && !strings.Contains(name, "/")
}

// IsSHA reports whether s is a full commit id: 40 lower-case hex digits
// (SHA-1), or 64 (SHA-256 repositories).
func IsSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
