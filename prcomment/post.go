package prcomment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v62/github"
)

// Mode says when Post comments.
type Mode string

// Modes, as the action's `comment` input spells them.
const (
	// ModeAuto comments when the report is news (Options.Changed) or a
	// comment already exists, which it then keeps up to date on every run.
	ModeAuto Mode = "auto"
	// ModeAlways creates or updates the comment on every run.
	ModeAlways Mode = "always"
	// ModeOnChange comments only when the report is news. When it is not
	// and the comment still shows news (its metadata says changed), the
	// comment is updated once to the all-clear, so it never shows stale
	// bad news; after that, runs with nothing to say leave it alone and
	// cost one read.
	ModeOnChange Mode = "on-change"
	// ModeNever never comments and makes no API call.
	ModeNever Mode = "never"
)

// ParseMode reads a mode as the action's input gives it; "" is auto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ModeAuto, nil
	case ModeAuto, ModeAlways, ModeOnChange, ModeNever:
		return m, nil
	}
	return "", fmt.Errorf("comment mode %q: want auto, always, on-change or never", s)
}

// DefaultAuthor is the login of a workflow's GITHUB_TOKEN.
const DefaultAuthor = "github-actions[bot]"

// Errors Post returns for a token that may not comment. The caller turns
// them into one warning: the comment never decides the exit code.
var (
	// ErrReadOnly: GitHub answered 403 "Resource not accessible by
	// integration", as it does to the read-only GITHUB_TOKEN of a pull
	// request from a fork (comment from a workflow_run job instead).
	ErrReadOnly = errors.New("the token may not comment on this pull request (read-only token, as a pull request from a fork gets)")
	// ErrLocked: the conversation is locked.
	ErrLocked = errors.New("the pull request's conversation is locked")
)

// Options says where and how Post comments.
type Options struct {
	// Client is the go-github client with the token. Post makes each
	// request with a fresh client on the same transport and base URL, so
	// that go-github's memory of a rate limit does not refuse a retry
	// Post has already waited for.
	Client      *github.Client
	Owner, Repo string
	Number      int
	// HeadSHA is the pull request head the report is for (required):
	// the stale guard compares it with the existing comment's and the
	// pull request's.
	HeadSHA string
	// Key identifies the comment per pull request and config, as in
	// RenderOptions.Key; body must start with Marker(Key).
	Key string
	// Author is the login whose comments Post trusts: a comment with the
	// marker by anyone else is a spoof and is ignored. Default
	// DefaultAuthor; a GitHub App's token comments as "NAME[bot]". GET
	// /user is forbidden to GITHUB_TOKEN, so Post never asks.
	Author  string
	Mode    Mode
	Changed bool
	// MaxAttempts bounds the attempts of one request when GitHub answers
	// 5xx, the network fails or a secondary rate limit is hit; default 4.
	MaxAttempts int
	// MaxWait caps one wait: a backoff is cut to it, and Post gives up
	// when GitHub asks to wait longer; default 60s.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; default a real timer. For tests.
	Sleep func(ctx context.Context, d time.Duration) error
	// Shorten returns a shorter body starting with the same marker, for
	// when GitHub refuses body as too long (422): typically Render again
	// with a smaller MaxChars. It is called at most once, also before the
	// first request when body is over GitHub's 65,536 characters. nil
	// cuts body to half its length with Truncate.
	Shorten func(body string) string
}

// Result is what Post did.
type Result struct {
	// Action is "created", "updated", "unchanged" (the comment already
	// says this), "skipped" (the mode says not to comment) or "stale"
	// (the pull request's head has moved past HeadSHA, and the comment is
	// for another head: nothing written).
	Action    string
	CommentID int64
	URL       string
	// Deleted lists the duplicate comments removed.
	Deleted  []int64
	Warnings []string
}

// Actions of a Result.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
	ActionSkipped   = "skipped"
	ActionStale     = "stale"
)

// githubMaxBody is GitHub's limit on a comment body, in characters.
const githubMaxBody = 65536

