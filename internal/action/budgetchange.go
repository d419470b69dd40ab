package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/prcomment"
)

// ErrNoCommit is returned by [ReadAtCommit] when the checkout does not
// hold the commit: actions/checkout fetches one commit unless told more.
var ErrNoCommit = errors.New("commit not in the checkout")

// maxGitOutput bounds what is read from git show: the budget package
// refuses larger budget files anyway.
const maxGitOutput = 32 << 20

// ReadAtCommit returns the content of the file at path as it was at commit
// sha, with git, from the checkout path is in; nil and no error when the
// file did not exist at sha (the pull request adds the budget file).
//
// git runs with safe.directory set to the checkout on its command line: in
// a Docker action the workspace belongs to the runner's user, not root, and
// git would refuse it otherwise. environ is git's environment.
func ReadAtCommit(ctx context.Context, path, sha string, environ []string) ([]byte, error) {
	if !IsSHA(sha) {
		return nil, fmt.Errorf("base commit %q is not a commit id", sha)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Split(abs)
	git := func(args ...string) ([]byte, error) {
		full := append([]string{"-c", "safe.directory=*", "-C", dir}, args...)
		cmd := exec.CommandContext(ctx, "git", full...)
		cmd.Env = append(environ[:len(environ):len(environ)], "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &limitWriter{w: &stdout, n: maxGitOutput}, &limitWriter{w: &stderr, n: 4096}
		err := cmd.Run()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
		}
		return stdout.Bytes(), nil
	}
	if _, err := git("rev-parse", "--is-inside-work-tree"); err != nil {
		return nil, fmt.Errorf("%s is not in a git checkout: %w", dir, err)
	}
	if _, err := git("cat-file", "-e", sha+"^{commit}"); err != nil {
		return nil, fmt.Errorf("%w: %s (check out with fetch-depth: 0, or fetch the base commit)", ErrNoCommit, sha)
	}
	// ./ makes the path relative to -C's folder, not the top of the
	// repository.
	spec := sha + ":./" + base
	if _, err := git("cat-file", "-e", spec); err != nil {
		return nil, nil
	}
	return git("show", spec)
}

type limitWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("too much output")
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	n, err := l.w.Write(q)
	l.n -= n
	if err == nil && n < len(p) {
		err = errors.New("too much output")
	}
	return n, err
}

// BudgetChange compares the scenario totals of the budget file at the
// base of a pull request (old; nil when the file did not exist there) with
// its head (now); nil when no total differs. path names the file in the
// comment.
func BudgetChange(path string, old, now *budget.File) *prcomment.BudgetChange {
	if old == nil {
		old = budget.New()
	}
	if now == nil {
		now = budget.New()
	}
	names := map[string]bool{}
	for n := range old.Scenarios {
		names[n] = true
	}
	for n := range now.Scenarios {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var ch []prcomment.BudgetScenarioChange
	for _, n := range sorted {
		o, h := total(old.Scenarios[n]), total(now.Scenarios[n])
		if o == nil && h == nil || o != nil && h != nil && *o == *h {
			continue
		}
		ch = append(ch, prcomment.BudgetScenarioChange{Name: n, Old: o, New: h})
	}
	if len(ch) == 0 {
		return nil
	}
	return &prcomment.BudgetChange{Path: path, Scenarios: ch}
}

func total(e *budget.Entry) *int {
	if e == nil {
		return nil
	}
	t := e.Total
	return &t
}
