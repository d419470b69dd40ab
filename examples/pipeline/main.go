package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/google/go-github/v62/github"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli(ctx, os.Args[1:], os.Stderr, os.Getenv)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
	}
	os.Exit(exitCode(err))
}

// Exit codes: bad flags are the caller's mistake, anything else (an API
// error above all) is the pipeline failing.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	default:
		return exitFailed
	}
}

// defaultAPIURL is where the client goes when GITHUB_API_URL is not set.
const defaultAPIURL = "https://api.github.com/"

// cli parses the flags, reads the event and builds the client from
// GITHUB_API_URL and GITHUB_TOKEN (what GitHub Actions and callbudget set),
// then runs the pipeline.
func cli(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pipeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	eventPath := fs.String("event", "", "`file` holding the pull_request webhook payload (JSON), such as $GITHUB_EVENT_PATH")
	configPath := fs.String("config-path", ".packit.yaml", "the bot's config `file` in the repository")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pipeline --event FILE [--config-path PATH]\n\nEnvironment: GITHUB_API_URL (default "+defaultAPIURL+"), GITHUB_TOKEN.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch {
	case *eventPath == "":
		return usageError{errors.New("--event is required")}
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	ev, err := readEvent(*eventPath)
	if err != nil {
		return err
	}
	gh, err := newClient(getenv("GITHUB_API_URL"), getenv("GITHUB_TOKEN"), nil)
	if err != nil {
		return err
	}
	return run(ctx, gh, ev, *configPath, stderr)
}

// newClient returns a go-github client for the API at base (default
// api.github.com) authenticated with token (none when empty), sending
// through hc (http.DefaultClient when nil).
func newClient(base, token string, hc *http.Client) (*github.Client, error) {
	u, err := apiBaseURL(base)
	if err != nil {
		return nil, err
	}
	gh := github.NewClient(hc)
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	gh.BaseURL = u
	return gh, nil
}

// apiBaseURL parses GITHUB_API_URL. go-github refuses a BaseURL without a
// trailing slash, and GitHub Actions (like callbudget) sets the variable
// without one, so one is added.
func apiBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = defaultAPIURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError{fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", s)}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}