// Post creates or updates the sticky comment on the pull request.
//
// It lists every page of the pull request's comments (100 a page) and
// keeps those whose first line is Marker(Key) and whose author is
// Author, oldest first. Then, as Mode and Changed say: nothing
// ("skipped"); a new comment ("created"); or the oldest one edited in
// place ("updated", or "unchanged" when it already has this body, with no
// request) and the others, left by two runs racing, deleted. When one of
// them is for another head SHA, the pull request is read first and
// nothing is written unless HeadSHA is still its head ("stale").
//
// The API calls: one list call per 100 comments on the pull request; one
// GET of the pull request when an existing comment is for another head;
// one POST or PATCH; one DELETE per duplicate. So 2 to create, 2 to
// update for the same head (1 when unchanged), 3 to update after a push.
func Post(ctx context.Context, body string, o Options) (Result, error) {
	if o.Mode == "" {
		o.Mode = ModeAuto
	}
	if _, err := ParseMode(string(o.Mode)); err != nil {
		return Result{}, err
	}
	if o.Mode == ModeNever {
		return Result{Action: ActionSkipped}, nil
	}
	p, err := newPoster(o)
	if err != nil {
		return Result{}, err
	}
	if first, _, _ := strings.Cut(body, "\n"); first != Marker(o.Key) {
		return Result{}, fmt.Errorf("comment body does not start with the marker for key %q: it could never be found again", o.Key)
	}
	return p.post(ctx, body)
}

type poster struct {
	o    Options
	head string
	hash string
	res  Result
	// shortened is set once Shorten has been used.
	shortened bool
}

