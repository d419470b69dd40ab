package prcomment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
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
	// PullRequest, when set, is the pull request as the caller read it
	// right before calling Post (the comment command checks its head
	// first): the check before the first write uses it instead of
	// reading it again, one call fewer. Every later check reads it.
	PullRequest *github.PullRequest
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
	// (the pull request's head had moved past HeadSHA: this run's counts
	// are not posted, and a warning says so).
	Action    string
	CommentID int64
	URL       string
	// Deleted lists the duplicate comments removed, ours among them when
	// another run had created the sticky comment first.
	Deleted []int64
	// Head is the pull request's head SHA as Post last read it; "" when
	// it did not read the pull request (nothing to write).
	Head string
	// MarkedStale says the pull request's head moved while Post wrote:
	// the comment it wrote now starts with a banner saying its counts are
	// for HeadSHA and the head is now Head. A warning says so too.
	MarkedStale bool
	Warnings    []string
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
// Author, oldest first (by created_at, then id): the oldest is the
// sticky comment, the others duplicates. Then, as Mode and Changed say:
// nothing ("skipped"); nothing when the sticky comment already has this
// body ("unchanged"); or a write. Before writing it reads the pull
// request, and writes nothing unless HeadSHA is still its head
// ("stale"). It edits the sticky comment in place ("updated"), or
// creates one ("created") and lists again: when another run created one
// first, that older comment is kept and gets this body (its head read
// again first), and ours is deleted. After writing it reads the pull
// request again: when the head moved meanwhile, what it wrote may have
// overwritten a newer run's, so it reads the comment back and, unless a
// run for the new head has posted there since, marks it out of date
// with a banner (MarkedStale). Duplicates are deleted last. Package
// doc.go counts the calls.
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
	p, err := newPoster(o, true)
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
	// created is set once this Post has created a comment: a comment
	// deleted under it is then not posted anew a second time.
	created bool
}

// PullRequest reads the pull request o names, with the retries of
// Post's requests; only o's Client, Owner, Repo, Number, MaxAttempts,
// MaxWait and Sleep are used. It is for a caller that needs the pull
// request before it renders the comment (its base SHA): Post reads the
// head again itself, right before it writes.
func PullRequest(ctx context.Context, o Options) (*github.PullRequest, error) {
	p, err := newPoster(o, false)
	if err != nil {
		return nil, err
	}
	return p.pull(ctx)
}

func newPoster(o Options, needHead bool) (*poster, error) {
	switch {
	case o.Client == nil:
		return nil, errors.New("prcomment: no GitHub client")
	case o.Owner == "" || o.Repo == "" || o.Number <= 0:
		return nil, fmt.Errorf("prcomment: bad pull request %q/%q#%d", o.Owner, o.Repo, o.Number)
	}
	head := strings.ToLower(o.HeadSHA)
	if needHead && !validSHA(head) {
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
			p.setComment(found[0].c)
		}
		return p.res, nil
	}
	if utf8.RuneCountInString(body) > githubMaxBody {
		if body, err = p.shorten(body); err != nil {
			return Result{}, err
		}
	}
	if len(found) > 0 && normalizeNewlines(found[0].c.GetBody()) == body {
		p.res.Action = ActionUnchanged
		p.setComment(found[0].c)
		p.removeAll(ctx, found[1:])
		return p.res, nil
	}

	now, err := p.headNow(ctx)
	if err != nil {
		return Result{}, err
	}
	if now != p.head {
		// Nothing is written, nor deleted: the run for the new head
		// tidies up.
		if len(found) > 0 {
			p.setComment(found[0].c)
		}
		p.stale(now)
		return p.res, nil
	}
	// On an error after a write the Result still says what was done
	// and warned. (Not return p.res, p.create(…): Go leaves open whether
	// p.res is read before the call.)
	if len(found) == 0 {
		err := p.create(ctx, body)
		return p.res, err
	}
	if err := p.update(ctx, found[0], body); err != nil {
		return p.res, err
	}
	if !p.created {
		// (When the comment was gone and a new one was posted, create
		// has dealt with the duplicates it listed again.)
		p.removeAll(ctx, found[1:])
	}
	return p.res, nil
}

