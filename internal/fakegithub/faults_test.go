package fakegithub_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

// TestCommentFaults checks the answers a sticky-comment flow must handle,
// as go-github sees them.
func TestCommentFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o, r := fakegithub.Owner, fakegithub.Repo
	body := func(s string) *github.IssueComment { return &github.IssueComment{Body: &s} }
	tests := []struct {
		name    string
		opts    fakegithub.Options
		arrange func(*fakegithub.Server)
		call    func(*github.Client) error
		check   func(*testing.T, error)
	}{
		{
			name:    "read-only token",
			arrange: func(f *fakegithub.Server) { f.SetReadOnly(true) },
			call: func(gh *github.Client) error {
				if _, _, err := gh.Issues.ListComments(ctx, o, r, 1, nil); err != nil {
					return err // reads still work
				}
				_, _, err := gh.Issues.CreateComment(ctx, o, r, 1, body("x"))
				return err
			},
			check: func(t *testing.T, err error) {
				var er *github.ErrorResponse
				if !errors.As(err, &er) || er.Response.StatusCode != 403 || er.Message != "Resource not accessible by integration" {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name:    "locked conversation",
			arrange: func(f *fakegithub.Server) { f.SetLocked(o, r, 1, true) },
			call: func(gh *github.Client) error {
				pr, _, err := gh.PullRequests.Get(ctx, o, r, 1)
				if err != nil || !pr.GetLocked() {
					return errors.New("pull request not locked")
				}
				_, _, err = gh.Issues.CreateComment(ctx, o, r, 1, body("x"))
				return err
			},
			check: func(t *testing.T, err error) {
				var er *github.ErrorResponse
				if !errors.As(err, &er) || er.Response.StatusCode != 403 || !strings.Contains(er.Message, "issue is locked") {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name: "body too long",
			opts: fakegithub.Options{MaxCommentBody: 5},
			call: func(gh *github.Client) error {
				if _, _, err := gh.Issues.CreateComment(ctx, o, r, 1, body("éééé")); err != nil {
					return err // 4 characters, 8 bytes: GitHub counts characters
				}
				_, _, err := gh.Issues.CreateComment(ctx, o, r, 1, body("123456"))
				return err
			},
			check: func(t *testing.T, err error) {
				var er *github.ErrorResponse
				if !errors.As(err, &er) || er.Response.StatusCode != 422 || len(er.Errors) != 1 || er.Errors[0].Message != "Body is too long (maximum is 5 characters)" {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name: "FailWith a message, headers and errors",
			arrange: func(f *fakegithub.Server) {
				f.FailWith("PATCH", "/repos/", 1, fakegithub.Fault{
					Status: 422, Message: "Validation Failed", Header: http.Header{"X-Test": {"1"}},
					Errors: []fakegithub.FieldError{{Resource: "IssueComment", Code: "custom", Field: "body", Message: "body is too long"}},
				})
			},
			call: func(gh *github.Client) error {
				_, _, err := gh.Issues.EditComment(ctx, o, r, 1, body("x"))
				return err
			},
			check: func(t *testing.T, err error) {
				var er *github.ErrorResponse
				if !errors.As(err, &er) || er.Response.StatusCode != 422 || er.Response.Header.Get("X-Test") != "1" || len(er.Errors) != 1 || er.Errors[0].Code != "custom" {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name: "FailWith Retry-After is a secondary rate limit",
			arrange: func(f *fakegithub.Server) {
				f.FailWith("", "/user", 1, fakegithub.Fault{Status: 403, Header: http.Header{"Retry-After": {"7"}}})
			},
			call: func(gh *github.Client) error {
				_, _, err := gh.Users.Get(ctx, "")
				return err
			},
			check: func(t *testing.T, err error) {
				var abuse *github.AbuseRateLimitError
				if !errors.As(err, &abuse) || abuse.GetRetryAfter().Seconds() != 7 {
					t.Errorf("err = %v (%T)", err, err)
				}
			},
		},
		{
			name: "FailWith X-RateLimit-Remaining 0 is the primary limit",
			arrange: func(f *fakegithub.Server) {
				f.FailWith("", "/user", 1, fakegithub.Fault{Status: 403, Message: "API rate limit exceeded",
					Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"4102444800"}}})
			},
			call: func(gh *github.Client) error {
				_, _, err := gh.Users.Get(ctx, "")
				return err
			},
			check: func(t *testing.T, err error) {
				var rl *github.RateLimitError
				if !errors.As(err, &rl) || rl.Rate.Reset.Unix() != 4102444800 {
					t.Errorf("err = %v (%T)", err, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakegithub.New(t, tt.opts)
			if tt.arrange != nil {
				tt.arrange(fake)
			}
			tt.check(t, tt.call(client(t, fake, "")))
		})
	}
}

// TestLogins: a token of Options.Logins authenticates as its login, and
// authors the comments it creates; other tokens are still refused.
func TestLogins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{Token: "user-token", Logins: map[string]string{"ghs_bot": "github-actions[bot]"}})
	gh := client(t, fake, "")
	s := "hello"
	c, _, err := gh.WithAuthToken("ghs_bot").Issues.CreateComment(ctx, fakegithub.Owner, fakegithub.Repo, 1, &github.IssueComment{Body: &s})
	if err != nil || c.GetUser().GetLogin() != "github-actions[bot]" {
		t.Fatalf("CreateComment = %+v, %v", c, err)
	}
	if u, _, err := gh.WithAuthToken("ghs_bot").Users.Get(ctx, ""); err != nil || u.GetLogin() != "github-actions[bot]" {
		t.Errorf("Users.Get = %v, %v", u, err)
	}
	if u, _, err := gh.WithAuthToken("user-token").Users.Get(ctx, ""); err != nil || u.GetLogin() != fakegithub.Login {
		t.Errorf("Users.Get with Token = %v, %v", u, err)
	}
	if _, _, err := gh.WithAuthToken("wrong").Users.Get(ctx, ""); !isStatus(err, 401) {
		t.Errorf("unknown token: err = %v", err)
	}
	fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, 1, "abc1234")
	if pr, _, err := gh.WithAuthToken("ghs_bot").PullRequests.Get(ctx, fakegithub.Owner, fakegithub.Repo, 1); err != nil || pr.GetHead().GetSHA() != "abc1234" {
		t.Errorf("head after SetHeadSHA = %v, %v", pr.GetHead().GetSHA(), err)
	}
}