func newPoster(o Options) (*poster, error) {
	switch {
	case o.Client == nil:
		return nil, errors.New("prcomment: no GitHub client")
	case o.Owner == "" || o.Repo == "" || o.Number <= 0:
		return nil, fmt.Errorf("prcomment: bad pull request %q/%q#%d", o.Owner, o.Repo, o.Number)
	}
	head := strings.ToLower(o.HeadSHA)
	if !validSHA(head) {
		return nil, fmt.Errorf("prcomment: head SHA %q is not a commit SHA", o.HeadSHA)
	}
	if o.Author == "" {
		o.Author = DefaultAuthor
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 60 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &poster{o: o, head: head, hash: keyHash(o.Key)}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ours is one of our comments found on the pull request.
type ours struct {
	c    *github.IssueComment
	meta Meta
}

func (p *poster) post(ctx context.Context, body string) (Result, error) {
	found, err := p.find(ctx)
	if err != nil {
		return Result{}, err
	}
	if !p.wanted(found) {
		p.res.Action = ActionSkipped
		if len(found) > 0 {
			p.res.CommentID, p.res.URL = found[0].c.GetID(), found[0].c.GetHTMLURL()
		}
		return p.res, nil
	}
	if utf8.RuneCountInString(body) > githubMaxBody {
		if body, err = p.shorten(body); err != nil {
			return Result{}, err
		}
	}
	if len(found) == 0 {
		return p.res, p.create(ctx, body)
	}

	for _, f := range found {
		if f.meta.HeadSHA != p.head {
			stale, err := p.stale(ctx)
			if err != nil {
				return Result{}, err
			}
			if stale {
				p.res.Action = ActionStale
				p.res.CommentID, p.res.URL = found[0].c.GetID(), found[0].c.GetHTMLURL()
				return p.res, nil
			}
			break
		}
	}

	sticky := found[0].c
	if normalizeNewlines(sticky.GetBody()) == body {
		p.res.Action = ActionUnchanged
		p.res.CommentID, p.res.URL = sticky.GetID(), sticky.GetHTMLURL()
	} else if err := p.edit(ctx, sticky.GetID(), body); err != nil {
		return Result{}, err
	}
	for _, f := range found[1:] {
		p.remove(ctx, f.c.GetID())
	}
	return p.res, nil
}

// wanted applies the mode: whether to write anything.
func (p *poster) wanted(found []ours) bool {
	switch p.o.Mode {
	case ModeAlways:
		return true
	case ModeOnChange:
		return p.o.Changed || len(found) > 0 && found[0].meta.Changed
	}
	return p.o.Changed || len(found) > 0
}

// find lists every page of comments and returns ours, oldest first.
func (p *poster) find(ctx context.Context) ([]ours, error) {
	var found []ours
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 1; ; page++ {
		var list []*github.IssueComment
		var resp *github.Response
		err := p.call(ctx, fmt.Sprintf("list comments of %s (page %d)", p.pr(), page), func(gh *github.Client) (*github.Response, error) {
			var err error
			list, resp, err = gh.Issues.ListComments(ctx, p.o.Owner, p.o.Repo, p.o.Number, opts)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if !strings.EqualFold(c.GetUser().GetLogin(), p.o.Author) {
				continue
			}
			if m, ok := ParseMeta(c.GetBody()); ok && m.KeyHash == p.hash {
				found = append(found, ours{c: c, meta: m})
			}
		}
		if resp.NextPage == 0 || resp.NextPage <= opts.Page {
			break
		}
		opts.Page = resp.NextPage
	}
	slices.SortStableFunc(found, func(a, b ours) int {
		if c := a.c.GetCreatedAt().Compare(b.c.GetCreatedAt().Time); c != 0 {
			return c
		}
		return cmp.Compare(a.c.GetID(), b.c.GetID())
	})
	return found, nil
}

// stale reads the pull request: a run whose head is no longer the pull
// request's must not overwrite a comment for another head.
func (p *poster) stale(ctx context.Context) (bool, error) {
	var pr *github.PullRequest
	err := p.call(ctx, "get pull request "+p.pr(), func(gh *github.Client) (*github.Response, error) {
		var resp *github.Response
		var err error
		pr, resp, err = gh.PullRequests.Get(ctx, p.o.Owner, p.o.Repo, p.o.Number)
		return resp, err
	})
	if err != nil {
		return false, err
	}
	return !strings.EqualFold(pr.GetHead().GetSHA(), p.head), nil
}

func (p *poster) create(ctx context.Context, body string) error {
	for {
		var c *github.IssueComment
		err := p.call(ctx, "create comment on "+p.pr(), func(gh *github.Client) (*github.Response, error) {
			var resp *github.Response
			var err error
			c, resp, err = gh.Issues.CreateComment(ctx, p.o.Owner, p.o.Repo, p.o.Number, &github.IssueComment{Body: &body})
			return resp, err
		})
		switch {
		case err != nil && tooLong(err) && !p.shortened:
			if body, err = p.shorten(body); err != nil {
				return err
			}
			continue
		case err != nil && tooLong(err):
			return fmt.Errorf("%w (even after shortening it once)", err)
		case err != nil:
			return err
		}
		p.res.Action, p.res.CommentID, p.res.URL = ActionCreated, c.GetID(), c.GetHTMLURL()
		return nil
	}
}

func (p *poster) edit(ctx context.Context, id int64, body string) error {
	for {
		var c *github.IssueComment
		err := p.call(ctx, fmt.Sprintf("edit comment %d on %s", id, p.pr()), func(gh *github.Client) (*github.Response, error) {
			var resp *github.Response
			var err error
			c, resp, err = gh.Issues.EditComment(ctx, p.o.Owner, p.o.Repo, id, &github.IssueComment{Body: &body})
			return resp, err
		})
		switch {
		case err != nil && tooLong(err) && !p.shortened:
			if body, err = p.shorten(body); err != nil {
				return err
			}
			continue
		case err != nil && tooLong(err):
			return fmt.Errorf("%w (even after shortening it once)", err)
		case statusOf(err) == 404:
			// Deleted since we listed it: post a new one.
			p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("comment %d was deleted while this run updated it: posted a new one", id))
			return p.create(ctx, body)
		case err != nil:
			return err
		}
		p.res.Action, p.res.CommentID, p.res.URL = ActionUpdated, c.GetID(), c.GetHTMLURL()
		return nil
	}
}

// remove deletes a duplicate; failing to is only a warning, since the
// next run tries again.
func (p *poster) remove(ctx context.Context, id int64) {
	err := p.call(ctx, fmt.Sprintf("delete duplicate comment %d on %s", id, p.pr()), func(gh *github.Client) (*github.Response, error) {
		return gh.Issues.DeleteComment(ctx, p.o.Owner, p.o.Repo, id)
	})
	switch {
	case err == nil:
		p.res.Deleted = append(p.res.Deleted, id)
	case statusOf(err) == 404:
		// Another run deleted it first.
	default:
		p.res.Warnings = append(p.res.Warnings, err.Error())
	}
}

func (p *poster) shorten(body string) (string, error) {
	p.shortened = true
	var short string
	if p.o.Shorten != nil {
		short = p.o.Shorten(body)
	} else {
		short = Truncate(body, len(body)/2)
	}
	if first, _, _ := strings.Cut(short, "\n"); first != Marker(p.o.Key) {
		return "", errors.New("the shortened comment body lost its marker")
	}
	if len(short) >= len(body) {
		return "", fmt.Errorf("comment body is too long for GitHub (%d bytes) and could not be shortened", len(body))
	}
	p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("the comment was too long for GitHub and was shortened from %d to %d bytes", len(body), len(short)))
	return short, nil
}

func (p *poster) pr() string {
	return fmt.Sprintf("%s/%s#%d", p.o.Owner, p.o.Repo, p.o.Number)
}

// normalizeNewlines undoes GitHub's CRLF in bodies edited in the browser,
// so such a body still compares equal to ours.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}
