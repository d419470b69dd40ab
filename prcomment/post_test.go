package prcomment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/prcomment"
	"github.com/google/go-github/v62/github"
)

const (
	botToken = "ghs_workflowtoken"
	bot      = "github-actions[bot]"
	oldSHA   = "0000000000000000000000000000000000000000"
	prefix   = "/api-prefix"
	listPath = "GET /repos/octo-org/hello-world/issues/1/comments"
)

// env is a fake GitHub on a path prefix and a go-github client for the
// workflow's token, which comments as github-actions[bot].
type env struct {
	fake *fakegithub.Server
	gh   *github.Client

	mu     sync.Mutex
	sleeps []time.Duration
}

func setup(t *testing.T, opts fakegithub.Options, wrap func(http.RoundTripper) http.RoundTripper) *env {
	t.Helper()
	opts.Prefix = prefix
	opts.Token = "some-other-token"
	opts.Logins = map[string]string{botToken: bot}
	e := &env{fake: fakegithub.New(t, opts)}
	hc := e.fake.HTTPClient()
	if wrap != nil {
		hc = &http.Client{Transport: wrap(hc.Transport)}
	}
	e.gh = github.NewClient(hc).WithAuthToken(botToken)
	u, err := url.Parse(e.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.gh.BaseURL = u
	return e
}

func (e *env) options(mode prcomment.Mode, changed bool) prcomment.Options {
	return prcomment.Options{
		Client: e.gh, Owner: fakegithub.Owner, Repo: fakegithub.Repo, Number: fakegithub.PullNumber,
		HeadSHA: headSHA, Key: key, Mode: mode, Changed: changed,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.sleeps = append(e.sleeps, d)
			return ctx.Err()
		},
	}
}

func (e *env) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.sleeps)
}

// seed posts a comment as user, as if an earlier run (or someone else)
// had.
func (e *env) seed(user, body string) int64 {
	return e.fake.AddComment(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, user, body)
}

func (e *env) comments() []fakegithub.Comment {
	return e.fake.Comments(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber)
}

var commentID = regexp.MustCompile(`/issues/comments/\d+$`)

// requests are the requests made, one line each: method, path with
// comment ids written {id}, and the query of list calls.
func (e *env) requests() []string {
	var out []string
	for _, r := range e.fake.Requests() {
		line := r.Method + " " + commentID.ReplaceAllString(r.Path, "/issues/comments/{id}")
		if r.RawQuery != "" {
			line += "?" + r.RawQuery
		}
		out = append(out, line)
	}
	return out
}

