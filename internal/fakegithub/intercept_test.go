package fakegithub_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

// TestPause holds the second PATCH of a comment while another client
// edits it, then lets it land: the held edit wins, as a delayed request
// on GitHub would.
func TestPause(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "")
	o, r := fakegithub.Owner, fakegithub.Repo
	id := fake.AddComment(o, r, 1, fakegithub.Login, "v0")
	edit := func(s string) error {
		_, _, err := gh.Issues.EditComment(ctx, o, r, id, &github.IssueComment{Body: &s})
		return err
	}

	held := fake.Pause("PATCH", "/repos/octo-org/hello-world/issues/comments/", 2)
	if err := edit("v1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- edit("late") }()
	select {
	case <-held.Arrived():
	case <-time.After(10 * time.Second):
		t.Fatal("the second PATCH never reached the server")
	}
	if err := edit("v2"); err != nil { // the third passes the held one
		t.Fatal(err)
	}
	if cs := fake.Comments(o, r, 1); cs[0].Body != "v2" {
		t.Errorf("body while held = %q, want v2", cs[0].Body)
	}
	held.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if cs := fake.Comments(o, r, 1); cs[0].Body != "late" {
		t.Errorf("body after release = %q, want late", cs[0].Body)
	}
	held.Release() // twice is fine
}

// TestPauseReleasedAtCleanup: a request still held when the test ends
// does not hang the server's Close.
func TestPauseReleasedAtCleanup(t *testing.T) {
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{})
	held := fake.Pause("GET", "/user", 1)
	go client(t, fake, "").Users.Get(context.Background(), "")
	<-held.Arrived()
	fake.Close()
}

// TestInterceptBarrier: two clients' creates wait for each other, and a
// hook can change the fake before the request it holds is answered.
func TestInterceptBarrier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "")
	o, r := fakegithub.Owner, fakegithub.Repo
	var both sync.WaitGroup
	both.Add(2)
	fake.Intercept("POST", "/repos/octo-org/hello-world/issues/1/comments", func(req fakegithub.Request, n int) {
		both.Done()
		both.Wait()
	})
	fake.Intercept("GET", "/repos/octo-org/hello-world/pulls/1", func(_ fakegithub.Request, n int) {
		if n == 2 {
			fake.SetHeadSHA(o, r, 1, "abc1234")
		}
	})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := "hi"
			if _, _, err := gh.Issues.CreateComment(ctx, o, r, 1, &github.IssueComment{Body: &s}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(fake.Comments(o, r, 1)); n != 2 {
		t.Errorf("%d comments, want 2", n)
	}
	for i, want := range []string{fakegithub.HeadSHA, "abc1234"} {
		pr, _, err := gh.PullRequests.Get(ctx, o, r, 1)
		if err != nil || pr.GetHead().GetSHA() != want {
			t.Errorf("GET %d: head %q, %v; want %q", i+1, pr.GetHead().GetSHA(), err, want)
		}
	}
}

// TestDropAndGetComment: a dropped request is a network error to the
// client (no answer at all), and one comment can be read back by id.
func TestDropAndGetComment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := fakegithub.New(t, fakegithub.Options{})
	gh := client(t, fake, "")
	o, r := fakegithub.Owner, fakegithub.Repo
	id := fake.AddComment(o, r, 1, fakegithub.Login, "hello")
	fake.FailWith("GET", "/repos/octo-org/hello-world/issues/comments/", 1, fakegithub.Fault{Drop: true})
	c, resp, err := gh.Issues.GetComment(ctx, o, r, id)
	if err == nil || resp != nil {
		t.Fatalf("dropped: %+v, %v, %v", c, resp, err)
	}
	c, _, err = gh.Issues.GetComment(ctx, o, r, id)
	if err != nil || c.GetBody() != "hello" || c.GetID() != id || c.GetUser().GetLogin() != fakegithub.Login {
		t.Fatalf("GetComment = %+v, %v", c, err)
	}
	if _, _, err := gh.Issues.GetComment(ctx, o, r, id+1); !isStatus(err, 404) {
		t.Errorf("unknown comment: %v", err)
	}
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("%d requests kept, want 3", n)
	}
}
