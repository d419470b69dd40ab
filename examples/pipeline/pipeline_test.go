package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

func TestAPIBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "unset", in: "", want: "https://api.github.com/"},
		{name: "no trailing slash", in: "https://api.github.com", want: "https://api.github.com/"},
		{name: "trailing slash", in: "https://api.github.com/", want: "https://api.github.com/"},
		{name: "replay server", in: "http://127.0.0.1:41234", want: "http://127.0.0.1:41234/"},
		{name: "enterprise", in: "https://ghe.example.com/api/v3", want: "https://ghe.example.com/api/v3/"},
		{name: "no scheme", in: "api.github.com", wantErr: true},
		{name: "other scheme", in: "ftp://api.github.com", wantErr: true},
		{name: "not a URL", in: "http://[::1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := apiBaseURL(tt.in)
			if tt.wantErr {
				if err == nil || exitCode(err) != exitUsage {
					t.Fatalf("apiBaseURL(%q) = %v, %v; want a usage error", tt.in, u, err)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("apiBaseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
			}
		})
	}
}

func TestReadEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, wantErr string
	}{
		{name: "not JSON", payload: "action: opened", wantErr: "not JSON"},
		{name: "no action", payload: `{"number": 1}`, wantErr: "no action"},
		{name: "push event", payload: `{"ref": "refs/heads/main", "repository": {"name": "r", "owner": {"login": "o"}}}`, wantErr: "no action"},
		{name: "no repository", payload: `{"action": "opened", "pull_request": {"number": 1, "head": {"sha": "abc"}}}`, wantErr: "no repository.owner.login"},
		{name: "no pull request", payload: `{"action": "opened", "repository": {"name": "r", "owner": {"login": "o"}}}`, wantErr: "no pull_request.number"},
		{name: "no head", payload: `{"action": "opened", "pull_request": {"number": 1}, "repository": {"name": "r", "owner": {"login": "o"}}}`, wantErr: "no pull_request.head.sha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "event.json")
			if err := os.WriteFile(path, []byte(tt.payload), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readEvent(path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("readEvent = %v, want an error naming %s and saying %q", err, path, tt.wantErr)
			}
		})
	}
	if _, err := readEvent(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}

func TestCLIExitCodes(t *testing.T) {
	t.Parallel()
	event := filepath.Join(repoRoot, eventFile("pr-opened"))
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{name: "help", args: []string{"-h"}, want: exitOK},
		{name: "no event", args: nil, want: exitUsage},
		{name: "unknown flag", args: []string{"--event", event, "--bogus"}, want: exitUsage},
		{name: "extra argument", args: []string{"--event", event, "extra"}, want: exitUsage},
		{name: "bad API URL", args: []string{"--event", event}, env: map[string]string{"GITHUB_API_URL": "api.github.com"}, want: exitUsage},
		{name: "event file missing", args: []string{"--event", "missing.json"}, want: exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			err := cli(context.Background(), tt.args, &stderr, func(k string) string { return tt.env[k] })
			if got := exitCode(err); got != tt.want {
				t.Fatalf("exit code %d (%v), want %d\n%s", got, err, tt.want, stderr.String())
			}
		})
	}
}

