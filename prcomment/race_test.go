package prcomment_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/prcomment"
)

// Races between runs, ordered with the fake's hooks: every test here
// drives real go-github clients over loopback HTTP.

const (
	commentsPath = "/repos/octo-org/hello-world/issues/1/comments"
	commentPath  = "/repos/octo-org/hello-world/issues/comments/"
	pullPath     = "/repos/octo-org/hello-world/pulls/1"
	getComment   = "GET /repos/octo-org/hello-world/issues/comments/{id}"
)

// barrier lets n callers through together: each waits for the others, or
// for 10 seconds, so that a run failing before it cannot hang the test.
func barrier(n int) func() {
	var mu sync.Mutex
	all := make(chan struct{})
	return func() {
		mu.Lock()
		if n--; n == 0 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
		}
	}
}

// post runs Post for head with body, in the background.
func (e *env) post(head, body string) <-chan outcome {
	o := e.options(prcomment.ModeAlways, true)
	o.HeadSHA = head
	ch := make(chan outcome, 1)
	go func() {
		res, err := prcomment.Post(context.Background(), body, o)
		ch <- outcome{res, err}
	}()
	return ch
}

type outcome struct {
	res prcomment.Result
	err error
}

func wait(t *testing.T, ch <-chan outcome, who string) prcomment.Result {
	t.Helper()
	select {
	case out := <-ch:
		if out.err != nil {
			t.Fatalf("run %s: %v", who, out.err)
		}
		t.Logf("run %s: %+v", who, out.res)
		return out.res
	case <-time.After(20 * time.Second):
		t.Fatalf("run %s did not finish", who)
	}
	return prcomment.Result{}
}

func arrived(t *testing.T, p *fakegithub.Paused, what string) {
	t.Helper()
	select {
	case <-p.Arrived():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never reached the server", what)
	}
}

// sticky is the bot's comments with the marker.
func (e *env) sticky() []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range e.comments() {
		if c.User == bot && strings.HasPrefix(c.Body, prcomment.Marker(key)+"\n") {
			out = append(out, c)
		}
	}
	return out
}

// checkBannered checks that got is what a comment says when the run for
// head posted body while the head moved to now: body under the banner.
func checkBannered(t *testing.T, got, body, head, now string) {
	t.Helper()
	m, _ := prcomment.ParseMeta(got)
	if !m.Stale || m.HeadSHA != head {
		t.Errorf("metadata of the marked comment = %+v, want stale for %s", m, head)
	}
	for _, want := range []string{"> [!WARNING]", "for commit <code>" + head[:12] + "</code>", "head is now <code>" + now[:12] + "</code>", "Re-run the check for <code>" + now[:12] + "</code>"} {
		if !strings.Contains(got, want) {
			t.Errorf("marked comment lacks %q:\n%s", want, got)
		}
	}
	// Below the banner, the run's body as it was.
	_, rest, _ := strings.Cut(body, "\n")
	_, rest, _ = strings.Cut(rest, "\n")
	if !strings.HasSuffix(got, "\n\n"+rest) {
		t.Errorf("marked comment does not end with the run's body:\n%s", got)
	}
}