// wanted applies the mode: whether to write anything.
func (p *poster) wanted(found []ours) bool {
	switch p.o.Mode {
	case ModeAlways:
		return true
	case ModeOnChange:
		return p.o.Changed || len(found) > 0 && (found[0].meta.Changed || found[0].meta.Stale)
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
	sortOldestFirst(found)
	return found, nil
}

// sortOldestFirst orders comments by created_at, then id (GitHub's ids
// grow): every run sorting the same comments picks the same oldest.
func sortOldestFirst(found []ours) {
	slices.SortStableFunc(found, func(a, b ours) int {
		if c := a.c.GetCreatedAt().Compare(b.c.GetCreatedAt().Time); c != 0 {
			return c
		}
		return cmp.Compare(a.c.GetID(), b.c.GetID())
	})
}

// headNow reads the pull request's head SHA, lowercased, and keeps it
// in the Result.
func (p *poster) headNow(ctx context.Context) (string, error) {
	pr := p.o.PullRequest
	p.o.PullRequest = nil // the caller's read serves once
	if pr == nil {
		var err error
		if pr, err = p.pull(ctx); err != nil {
			return "", err
		}
	}
	p.res.Head = strings.ToLower(pr.GetHead().GetSHA())
	return p.res.Head, nil
}

func (p *poster) pull(ctx context.Context) (*github.PullRequest, error) {
	var pr *github.PullRequest
	err := p.call(ctx, "get pull request "+p.pr(), func(gh *github.Client) (*github.Response, error) {
		var resp *github.Response
		var err error
		pr, resp, err = gh.PullRequests.Get(ctx, p.o.Owner, p.o.Repo, p.o.Number)
		return resp, err
	})
	return pr, err
}

// stale records that this run's counts are not posted: the head is now.
func (p *poster) stale(now string) {
	p.res.Action = ActionStale
	p.res.Warnings = append(p.res.Warnings, staleWarning(now, p.head))
}

// create posts a new comment, the head having just been read. Two first
// runs racing both find no comment and both create one: so it lists
// again, and when an older comment of ours is there, that one is kept,
// gets body (if the head is still HeadSHA) and ours is deleted. Every
// run of a race agrees on which comment is the oldest, and none deletes
// it, so a race ends with exactly one.
func (p *poster) create(ctx context.Context, body string) error {
	c, written, err := p.write(ctx, 0, body, p.shortenOnce())
	if err != nil {
		return err
	}
	p.created = true
	p.res.Action = ActionCreated
	p.setComment(c)

	mine := ours{c: c}
	mine.meta, _ = ParseMeta(written)
	found, err := p.find(ctx)
	if err != nil {
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("created comment %d, but could not list the comments again to look for a duplicate from a run racing this one: %v", c.GetID(), err))
		found = nil
	}
	if !slices.ContainsFunc(found, func(f ours) bool { return f.c.GetID() == c.GetID() }) {
		// GitHub's list can lag a write by a moment.
		found = append(found, mine)
		sortOldestFirst(found)
	}
	keep, others := found[0], found[1:]
	now, err := p.headNow(ctx)
	if err != nil {
		return fmt.Errorf("created comment %d, but could not read the head again: %w", c.GetID(), err)
	}
	if keep.c.GetID() == c.GetID() {
		if now != p.head {
			if err := p.markStale(ctx, c.GetID(), written, now); err != nil {
				return err
			}
		}
		p.removeAll(ctx, others)
		return nil
	}

	// Another run created the sticky comment first: it is the one to keep.
	p.setComment(keep.c)
	switch {
	case now != p.head:
		p.stale(now)
	case normalizeNewlines(keep.c.GetBody()) == written:
		p.res.Action = ActionUnchanged
	default:
		err := p.update(ctx, keep, written)
		if statusOf(err) == http.StatusNotFound {
			// Deleted since we listed it: ours is the one left.
			p.res.Action = ActionCreated
			p.setComment(c)
			p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("comment %d was deleted while this run updated it: kept the new one", keep.c.GetID()))
			rest := slices.DeleteFunc(slices.Clone(others), func(f ours) bool { return f.c.GetID() == c.GetID() })
			p.removeAll(ctx, rest)
			return p.recheck(ctx, c.GetID(), written)
		}
		if err != nil {
			return err
		}
	}
	p.removeAll(ctx, others)
	return nil
}

// update edits the sticky comment k in place, the head having just been
// read, then reads the head again. A comment deleted meanwhile (404) is
// posted anew, once.
func (p *poster) update(ctx context.Context, k ours, body string) error {
	if m := k.meta; m.HeadSHA != "" && m.HeadSHA != p.head && m.HeadSHA == p.res.Head {
		// A run for the current head has posted: never overwrite it
		// (unreachable while the head just read is HeadSHA; kept so
		// that no path can).
		p.stale(p.res.Head)
		return nil
	}
	c, written, err := p.write(ctx, k.c.GetID(), body, p.shortenOnce())
	switch {
	case statusOf(err) == http.StatusNotFound && !p.created:
		// Posted anew; create says which comment it kept when the old
		// one turns out to be there still (a 404 that was not a delete).
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("comment %d answered 404 to the edit (deleted meanwhile?): posted the report again", k.c.GetID()))
		return p.create(ctx, written)
	case err != nil:
		return err
	}
	p.res.Action = ActionUpdated
	p.setComment(c)
	return p.recheck(ctx, c.GetID(), written)
}

