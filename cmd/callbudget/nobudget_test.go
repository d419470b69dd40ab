package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/report"
)

// TestCheckNoBudgetFile: a budget file that is missing (never committed)
// or misnamed never passes without a word. Without --allow-new it is over
// budget (exit 1); with it, exit 0, but stderr warns and the text, JSON and
// Markdown reports all say so.
func TestCheckNoBudgetFile(t *testing.T) {
	t.Parallel()
	dir := copyExample(t)
	if err := os.Remove(filepath.Join(dir, "callbudget.budget.yaml")); err != nil {
		t.Fatal(err)
	}
	res := callbudget(t, dir, "check", "--scenario", "pr-opened")
	if res.code != 1 || !strings.Contains(res.stderr, "error: no budget file at callbudget.budget.yaml") {
		t.Errorf("no budget file: %s", res)
	}

	res = callbudget(t, dir, "check", "--scenario", "pr-opened", "--allow-new", "--report", "r.json")
	if res.code != 0 {
		t.Fatalf("--allow-new: %s", res)
	}
	if !strings.Contains(res.stderr, "warning: no budget file at callbudget.budget.yaml: every scenario is unbudgeted") {
		t.Errorf("--allow-new passed without a warning on stderr:\n%s", res.stderr)
	}
	if !strings.Contains(res.stdout, "no budget file at callbudget.budget.yaml") {
		t.Errorf("the text report does not say it:\n%s", res.stdout)
	}
	f, err := os.Open(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if r.NoBudget != "callbudget.budget.yaml" {
		t.Errorf("JSON report no_budget = %q", r.NoBudget)
	}
	var md strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**No budget file** at <code>callbudget.budget.yaml</code>") {
		t.Errorf("the Markdown report does not say it:\n%s", md.String())
	}

	// A misnamed file: the budget the config names is not there, though
	// another is.
	copyFile(t, filepath.Join(repoRoot(t), "callbudget.budget.yaml"), filepath.Join(dir, "callbudget.budgets.yaml"))
	res = callbudget(t, dir, "check", "--scenario", "pr-opened", "--allow-new")
	if res.code != 0 || !strings.Contains(res.stderr, "warning: no budget file at callbudget.budget.yaml") {
		t.Errorf("misnamed budget file with --allow-new: %s", res)
	}
}