func (e *env) writes() int {
	n := 0
	for _, r := range e.fake.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

func body(sha string) string {
	return prcomment.Render(overReport(), prcomment.RenderOptions{Key: key, HeadSHA: sha})
}

func okBody(sha string) string {
	return prcomment.Render(okReport(), prcomment.RenderOptions{Key: key, HeadSHA: sha})
}

const (
	list    = listPath + "?per_page=100"
	getPull = "GET /repos/octo-org/hello-world/pulls/1"
	create  = "POST /repos/octo-org/hello-world/issues/1/comments"
	edit    = "PATCH /repos/octo-org/hello-world/issues/comments/{id}"
	del     = "DELETE /repos/octo-org/hello-world/issues/comments/{id}"
)

func TestPost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fake    fakegithub.Options
		mode    prcomment.Mode
		changed bool
		body    string // default body(headSHA)
		// arrange seeds comments and faults, and returns the ids it wants
		// to check.
		arrange func(e *env) []int64
		tweak   func(o *prcomment.Options)
		wrap    func(http.RoundTripper) http.RoundTripper

		wantAction   string
		wantErr      error
		wantErrText  string
		wantRequests []string
		check        func(t *testing.T, e *env, res prcomment.Result, ids []int64)
	}{
		{
			name: "create when none", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.seed("octocat", "Thanks for the PR!")
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, _ []int64) {
				cs := e.comments()
				if len(cs) != 2 || cs[1].User != bot || cs[1].Body != body(headSHA) || cs[1].ID != res.CommentID {
					t.Errorf("comments = %+v, result %+v", cs, res)
				}
				if !strings.Contains(res.URL, "#issuecomment-") {
					t.Errorf("URL = %q", res.URL)
				}
			},
		},
		{
			name: "update in place, same head", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA))}
			},
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if cs := e.comments(); len(cs) != 1 || cs[0].ID != ids[0] || cs[0].Body != body(headSHA) || res.CommentID != ids[0] {
					t.Errorf("comments = %+v", cs)
				}
			},
		},
		{
			name: "update after a push reads the pull request first", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, body(oldSHA))}
			},
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if cs := e.comments(); len(cs) != 1 || cs[0].Body != body(headSHA) {
					t.Errorf("comments = %+v", cs)
				}
			},
		},
		{
			name: "unchanged body is not edited", mode: prcomment.ModeAlways, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, body(headSHA))}
			},
			wantAction:   "unchanged",
			wantRequests: []string{list},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if res.CommentID != ids[0] {
					t.Errorf("CommentID = %d, want %d", res.CommentID, ids[0])
				}
			},
		},
		{
			name: "a body edited in the browser (CRLF) is still unchanged", mode: prcomment.ModeAlways, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, strings.ReplaceAll(body(headSHA), "\n", "\r\n"))}
			},
			wantAction:   "unchanged",
			wantRequests: []string{list},
		},
		{
			name: "120 comments, ours on page 2", fake: fakegithub.Options{}, mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				var id int64
				for i := range 120 {
					switch {
					case i == 110:
						id = e.seed(bot, okBody(headSHA))
					case i%3 == 0:
						e.seed(bot, "an unrelated bot comment")
					case i%3 == 1:
						e.seed(bot, prcomment.Marker("other/callbudget.yaml")+"\nanother config's comment")
					default:
						e.seed(fmt.Sprintf("user%d", i), "LGTM")
					}
				}
				return []int64{id}
			},
			wantAction:   "updated",
			wantRequests: []string{list, listPath + "?page=2&per_page=100", getPull, edit, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 120 || res.CommentID != ids[0] {
					t.Errorf("%d comments, updated %d, want 120 and %d", len(cs), res.CommentID, ids[0])
				}
				for _, c := range cs {
					if c.ID == ids[0] && c.Body != body(headSHA) {
						t.Errorf("comment %d not updated", c.ID)
					}
				}
			},
		},
		{
			name: "a marker posted by someone else is a spoof", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed("mallory", okBody(headSHA)), e.seed("github-actions", okBody(headSHA))}
			},
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 3 || cs[0].Body != okBody(headSHA) || cs[1].Body != okBody(headSHA) || cs[2].User != bot {
					t.Errorf("comments = %+v", cs)
				}
			},
		},
		{
			name: "two runs raced: the oldest is updated, the newer deleted", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA)), e.seed(bot, okBody(headSHA))}
			},
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull, del},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 1 || cs[0].ID != ids[0] || cs[0].Body != body(headSHA) {
					t.Errorf("comments = %+v", cs)
				}
				if res.CommentID != ids[0] || !slices.Equal(res.Deleted, ids[1:]) {
					t.Errorf("result = %+v", res)
				}
			},
		},
		{
			name: "stale run: the head moved on and the comment is for it", mode: prcomment.ModeAlways, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, newerSHA)
				return []int64{e.seed(bot, okBody(newerSHA))}
			},
			wantAction:   "stale",
			wantRequests: []string{list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if cs := e.comments(); len(cs) != 1 || cs[0].Body != okBody(newerSHA) {
					t.Errorf("the newer result was overwritten: %+v", cs)
				}
				if res.CommentID != ids[0] {
					t.Errorf("CommentID = %d", res.CommentID)
				}
				want := "the pull request's head is now " + newerSHA[:12] + "; this run's results for " + headSHA[:12] + " are not posted"
				if res.Head != newerSHA || !slices.Equal(res.Warnings, []string{want}) {
					t.Errorf("result = %+v, want the warning %q", res, want)
				}
			},
		},
		{
			name: "stale run among racing duplicates deletes nothing", mode: prcomment.ModeAlways, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, newerSHA)
				return []int64{e.seed(bot, okBody(headSHA)), e.seed(bot, okBody(newerSHA))}
			},
			wantAction:   "stale",
			wantRequests: []string{list, getPull},
		},
		{
			name: "read-only token on create", mode: prcomment.ModeAuto, changed: true,
			arrange:      func(e *env) []int64 { e.fake.SetReadOnly(true); return nil },
			wantErr:      prcomment.ErrReadOnly,
			wantRequests: []string{list, getPull, create},
		},
		{
			name: "read-only token on update", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.SetReadOnly(true)
				return []int64{e.seed(bot, okBody(headSHA))}
			},
			wantErr:      prcomment.ErrReadOnly,
			wantRequests: []string{list, getPull, edit},
		},
		{
			name: "locked conversation", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.SetLocked(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, true)
				return nil
			},
			wantErr:      prcomment.ErrLocked,
			wantRequests: []string{list, getPull, create},
		},
		{
			name: "404 on edit: deleted meanwhile, so create", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA))}
			},
			wrap: deleteBeforeFirstPatch,
			// The DELETE is the other actor's.
			wantAction:   "created",
			wantRequests: []string{list, getPull, del, edit, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 1 || cs[0].ID == ids[0] || cs[0].Body != body(headSHA) || len(res.Warnings) != 1 {
					t.Errorf("comments = %+v, result %+v", cs, res)
				}
			},
		},
		{
			name: "404 on edit with a duplicate: the duplicate becomes the comment", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA)), e.seed(bot, okBody(headSHA))}
			},
			wrap:         deleteBeforeFirstPatch,
			wantAction:   "updated",
			wantRequests: []string{list, getPull, del, edit, create, list, getPull, edit, getPull, del},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 1 || cs[0].ID != ids[1] || cs[0].Body != body(headSHA) || res.CommentID != ids[1] || len(res.Deleted) != 1 {
					t.Errorf("comments = %+v, result %+v", cs, res)
				}
			},
		},
		{
			name: "422 body too long: shortened once, then created", mode: prcomment.ModeAuto, changed: true,
			fake: fakegithub.Options{MaxCommentBody: 4000},
			body: prcomment.Render(bigReport(100), prcomment.RenderOptions{Key: key, HeadSHA: headSHA}),
			tweak: func(o *prcomment.Options) {
				o.Shorten = func(string) string {
					return prcomment.Render(bigReport(100), prcomment.RenderOptions{Key: key, HeadSHA: headSHA, MaxChars: 3500})
				}
			},
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				cs := e.comments()
				if len(cs) != 1 || len(cs[0].Body) > 3500 || !strings.HasPrefix(cs[0].Body, prcomment.Marker(key)+"\n") {
					t.Errorf("comments = %d, body %d bytes", len(cs), len(cs[0].Body))
				}
				if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "shortened") {
					t.Errorf("warnings = %q", res.Warnings)
				}
			},
		},
		{
			name: "422 body too long on edit: shortened by Truncate", mode: prcomment.ModeAuto, changed: true,
			fake: fakegithub.Options{MaxCommentBody: 7000},
			body: prcomment.Render(bigReport(100), prcomment.RenderOptions{Key: key, HeadSHA: headSHA, MaxChars: 12000}),
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA))}
			},
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, edit, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if cs := e.comments(); len(cs) != 1 || !strings.Contains(cs[0].Body, "the rest of this report was left out") {
					t.Errorf("comments = %+v", cs)
				}
			},
		},
		{
			name: "422 body too long twice: shortened only once", mode: prcomment.ModeAuto, changed: true,
			fake:         fakegithub.Options{MaxCommentBody: 1000},
			body:         prcomment.Render(bigReport(100), prcomment.RenderOptions{Key: key, HeadSHA: headSHA}),
			wantErrText:  "even after shortening it once",
			wantRequests: []string{list, getPull, create, create},
		},
		{
			name: "500 twice, then created", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.Fail("POST", "/repos/octo-org/hello-world/issues/1/comments", http.StatusInternalServerError, 2)
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, create, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				s := e.slept()
				if len(s) != 2 || !(s[0] > 0 && s[1] > s[0]) || s[1] > 60*time.Second {
					t.Errorf("sleeps = %v, want 2 growing waits", s)
				}
				if len(e.comments()) != 1 {
					t.Errorf("comments = %+v", e.comments())
				}
			},
		},
		{
			name: "502 on every attempt gives up", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.Fail("GET", "/repos/octo-org/hello-world/issues/1/comments", http.StatusBadGateway, 100)
				return nil
			},
			tweak:        func(o *prcomment.Options) { o.MaxAttempts = 3 },
			wantErrText:  "gave up after 3 attempts",
			wantRequests: []string{list, list, list},
		},
		{
			name: "secondary rate limit with Retry-After: 7", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("POST", "/repos/octo-org/hello-world/issues/1/comments", 1, fakegithub.Fault{
					Status: http.StatusForbidden, Header: http.Header{"Retry-After": {"7"}},
				})
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); !slices.Equal(s, []time.Duration{7 * time.Second}) {
					t.Errorf("sleeps = %v, want [7s]", s)
				}
			},
		},
		{
			name: "429 with Retry-After", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("GET", "/repos/", 1, fakegithub.Fault{
					Status: http.StatusTooManyRequests, Message: "Too Many Requests", Header: http.Header{"Retry-After": {"3"}},
				})
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); !slices.Equal(s, []time.Duration{3 * time.Second}) {
					t.Errorf("sleeps = %v, want [3s]", s)
				}
			},
		},
		{
			name: "secondary rate limit longer than MaxWait gives up", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("POST", "/repos/", 1, fakegithub.Fault{
					Status: http.StatusForbidden, Header: http.Header{"Retry-After": {"120"}},
				})
				return nil
			},
			wantErrText:  "secondary rate limit asks to wait 2m0s, longer than the 1m0s",
			wantRequests: []string{list, getPull, create},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 0 {
					t.Errorf("slept %v", s)
				}
			},
		},
		{
			name: "primary rate limit resetting soon: wait for the reset", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("GET", "/repos/", 1, fakegithub.Fault{
					Status: http.StatusForbidden, Message: "API rate limit exceeded for installation ID 1.",
					Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(20*time.Second).Unix(), 10)}},
				})
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 1 || s[0] < 15*time.Second || s[0] > 22*time.Second {
					t.Errorf("sleeps = %v, want about 20s", s)
				}
			},
		},
		{
			name: "primary rate limit used up for the hour: clear error", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("GET", "/repos/", 1, fakegithub.Fault{
					Status: http.StatusForbidden, Message: "API rate limit exceeded for installation ID 1.",
					Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}},
				})
				return nil
			},
			wantErrText:  "primary rate limit asks to wait 1h0m",
			wantRequests: []string{list},
		},
		{
			name: "502 on the first request: retried", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.Fail("GET", "/repos/octo-org/hello-world/issues/1/comments", http.StatusBadGateway, 1)
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 1 || s[0] <= 0 {
					t.Errorf("sleeps = %v, want 1", s)
				}
				if len(e.comments()) != 1 {
					t.Errorf("comments = %+v", e.comments())
				}
			},
		},
		{
			name: "the first request's connection dropped by the server: retried", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.FailWith("GET", "/repos/octo-org/hello-world/issues/1/comments", 1, fakegithub.Fault{Drop: true})
				return nil
			},
			wantAction:   "created",
			wantRequests: []string{list, list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 1 {
					t.Errorf("sleeps = %v, want 1", s)
				}
			},
		},
		{
			name: "every request retried: one 502 each", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				e.fake.Fail("GET", "/repos/octo-org/hello-world/pulls/1", http.StatusBadGateway, 1)
				e.fake.Fail("PATCH", "/repos/octo-org/hello-world/issues/comments/", http.StatusBadGateway, 1)
				e.fake.Fail("DELETE", "/repos/octo-org/hello-world/issues/comments/", http.StatusBadGateway, 1)
				return []int64{e.seed(bot, okBody(headSHA)), e.seed(bot, okBody(headSHA))}
			},
			wantAction:   "updated",
			wantRequests: []string{list, getPull, getPull, edit, edit, getPull, del, del},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 3 {
					t.Errorf("sleeps = %v, want 3", s)
				}
				if cs := e.comments(); len(cs) != 1 || cs[0].Body != body(headSHA) || !slices.Equal(res.Deleted, ids[1:]) {
					t.Errorf("comments = %+v, result %+v", cs, res)
				}
			},
		},
		{
			name: "network error retried", mode: prcomment.ModeAuto, changed: true,
			wrap:         failFirstRequest,
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, list, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if s := e.slept(); len(s) != 1 {
					t.Errorf("sleeps = %v, want 1", s)
				}
			},
		},
		{
			name: "mode never makes no request", mode: prcomment.ModeNever, changed: true,
			arrange:      func(e *env) []int64 { return []int64{e.seed(bot, okBody(headSHA))} },
			wantAction:   "skipped",
			wantRequests: nil,
		},
		{
			name: "auto, nothing changed, no comment: skipped", mode: prcomment.ModeAuto, changed: false,
			wantAction:   "skipped",
			wantRequests: []string{list},
		},
		{
			name: "auto, nothing changed, a comment exists: kept up to date", mode: prcomment.ModeAuto, changed: false,
			body:         okBody(headSHA),
			arrange:      func(e *env) []int64 { return []int64{e.seed(bot, body(headSHA))} },
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull},
		},
		{
			name: "on-change, nothing changed, no comment: skipped", mode: prcomment.ModeOnChange, changed: false,
			body:         okBody(headSHA),
			wantAction:   "skipped",
			wantRequests: []string{list},
		},
		{
			name: "on-change, nothing changed, the comment shows bad news: updated", mode: prcomment.ModeOnChange, changed: false,
			body:         okBody(headSHA),
			arrange:      func(e *env) []int64 { return []int64{e.seed(bot, body(oldSHA))} },
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull},
		},
		{
			name: "on-change, nothing changed, the comment is already all-clear: skipped", mode: prcomment.ModeOnChange, changed: false,
			body:         okBody(headSHA),
			arrange:      func(e *env) []int64 { return []int64{e.seed(bot, okBody(oldSHA))} },
			wantAction:   "skipped",
			wantRequests: []string{list},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if res.CommentID != ids[0] {
					t.Errorf("CommentID = %d, want %d", res.CommentID, ids[0])
				}
			},
		},
		{
			name: "on-change, changed: created", mode: prcomment.ModeOnChange, changed: true,
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, list, getPull},
		},
		{
			name: "always, nothing changed: created", mode: prcomment.ModeAlways, changed: false,
			body:         okBody(headSHA),
			wantAction:   "created",
			wantRequests: []string{list, getPull, create, list, getPull},
		},
		{
			name: "an App's token: Author names its bot", mode: prcomment.ModeAuto, changed: true,
			arrange: func(e *env) []int64 {
				return []int64{e.seed(bot, okBody(headSHA)), e.seed("callbudget-app[bot]", okBody(headSHA))}
			},
			tweak:        func(o *prcomment.Options) { o.Author = "callbudget-app[bot]" },
			wantAction:   "updated",
			wantRequests: []string{list, getPull, edit, getPull},
			check: func(t *testing.T, e *env, res prcomment.Result, ids []int64) {
				if res.CommentID != ids[1] {
					t.Errorf("updated %d, want the App's %d", res.CommentID, ids[1])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tt.fake, tt.wrap)
			var ids []int64
			if tt.arrange != nil {
				ids = tt.arrange(e)
			}
			before := len(e.fake.Requests())
			o := e.options(tt.mode, tt.changed)
			if tt.tweak != nil {
				tt.tweak(&o)
			}
			b := tt.body
			if b == "" {
				b = body(headSHA)
			}
			res, err := prcomment.Post(context.Background(), b, o)

			switch {
			case tt.wantErr != nil || tt.wantErrText != "":
				t.Logf("err: %v", err)
				if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || !strings.Contains(fmt.Sprint(err), tt.wantErrText) {
					t.Errorf("err = %v, want %v %q", err, tt.wantErr, tt.wantErrText)
				}
			case err != nil:
				t.Fatalf("Post: %v", err)
			case res.Action != tt.wantAction:
				t.Errorf("Action = %q, want %q (%+v)", res.Action, tt.wantAction, res)
			}
			got := e.requests()[before:]
			if !slices.Equal(got, tt.wantRequests) {
				t.Errorf("requests:\n  got  %q\n  want %q", got, tt.wantRequests)
			}
			for _, r := range got {
				if strings.HasPrefix(r, "GET /user") {
					t.Errorf("Post called %s: GITHUB_TOKEN may not", r)
				}
			}
			if tt.check != nil {
				tt.check(t, e, res, ids)
			}
		})
	}
}

