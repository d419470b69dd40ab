package prcomment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// backoffBase is the first backoff; each retry doubles it, and the wait is
// drawn from its upper half (so waits grow, with jitter to spread runs).
const backoffBase = time.Second

// defaultSecondaryWait is how long GitHub asks to wait after a secondary
// rate limit that names no time: "at least one minute".
const defaultSecondaryWait = time.Minute

// call makes one API request with fn, on a fresh client each attempt, and
// retries it as GitHub's answer says.
func (p *poster) call(ctx context.Context, what string, fn func(*github.Client) (*github.Response, error)) error {
	for attempt := 1; ; attempt++ {
		resp, err := fn(p.client())
		if err == nil {
			return nil
		}
		wait, retry, err := p.classify(ctx, what, attempt, resp, err)
		if !retry {
			return err
		}
		if attempt >= p.o.MaxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		if serr := p.o.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%s: waiting %v to retry: %w", what, wait, serr)
		}
	}
}

// client is a new go-github client on o.Client's transport and URLs. A
// client remembers a rate limit it has seen and refuses requests until
// the reset without asking GitHub; Post does its own waiting (bounded,
// and through Options.Sleep), so it must not inherit that memory.
func (p *poster) client() *github.Client {
	c := github.NewClient(p.o.Client.Client())
	c.BaseURL, c.UploadURL, c.UserAgent = p.o.Client.BaseURL, p.o.Client.UploadURL, p.o.Client.UserAgent
	return c
}

// classify says whether a failed request is worth another attempt and
// after how long, and wraps err with what was being done.
func (p *poster) classify(ctx context.Context, what string, attempt int, resp *github.Response, err error) (time.Duration, bool, error) {
	if ctx.Err() != nil {
		return 0, false, fmt.Errorf("%s: %w", what, ctx.Err())
	}
	wrapped := fmt.Errorf("%s: %w", what, err)

	var primary *github.RateLimitError
	var secondary *github.AbuseRateLimitError
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &primary):
		return p.waitUntil(what, "primary rate limit", max(time.Until(primary.Rate.Reset.Time)+time.Second, 0), wrapped)
	case errors.As(err, &secondary):
		wait := defaultSecondaryWait
		if secondary.RetryAfter != nil {
			wait = max(*secondary.RetryAfter, 0)
		}
		return p.waitUntil(what, "secondary rate limit", wait, wrapped)
	case errors.As(err, &er) && er.Response != nil:
		status := er.Response.StatusCode
		msg := strings.ToLower(er.Message)
		switch {
		case status == http.StatusForbidden && strings.Contains(msg, "resource not accessible by"):
			return 0, false, fmt.Errorf("%s: %w: %w", what, ErrReadOnly, err)
		case status == http.StatusForbidden && strings.Contains(msg, "locked"):
			return 0, false, fmt.Errorf("%s: %w: %w", what, ErrLocked, err)
		case status == http.StatusForbidden || status == http.StatusTooManyRequests:
			if wait, ok := retryAfter(er.Response.Header); ok {
				return p.waitUntil(what, "rate limit", wait, wrapped)
			}
			if status == http.StatusTooManyRequests {
				return p.waitUntil(what, "rate limit", defaultSecondaryWait, wrapped)
			}
			return 0, false, wrapped
		case status >= 500:
			return p.backoff(attempt), true, wrapped
		}
		return 0, false, wrapped
	case resp == nil || resp.Response == nil:
		// No answer at all: a network error.
		return p.backoff(attempt), true, wrapped
	case resp.StatusCode >= 500:
		return p.backoff(attempt), true, wrapped
	}
	return 0, false, wrapped
}

// waitUntil retries after wait, or gives up with a clear error when
// GitHub asks for a longer wait than MaxWait.
func (p *poster) waitUntil(what, limit string, wait time.Duration, err error) (time.Duration, bool, error) {
	if wait > p.o.MaxWait {
		return 0, false, fmt.Errorf("%s: GitHub's %s asks to wait %v, longer than the %v this run waits: %w",
			what, limit, wait.Round(time.Second), p.o.MaxWait, errors.Unwrap(err))
	}
	return wait, true, err
}

// backoff is the wait before attempt+1: exponential from backoffBase,
// capped at MaxWait, drawn from its upper half for jitter (so each
// wait is longer than the one before).
func (p *poster) backoff(attempt int) time.Duration {
	d := min(backoffBase<<min(attempt-1, 20), p.o.MaxWait)
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2)
}

// retryAfter reads a rate limit's wait from Retry-After (seconds) or,
// when the remaining requests are 0, X-RateLimit-Reset (epoch seconds).
func retryAfter(h http.Header) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(time.Until(t), 0), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(s, 0))+time.Second, 0), true
		}
	}
	return 0, false
}

// statusOf is the HTTP status of a GitHub error, 0 if none.
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// tooLong: GitHub's 422 for a comment body over its size limit.
func tooLong(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	if strings.Contains(strings.ToLower(er.Message), "too long") {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(strings.ToLower(e.Message), "too long") {
			return true
		}
	}
	return false
}