// TestPostRaceFirstRuns: two first runs both list before either creates
// (a barrier on the creates forces it); whatever the order after that,
// one sticky comment is left, with one of their bodies.
func TestPostRaceFirstRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// relistBarrier also makes both list again only after both have
		// created, so that each sees the other's comment.
		relistBarrier bool
		// moveBeforeRecheck moves the head to newerSHA before the runs read
		// it again after creating.
		moveBeforeRecheck bool
		repeat            int
	}{
		{name: "free order after the creates", repeat: 20},
		{name: "both list again after both created", relistBarrier: true, repeat: 5},
		{name: "the head moves before they read it again", relistBarrier: true, moveBeforeRecheck: true, repeat: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range tt.repeat {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					e := setup(t, fakegithub.Options{}, nil)
					e.seed("octocat", "Thanks!")
					creates := barrier(2)
					e.fake.Intercept("POST", commentsPath, func(fakegithub.Request, int) { creates() })
					if tt.relistBarrier {
						relists := barrier(2)
						e.fake.Intercept("GET", commentsPath, func(_ fakegithub.Request, n int) {
							if n > 2 {
								relists()
							}
						})
					}
					if tt.moveBeforeRecheck {
						e.fake.Intercept("GET", pullPath, func(_ fakegithub.Request, n int) {
							if n == 3 { // after both runs' first reads
								e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, newerSHA)
							}
						})
					}
					a, b := e.post(headSHA, body(headSHA)), e.post(headSHA, okBody(headSHA))
					ra, rb := wait(t, a, "A"), wait(t, b, "B")

					cs := e.sticky()
					if len(cs) != 1 {
						t.Fatalf("%d sticky comments, want 1: %+v", len(cs), cs)
					}
					if n := len(e.comments()); n != 2 {
						t.Errorf("%d comments in all, want 2 (the user's and the sticky one)", n)
					}
					if got := cs[0].Body; tt.moveBeforeRecheck {
						// The keeper's run marks it; the other posts nothing.
						if ra.MarkedStale == rb.MarkedStale {
							t.Errorf("MarkedStale A %v, B %v: want exactly one", ra.MarkedStale, rb.MarkedStale)
						}
						want := body(headSHA)
						if rb.MarkedStale {
							want = okBody(headSHA)
						}
						checkBannered(t, got, want, headSHA, newerSHA)
					} else if got != body(headSHA) && got != okBody(headSHA) {
						t.Errorf("the comment holds neither run's body:\n%s", got)
					}
					for _, r := range []prcomment.Result{ra, rb} {
						if r.CommentID != cs[0].ID && r.Action != prcomment.ActionStale {
							t.Errorf("a run reports comment %d, but %d is left: %+v", r.CommentID, cs[0].ID, r)
						}
					}
					if deleted := len(ra.Deleted) + len(rb.Deleted); deleted < 1 {
						t.Errorf("no run reports the duplicate deleted: %v, %v", ra.Deleted, rb.Deleted)
					}
				})
			}
		})
	}
}

