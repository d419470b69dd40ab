package action_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/callbudget/callbudget/internal/action"
)

// TestGuardCommandFiles: what a scenario does to the runner's command
// files (appends a forged output, replaces the env file with a link to a
// file of its choosing, creates a state file that was not there) is undone
// and reported; a file left alone is not.
func TestGuardCommandFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	paths := map[string]string{}
	for _, env := range action.CommandFiles {
		paths[env] = filepath.Join(dir, env)
	}
	for _, env := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		if err := os.WriteFile(paths[env], []byte("before "+env+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := action.GuardCommandFiles(func(k string) string { return paths[k] })

	f, _ := os.OpenFile(paths["GITHUB_OUTPUT"], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("verdict=ok\n")
	f.Close()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("mine\n"), 0o644)
	os.Remove(paths["GITHUB_ENV"])
	if err := os.Symlink(victim, paths["GITHUB_ENV"]); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(paths["GITHUB_STATE"], []byte("x=1\n"), 0o644)

	changed, err := g.Restore()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STATE"}; !slices.Equal(changed, want) {
		t.Errorf("changed %q, want %q", changed, want)
	}
	for _, env := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		fi, err := os.Lstat(paths[env])
		data, _ := os.ReadFile(paths[env])
		if err != nil || !fi.Mode().IsRegular() || string(data) != "before "+env+"\n" {
			t.Errorf("%s after Restore: %v %v %q", env, fi, err, data)
		}
	}
	if _, err := os.Lstat(paths["GITHUB_STATE"]); err == nil {
		t.Errorf("GITHUB_STATE, absent before, is still there")
	}
	if data, _ := os.ReadFile(victim); string(data) != "mine\n" {
		t.Errorf("Restore wrote through the link: %q", data)
	}
	if changed, err := g.Restore(); err != nil || len(changed) != 0 {
		t.Errorf("a second Restore: %q, %v", changed, err)
	}
}