// TestRunAgainstFake covers the paths the recorded scenarios do not take,
// counting the calls each makes.
func TestRunAgainstFake(t *testing.T) {
	t.Parallel()
	const o, r = fakegithub.Owner, fakegithub.Repo
	noPRJobs := "specfile_path: hello.spec\njobs:\n  - job: propose_downstream\n    trigger: release\n"
	tests := []struct {
		name    string
		action  string
		setup   func(fake *fakegithub.Server)
		wantErr string
		want    []string // calls, "METHOD /path" with numbers and SHAs as in the fake
	}{
		{
			name: "action with nothing to do", action: "labeled",
		},
		{
			name: "stale event", action: "synchronize",
			setup: func(fake *fakegithub.Server) {
				fake.AddPullRequest(o, r, fakegithub.PullRequest{Number: 1, HeadSHA: "0000000000000000000000000000000000000001"})
			},
			want: []string{"GET /repos/o/r/pulls/1"},
		},
		{
			name: "no pull_request jobs", action: "opened",
			setup: func(fake *fakegithub.Server) { fake.SetFile(o, r, fakegithub.HeadSHA, ".packit.yaml", noPRJobs) },
			want:  []string{"GET /repos/o/r/pulls/1", "GET /repos/o/r/contents/.packit.yaml"},
		},
		{
			name: "no config file", action: "opened",
			setup: func(fake *fakegithub.Server) { fake.Fail("GET", "/repos/"+o+"/"+r+"/contents/", 404, 1) },
			want:  []string{"GET /repos/o/r/pulls/1", "GET /repos/o/r/contents/.packit.yaml"}, wantErr: "read .packit.yaml at 6dcb09b: GET",
		},
		{
			name: "status fails", action: "opened",
			setup:   func(fake *fakegithub.Server) { fake.Fail("POST", "/repos/"+o+"/"+r+"/statuses/", 500, 1) },
			want:    []string{"GET /repos/o/r/pulls/1", "GET /repos/o/r/contents/.packit.yaml", "GET /repos/o/r/pulls/1/files", "POST /repos/o/r/statuses/6dcb09b"},
			wantErr: "set pending status on 6dcb09b",
		},
		{
			name: "push without a comment of ours", action: "synchronize",
			setup: func(fake *fakegithub.Server) { fake.AddComment(o, r, 1, "monalisa", "LGTM") },
			want: []string{
				"GET /repos/o/r/pulls/1", "GET /repos/o/r/contents/.packit.yaml", "GET /repos/o/r/pulls/1/files",
				"POST /repos/o/r/statuses/6dcb09b", "POST /repos/o/r/check-runs",
				"GET /repos/o/r/issues/1/comments", "POST /repos/o/r/issues/1/comments",
				"PATCH /repos/o/r/check-runs/ID", "POST /repos/o/r/statuses/6dcb09b",
			},
		},
		{
			name: "our comment on the second page", action: "reopened",
			setup: func(fake *fakegithub.Server) {
				for i := range 120 {
					fake.AddComment(o, r, 1, "monalisa", fmt.Sprintf("comment %d", i))
				}
				fake.AddComment(o, r, 1, fakegithub.Login, commentMarker+"\nold summary")
			},
			want: []string{
				"GET /repos/o/r/pulls/1", "GET /repos/o/r/contents/.packit.yaml", "GET /repos/o/r/pulls/1/files",
				"POST /repos/o/r/statuses/6dcb09b", "POST /repos/o/r/check-runs",
				"GET /repos/o/r/issues/1/comments", "GET /repos/o/r/issues/1/comments", "PATCH /repos/o/r/issues/comments/ID",
				"PATCH /repos/o/r/check-runs/ID", "POST /repos/o/r/statuses/6dcb09b",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api-prefix"})
			fake.SetFile(o, r, fakegithub.HeadSHA, ".packit.yaml", configContent)
			if tt.setup != nil {
				tt.setup(fake)
			}
			gh, err := newClient(fake.URL(), "token", nil)
			if err != nil {
				t.Fatal(err)
			}
			ev := &github.PullRequestEvent{
				Action: github.String(tt.action),
				Repo:   &github.Repository{Name: github.String(r), Owner: &github.User{Login: github.String(o)}},
				PullRequest: &github.PullRequest{
					Number: github.Int(fakegithub.PullNumber),
					Head:   &github.PullRequestBranch{SHA: github.String(fakegithub.HeadSHA)},
				},
			}
			var log bytes.Buffer
			err = run(context.Background(), gh, ev, ".packit.yaml", &log)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("run: %v\n%s", err, log.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("run = %v, want an error with %q", err, tt.wantErr)
			}
			if got := fakeCalls(fake); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s\nlog:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), log.String())
			}
		})
	}
}

// fakeCalls lists the fake's requests short enough to read: without the
// query, owner and repo as o/r, SHAs cut to 7 and created ids as ID.
func fakeCalls(fake *fakegithub.Server) []string {
	var out []string
	for _, req := range fake.Requests() {
		p := strings.Replace(req.Path, "/"+fakegithub.Owner+"/"+fakegithub.Repo+"/", "/o/r/", 1)
		segs := strings.Split(p, "/")
		for i, s := range segs {
			switch {
			case len(s) == 40:
				segs[i] = s[:7]
			case i > 0 && (segs[i-1] == "check-runs" || segs[i-1] == "comments") && s != "":
				segs[i] = "ID"
			}
		}
		out = append(out, req.Method+" "+strings.Join(segs, "/"))
	}
	return out
}
