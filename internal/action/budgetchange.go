package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
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
// The repository is the pull request's, so git is run so that nothing in
// it can make git run a program or reach the network: the environment is
// only path (git's PATH) and the settings below (no token, no
// GIT_DIR/GIT_CONFIG_* of the caller, no system or global config), every
// transport is refused (GIT_ALLOW_PROTOCOL names none, which overrides
// the repository's protocol.*.allow, so a partial clone's promisor remote,
// ext:: included, cannot be fetched from), lazy fetching is off
// (GIT_NO_LAZY_FETCH, git 2.44 and later), and the object is read with
// cat-file, which applies no textconv or filter. safe.directory names the
// checkout alone: in a container the workspace belongs to another user.
func ReadAtCommit(ctx context.Context, path, sha, pathEnv string) ([]byte, error) {
	if !IsSHA(sha) {
		return nil, fmt.Errorf("base commit %q is not a commit id", sha)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	top, ok := checkoutTop(filepath.Dir(abs))
	if !ok {
		return nil, fmt.Errorf("%s is not in a git checkout", filepath.Dir(abs))
	}
	relPath, err := filepath.Rel(top, abs)
	if err != nil {
		return nil, err
	}
	git := func(args ...string) ([]byte, error) {
		full := append(gitArgs(top), args...)
		cmd := exec.CommandContext(ctx, "git", full...)
		cmd.Env = GitEnviron(pathEnv)
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
		return nil, fmt.Errorf("%s is not in a git checkout: %w", top, err)
	}
	if _, err := git("cat-file", "-e", sha+"^{commit}"); err != nil {
		return nil, fmt.Errorf("%w: %s (check out with fetch-depth: 0, or fetch the base commit)", ErrNoCommit, sha)
	}
	spec := sha + ":" + filepath.ToSlash(relPath)
	if _, err := git("cat-file", "-e", spec); err != nil {
		return nil, nil
	}
	return git("cat-file", "blob", spec)
}

// checkoutTop is the folder at or above dir that holds .git (a folder,
// or a file in a worktree or submodule): the checkout's top, which
// safe.directory must name.
func checkoutTop(dir string) (string, bool) {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// gitArgs are the options ReadAtCommit gives git before its command.
func gitArgs(top string) []string {
	return []string{
		"-c", "safe.directory=" + top,
		"-c", "protocol.allow=never",
		"-c", "core.fsmonitor=false",
		"-c", "core.hooksPath=/dev/null",
		"-C", top,
	}
}

// GitEnviron is the whole environment ReadAtCommit runs git with.
func GitEnviron(pathEnv string) []string {
	return []string{
		"PATH=" + pathEnv,
		"HOME=/nonexistent",
		"LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ALLOW_PROTOCOL=none",
		"GIT_NO_LAZY_FETCH=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_NO_REPLACE_OBJECTS=1",
	}
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
