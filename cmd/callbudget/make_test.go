package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeBudgetCheck runs `make budget-check` in a copy of the
// repository: the check runs the built bin/callbudget, so its exit code
// is callbudget's own. make exits 2 for any failed recipe, and says which
// code the recipe had: "Error 2" for a cassette that must be re-recorded
// (callbudget could not check), "Error 1" for over budget.
func TestMakeBudgetCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callbudget and the example (not with -short)")
	}
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not on PATH (apt-get install make)")
	}
	root := repoRoot(t)
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T, dir string)
		recipe string // make's "Error N" line: callbudget's exit code
	}{
		{"cassette needs re-recording", func(t *testing.T, dir string) {
			// The pipeline now asks for files the cassette never recorded.
			replaceOnce(t, filepath.Join(dir, "testdata", "cassettes", "pr-opened.yaml"), "/pulls/42/files?per_page=100\n", "/pulls/42/files?per_page=99\n")
		}, "Error 2"},
		{"over budget", func(t *testing.T, dir string) {
			// A budget one files page short of what the pipeline makes.
			budget := filepath.Join(dir, "callbudget.budget.yaml")
			const opened = "  pr-opened:\n    total: %d\n    mutating: 5\n    resources:\n      core: %d\n    endpoints:\n" +
				"      POST /repos/{owner}/{repo}/check-runs: 1 # checks/create\n" +
				"      PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}: 1 # checks/update\n" +
				"      GET /repos/{owner}/{repo}/contents/{path}: 1 # repos/get-content\n" +
				"      POST /repos/{owner}/{repo}/issues/{issue_number}/comments: 1 # issues/create-comment\n" +
				"      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get\n" +
				"      GET /repos/{owner}/{repo}/pulls/{pull_number}/files: %d # pulls/list-files\n"
			replaceOnce(t, budget, fmt.Sprintf(opened, 9, 9, 2), fmt.Sprintf(opened, 8, 8, 1))
		}, "Error 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, root)
			tc.edit(t, dir)
			cmd := exec.Command("make", "--no-print-directory", "budget-check", "CHECKFLAGS=--scenario=pr-opened")
			cmd.Dir = dir
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("make budget-check: %v, want make's exit 2\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "budget-check] "+tc.recipe) {
				t.Errorf("make's output misses %q (callbudget's own code)\n%s", tc.recipe, out.String())
			}
			if strings.Contains(out.String(), "go run ./cmd/callbudget") {
				t.Error("the check ran through go run")
			}
		})
	}
}

// copyRepo copies the repository's files (tracked and new, not ignored)
// into a temporary folder.
func copyRepo(t *testing.T, root string) string {
	t.Helper()
	list := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = root
	names, err := list.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		if _, err := os.Stat(filepath.Join(root, name)); errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		copyFile(t, filepath.Join(root, name), filepath.Join(dir, name))
	}
	return dir
}