// deleteBeforeFirstPatch deletes the comment the first PATCH is about just
// before sending it, as someone deleting the comment meanwhile would.
func deleteBeforeFirstPatch(next http.RoundTripper) http.RoundTripper {
	var once sync.Once
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPatch {
			var err error
			once.Do(func() {
				del, _ := http.NewRequestWithContext(r.Context(), http.MethodDelete, r.URL.String(), nil)
				del.Header.Set("Authorization", "token "+botToken)
				var resp *http.Response
				if resp, err = next.RoundTrip(del); err == nil {
					resp.Body.Close()
				}
			})
			if err != nil {
				return nil, err
			}
		}
		return next.RoundTrip(r)
	})
}

// failFirstRequest fails the first request as a dropped connection would,
// before it reaches the server.
func failFirstRequest(next http.RoundTripper) http.RoundTripper {
	var once sync.Once
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		failed := false
		once.Do(func() { failed = true })
		if failed {
			return nil, errors.New("connection reset by peer")
		}
		return next.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPostRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Options{}, nil)
	tests := []struct {
		name  string
		body  string
		tweak func(o *prcomment.Options)
		want  string
	}{
		{name: "body without the marker", body: "hello", want: "does not start with the marker"},
		{name: "marker of another key", body: prcomment.Render(okReport(), prcomment.RenderOptions{Key: "other.yaml", HeadSHA: headSHA}), want: "does not start with the marker"},
		{name: "no head SHA", tweak: func(o *prcomment.Options) { o.HeadSHA = "" }, want: "not a commit SHA"},
		{name: "bad mode", tweak: func(o *prcomment.Options) { o.Mode = "sometimes" }, want: "comment mode"},
		{name: "no client", tweak: func(o *prcomment.Options) { o.Client = nil }, want: "no GitHub client"},
		{name: "no number", tweak: func(o *prcomment.Options) { o.Number = 0 }, want: "bad pull request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := e.options(prcomment.ModeAlways, true)
			if tt.tweak != nil {
				tt.tweak(&o)
			}
			b := tt.body
			if b == "" {
				b = body(headSHA)
			}
			if _, err := prcomment.Post(context.Background(), b, o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Errorf("%d requests made for bad input", n)
	}
}

// TestPostTwiceIsOneComment runs the comment flow twice, as two pushes
// would, and counts the calls: the figures the project budgets.
func TestPostTwiceIsOneComment(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Options{}, nil)
	ctx := context.Background()
	o := e.options(prcomment.ModeAuto, true)
	o.HeadSHA = oldSHA
	e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, oldSHA)
	if res, err := prcomment.Post(ctx, body(oldSHA), o); err != nil || res.Action != "created" {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	if n := len(e.fake.Requests()); n != 5 {
		t.Errorf("find+create made %d calls, want 5", n)
	}
	e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, headSHA)
	o.HeadSHA = headSHA
	if res, err := prcomment.Post(ctx, body(headSHA), o); err != nil || res.Action != "updated" {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	if n := len(e.fake.Requests()) - 5; n != 4 {
		t.Errorf("find+update after a push made %d calls, want 4", n)
	}
	if cs := e.comments(); len(cs) != 1 || cs[0].Body != body(headSHA) {
		t.Errorf("comments = %+v", cs)
	}
	// The run for the old head comes late: it must not overwrite.
	o.HeadSHA = oldSHA
	if res, err := prcomment.Post(ctx, body(oldSHA), o); err != nil || res.Action != "stale" {
		t.Fatalf("late run: %+v, %v", res, err)
	}
	if cs := e.comments(); len(cs) != 1 || cs[0].Body != body(headSHA) {
		t.Errorf("the late run overwrote: %+v", cs)
	}
}

// TestPullRequest: the caller's read of the pull request is retried as
// Post's requests are, the first one included.
func TestPullRequest(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Options{}, failFirstRequest)
	e.fake.Fail("GET", "/repos/octo-org/hello-world/pulls/1", http.StatusBadGateway, 1)
	o := e.options(prcomment.ModeAuto, true)
	o.HeadSHA = "" // not needed
	pr, err := prcomment.PullRequest(context.Background(), o)
	if err != nil || pr.GetHead().GetSHA() != fakegithub.HeadSHA || pr.GetBase().GetSHA() != fakegithub.BaseSHA {
		t.Fatalf("PullRequest = %+v, %v", pr, err)
	}
	if got := e.requests(); !slices.Equal(got, []string{getPull, getPull}) { // the reset never reached it
		t.Errorf("requests = %q", got)
	}
	if s := e.slept(); len(s) != 2 {
		t.Errorf("sleeps = %v, want 2", s)
	}
	e.fake.Fail("GET", "/repos/octo-org/hello-world/pulls/1", http.StatusNotFound, 1)
	if _, err := prcomment.PullRequest(context.Background(), o); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: err = %v", err)
	}
}
