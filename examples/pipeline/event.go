package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/go-github/v62/github"
)

// readEvent reads a pull_request webhook payload, as GitHub delivers it to
// a bot or writes it to $GITHUB_EVENT_PATH in Actions, and checks it names
// what the pipeline needs.
func readEvent(path string) (*github.PullRequestEvent, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	var ev github.PullRequestEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("read event %s: not JSON: %w", path, err)
	}
	var missing string
	switch {
	case ev.GetAction() == "":
		missing = "action"
	case ev.GetRepo().GetOwner().GetLogin() == "":
		missing = "repository.owner.login"
	case ev.GetRepo().GetName() == "":
		missing = "repository.name"
	case ev.GetPullRequest().GetNumber() == 0:
		missing = "pull_request.number"
	case ev.GetPullRequest().GetHead().GetSHA() == "":
		missing = "pull_request.head.sha"
	default:
		return &ev, nil
	}
	return nil, fmt.Errorf("read event %s: not a pull_request payload: no %s", path, missing)
}