// recheck reads the head again after writing body into comment id; when
// it moved meanwhile, the comment is marked out of date.
func (p *poster) recheck(ctx context.Context, id int64, body string) error {
	now, err := p.headNow(ctx)
	if err != nil {
		return fmt.Errorf("wrote comment %d, but could not read the head again: %w", id, err)
	}
	if now == p.head {
		return nil
	}
	return p.markStale(ctx, id, body, now)
}

// markStale handles a head that moved to now while this run wrote body
// into comment id: the write may have landed after a newer run's, so
// that the comment shows this run's counts as if they were the new
// head's. It reads the comment back: when a run for now has written it
// since, it is left alone; otherwise it gets body with the stale banner.
// (GitHub has no conditional write for comments: a run for now writing
// between the read and the banner's PATCH is overwritten by the banner,
// which still never shows old counts as current.)
func (p *poster) markStale(ctx context.Context, id int64, body, now string) error {
	var cur *github.IssueComment
	err := p.call(ctx, fmt.Sprintf("get comment %d on %s", id, p.pr()), func(gh *github.Client) (*github.Response, error) {
		var resp *github.Response
		var err error
		cur, resp, err = gh.Issues.GetComment(ctx, p.o.Owner, p.o.Repo, id)
		return resp, err
	})
	// A comment gone (404) is a warning; another failure, an error.
	failed := func(err error) (bool, error) {
		switch {
		case statusOf(err) == http.StatusNotFound:
			p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("the pull request's head moved to %s while this run posted its results for %s, and comment %d is gone", short(now), short(p.head), id))
			return true, nil
		case err != nil:
			return true, fmt.Errorf("the pull request's head moved to %s while this run posted its results for %s; could not mark them out of date: %w", short(now), short(p.head), err)
		}
		return false, nil
	}
	if stop, err := failed(err); stop {
		return err
	}
	if m, ok := ParseMeta(cur.GetBody()); ok && m.HeadSHA != "" && m.HeadSHA != p.head && m.HeadSHA == now {
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("the pull request's head moved to %s while this run posted its results for %s; a run for %s has posted since, so the comment is left as it is", short(now), short(p.head), short(now)))
		return nil
	}
	bannered := withStaleBanner(body, p.head, now)
	if normalizeNewlines(cur.GetBody()) != bannered {
		truncate := func(b string) (string, error) { return Truncate(b, len(b)/2), nil }
		if _, _, err := p.write(ctx, id, bannered, truncate); err != nil {
			_, err = failed(err)
			return err
		}
	}
	p.res.MarkedStale = true
	p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("the pull request's head moved to %s while this run posted its results for %s: the comment now says they are out of date (re-run the check for %s)", short(now), short(p.head), short(now)))
	return nil
}

// write creates a comment (id 0) or edits comment id with body; when
// GitHub refuses body as too long, it tries once more with
// shorten(body), if shorten is not nil. It returns the body it last
// sent.
func (p *poster) write(ctx context.Context, id int64, body string, shorten func(string) (string, error)) (*github.IssueComment, string, error) {
	what := "create comment on " + p.pr()
	if id != 0 {
		what = fmt.Sprintf("edit comment %d on %s", id, p.pr())
	}
	for {
		var c *github.IssueComment
		err := p.call(ctx, what, func(gh *github.Client) (*github.Response, error) {
			var resp *github.Response
			var err error
			if id == 0 {
				c, resp, err = gh.Issues.CreateComment(ctx, p.o.Owner, p.o.Repo, p.o.Number, &github.IssueComment{Body: &body})
			} else {
				c, resp, err = gh.Issues.EditComment(ctx, p.o.Owner, p.o.Repo, id, &github.IssueComment{Body: &body})
			}
			return resp, err
		})
		switch {
		case err != nil && tooLong(err) && shorten != nil:
			if body, err = shorten(body); err != nil {
				return nil, body, err
			}
			shorten = nil
			continue
		case err != nil && tooLong(err):
			return nil, body, fmt.Errorf("%w (even after shortening it once)", err)
		case err != nil:
			return nil, body, err
		}
		return c, body, nil
	}
}

// shortenOnce is p.shorten until it has been used: Options.Shorten is
// called at most once a Post.
func (p *poster) shortenOnce() func(string) (string, error) {
	if p.shortened {
		return nil
	}
	return p.shorten
}

// removeAll deletes duplicates.
func (p *poster) removeAll(ctx context.Context, dups []ours) {
	for _, d := range dups {
		p.remove(ctx, d.c.GetID())
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
	case statusOf(err) == http.StatusNotFound:
		// Another run deleted it first.
	default:
		p.res.Warnings = append(p.res.Warnings, err.Error())
	}
}

func (p *poster) setComment(c *github.IssueComment) {
	p.res.CommentID, p.res.URL = c.GetID(), c.GetHTMLURL()
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