// TestPostStaleRun: a run for an older head never leaves its counts shown
// as the current head's, whenever the head moves.
func TestPostStaleRun(t *testing.T) {
	t.Parallel()
	a, b := headSHA, newerSHA
	move := func(e *env) { e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, b) }

	t.Run("A's delayed PATCH lands after B's: marked out of date", func(t *testing.T) {
		t.Parallel()
		e := setup(t, fakegithub.Options{}, nil)
		id := e.seed(bot, okBody(a)) // an earlier run for a
		held := e.fake.Pause("PATCH", commentPath, 1)
		runA := e.post(a, body(a))
		arrived(t, held, "A's PATCH")
		move(e)
		rb := wait(t, e.post(b, okBody(b)), "B")
		if rb.Action != prcomment.ActionUpdated || rb.CommentID != id || rb.MarkedStale {
			t.Errorf("B: %+v", rb)
		}
		if cs := e.sticky(); len(cs) != 1 || cs[0].Body != okBody(b) {
			t.Fatalf("after B: %+v", cs)
		}
		before := len(e.fake.Requests())
		held.Release()
		ra := wait(t, runA, "A")

		cs := e.sticky()
		if len(cs) != 1 || cs[0].ID != id {
			t.Fatalf("comments = %+v", cs)
		}
		checkBannered(t, cs[0].Body, body(a), a, b)
		if !ra.MarkedStale || ra.Head != b || len(ra.Warnings) != 1 || !strings.Contains(ra.Warnings[0], "out of date") {
			t.Errorf("A: %+v", ra)
		}
		// A's PATCH, its second read of the head, the comment read back,
		// and the banner.
		if got, want := e.requests()[before:], []string{edit, getPull, getComment, edit}; !slices.Equal(got, want) {
			t.Errorf("A after the release:\n  got  %q\n  want %q", got, want)
		}
	})

	t.Run("B posts between A's write and its second read: left to B", func(t *testing.T) {
		t.Parallel()
		e := setup(t, fakegithub.Options{}, nil)
		e.seed(bot, okBody(a))
		held := e.fake.Pause("GET", pullPath, 2) // A's read after its write
		runA := e.post(a, body(a))
		arrived(t, held, "A's second read of the head")
		move(e)
		wait(t, e.post(b, okBody(b)), "B")
		held.Release()
		ra := wait(t, runA, "A")
		if cs := e.sticky(); len(cs) != 1 || cs[0].Body != okBody(b) {
			t.Errorf("B's result was overwritten: %+v", cs)
		}
		if ra.MarkedStale || len(ra.Warnings) != 1 || !strings.Contains(ra.Warnings[0], "has posted since") {
			t.Errorf("A: %+v", ra)
		}
	})

	t.Run("the head moves while A creates: marked out of date", func(t *testing.T) {
		t.Parallel()
		e := setup(t, fakegithub.Options{}, nil)
		held := e.fake.Pause("POST", commentsPath, 1)
		runA := e.post(a, body(a))
		arrived(t, held, "A's POST")
		move(e)
		held.Release()
		ra := wait(t, runA, "A")
		cs := e.sticky()
		if len(cs) != 1 {
			t.Fatalf("comments = %+v", cs)
		}
		checkBannered(t, cs[0].Body, body(a), a, b)
		if ra.Action != prcomment.ActionCreated || !ra.MarkedStale || ra.CommentID != cs[0].ID {
			t.Errorf("A: %+v", ra)
		}
		if got, want := e.requests(), []string{list, getPull, create, list, getPull, getComment, edit}; !slices.Equal(got, want) {
			t.Errorf("requests:\n  got  %q\n  want %q", got, want)
		}
	})

	// A run that starts after the head has moved writes nothing, whatever
	// the comment says.
	for _, tt := range []struct {
		name string
		seed string // "" for no comment
	}{
		{name: "no comment yet"},
		{name: "the comment is for A's head", seed: okBody(a)},
		{name: "the comment is for the new head", seed: okBody(b)},
	} {
		t.Run("A starts after the head moved: "+tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Options{}, nil)
			if tt.seed != "" {
				e.seed(bot, tt.seed)
			}
			move(e)
			ra := wait(t, e.post(a, body(a)), "A")
			if n := e.writes(); n != 0 {
				t.Errorf("%d writes: %q", n, e.requests())
			}
			want := "the pull request's head is now " + b[:12] + "; this run's results for " + a[:12] + " are not posted"
			if ra.Action != prcomment.ActionStale || ra.Head != b || !slices.Equal(ra.Warnings, []string{want}) {
				t.Errorf("A: %+v", ra)
			}
			if got := e.requests(); !slices.Equal(got, []string{list, getPull}) {
				t.Errorf("requests = %q", got)
			}
		})
	}
}

// TestPostOnChangeUpdatesAMarkedComment: mode on-change brings a comment
// marked out of date up to date even when nothing changed, so the banner
// does not stay.
func TestPostOnChangeUpdatesAMarkedComment(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Options{}, nil)
	held := e.fake.Pause("POST", commentsPath, 1)
	runA := e.post(headSHA, okBody(headSHA))
	arrived(t, held, "A's POST")
	e.fake.SetHeadSHA(fakegithub.Owner, fakegithub.Repo, fakegithub.PullNumber, newerSHA)
	held.Release()
	if ra := wait(t, runA, "A"); !ra.MarkedStale {
		t.Fatalf("A: %+v", ra)
	}

	o := e.options(prcomment.ModeOnChange, false)
	o.HeadSHA = newerSHA
	res, err := prcomment.Post(context.Background(), okBody(newerSHA), o)
	if err != nil || res.Action != prcomment.ActionUpdated {
		t.Fatalf("B: %+v, %v", res, err)
	}
	if cs := e.sticky(); len(cs) != 1 || cs[0].Body != okBody(newerSHA) {
		t.Errorf("comments = %+v", cs)
	}
}
