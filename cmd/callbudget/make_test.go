package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/testdeps"
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
	root, err := testdeps.Root()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T, dir string)
		recipe string // make's "Error N" line: callbudget's exit code
	}{
		{"cassette needs re-recording", func(t *testing.T, dir string) {
			// The pipeline now asks for files the cassette never recorded.
			replaceInFile(t, filepath.Join(dir, "testdata", "cassettes", "pr-opened.yaml"), "/pulls/42/files?per_page=100", "/pulls/42/files?per_page=99")
		}, "Error 2"},
		{"over budget", func(t *testing.T, dir string) {
			// A budget one files page short of what the pipeline makes.
			budget := filepath.Join(dir, "callbudget.budget.yaml")
			replaceInFile(t, budget, "  pr-opened:\n    total: 9\n", "  pr-opened:\n    total: 8\n")
			replaceInFile(t, budget, "      core: 9\n", "      core: 8\n")
			replaceInFile(t, budget, "/pulls/{pull_number}/files: 2 # pulls/list-files\n      POST /repos/{owner}/{repo}/statuses/{sha}: 2", "/pulls/{pull_number}/files: 1 # pulls/list-files\n      POST /repos/{owner}/{repo}/statuses/{sha}: 2")
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
		data, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not hold %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}
