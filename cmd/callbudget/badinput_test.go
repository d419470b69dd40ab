package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/report"
)

// A valid config for the cases that break something else; {{cassette}} is
// the example's cassette.
const goodConfig = `scenarios:
  - name: quiet
    cassette: {{cassette}}
    run: "true"
`

// TestBadInputs feeds check and update one broken input each: every one is
// exit 2 with a message that says what is wrong and where (file:line: like
// a compiler, where there is a line), no report on stdout, and nothing
// written: the budget file and the --report file are neither created nor
// changed. All the messages are in testdata/cli/bad-inputs.golden for
// review.
func TestBadInputs(t *testing.T) {
	t.Parallel()
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		files  map[string]string // relative to a temp dir
		config string            // --config, relative to the temp dir; callbudget.yaml if ""
		args   []string          // more flags
		cmds   []string          // check and update if nil
		want   []string          // in stderr; {{dir}} is the temp dir
	}{
		{
			name:   "config missing",
			config: "missing.yaml",
			want:   []string{"{{dir}}/missing.yaml: cannot read config: no such file or directory", "check the --config path"},
		},
		{
			name:   "config is a directory",
			files:  map[string]string{"conf.d/x.yaml": goodConfig},
			config: "conf.d",
			want:   []string{"{{dir}}/conf.d: is a directory"},
		},
		{
			name:  "config not YAML",
			files: map[string]string{"callbudget.yaml": "scenarios: [\n  - name: a\n"},
			want:  []string{"{{dir}}/callbudget.yaml:1: not valid YAML"},
		},
		{
			name:  "config is a list",
			files: map[string]string{"callbudget.yaml": "- pr-opened\n- pr-synchronize\n"},
			want:  []string{"{{dir}}/callbudget.yaml:1: a config is a mapping", "found a list"},
		},
		{
			name:  "config empty",
			files: map[string]string{"callbudget.yaml": ""},
			want:  []string{"{{dir}}/callbudget.yaml: config is empty"},
		},
		{
			name:  "unknown top-level key",
			files: map[string]string{"callbudget.yaml": "tolerence: 2\n" + goodConfig},
			want:  []string{`{{dir}}/callbudget.yaml:1: unknown key "tolerence"`, `did you mean "tolerance"?`},
		},
		{
			name:  "unknown scenario key",
			files: map[string]string{"callbudget.yaml": goodConfig + "    alow_unmatched: true\n"},
			want:  []string{`{{dir}}/callbudget.yaml:5: scenario "quiet": unknown key "alow_unmatched"`},
		},
		{
			name:  "scenario without name",
			files: map[string]string{"callbudget.yaml": "scenarios:\n  - cassette: {{cassette}}\n    run: \"true\"\n"},
			want:  []string{"{{dir}}/callbudget.yaml:2: scenario #1 has no name"},
		},
		{
			name:  "scenario without cassette",
			files: map[string]string{"callbudget.yaml": "scenarios:\n  - name: quiet\n    run: \"true\"\n"},
			want:  []string{`{{dir}}/callbudget.yaml:2: scenario "quiet" has no cassette`},
		},
		{
			name:  "scenario without run",
			files: map[string]string{"callbudget.yaml": "scenarios:\n  - name: quiet\n    cassette: {{cassette}}\n"},
			want:  []string{`{{dir}}/callbudget.yaml:2: scenario "quiet" has no run`},
		},
		{
			name:  "duplicate scenario names",
			files: map[string]string{"callbudget.yaml": goodConfig + "  - name: quiet\n    cassette: {{cassette}}\n    run: \"true\"\n"},
			want:  []string{`{{dir}}/callbudget.yaml:5: duplicate scenario name "quiet" (first at line 2)`},
		},
		{
			name:  "bad tolerance in config",
			files: map[string]string{"callbudget.yaml": "tolerance: lots\n" + goodConfig},
			want:  []string{`{{dir}}/callbudget.yaml:1: tolerance: "lots" is not a tolerance`},
		},
		{
			name:  "bad timeout in config",
			files: map[string]string{"callbudget.yaml": goodConfig + "    timeout: soon\n"},
			want:  []string{`{{dir}}/callbudget.yaml:5: scenario "quiet": timeout: "soon" is not a duration`},
		},
		{
			name: "budget not YAML",
			files: map[string]string{
				"callbudget.yaml":        goodConfig,
				"callbudget.budget.yaml": "version: 1\nscenarios: [\n",
			},
			want: []string{"{{dir}}/callbudget.budget.yaml:2: not valid YAML"},
		},
		{
			name: "budget negative total",
			files: map[string]string{
				"callbudget.yaml":        goodConfig,
				"callbudget.budget.yaml": "version: 1\nscenarios:\n  quiet:\n    total: -1\n",
			},
			want: []string{"{{dir}}/callbudget.budget.yaml:4: total -1 is negative"},
		},
		{
			name: "budget negative endpoint count",
			files: map[string]string{
				"callbudget.yaml":        goodConfig,
				"callbudget.budget.yaml": "version: 1\nscenarios:\n  quiet:\n    total: 1\n    endpoints:\n      GET /repos/{owner}/{repo}: -1 # repos/get\n",
			},
			want: []string{"{{dir}}/callbudget.budget.yaml:6:", "-1"},
		},
		{
			name: "budget unknown key",
			files: map[string]string{
				"callbudget.yaml":        goodConfig,
				"callbudget.budget.yaml": "version: 1\nscenarios:\n  quiet:\n    totl: 1\n",
			},
			want: []string{`{{dir}}/callbudget.budget.yaml:4: unknown key "totl"`},
		},
		{
			name: "budget of another version",
			files: map[string]string{
				"callbudget.yaml":        goodConfig,
				"callbudget.budget.yaml": "version: 7\nscenarios: {}\n",
			},
			want: []string{"{{dir}}/callbudget.budget.yaml:1: version 7 is not supported"},
		},
		{
			name:  "tolerance flag not a number",
			files: map[string]string{"callbudget.yaml": goodConfig},
			args:  []string{"--tolerance", "abc"},
			cmds:  []string{"check"},
			want:  []string{`--tolerance: invalid tolerance "abc"`, "Run 'callbudget --help' for usage."},
		},
		{
			name:  "unknown scenario",
			files: map[string]string{"callbudget.yaml": goodConfig},
			args:  []string{"--scenario", "nope"},
			want:  []string{`unknown scenario "nope"`, "defines: quiet", "Run 'callbudget --help' for usage."},
		},
		{
			name:  "format not known",
			files: map[string]string{"callbudget.yaml": goodConfig},
			args:  []string{"--format", "xml"},
			want:  []string{`--format "xml": want text, json or markdown`, "Run 'callbudget --help' for usage."},
		},
		{
			name:  "jobs not a number",
			files: map[string]string{"callbudget.yaml": goodConfig},
			args:  []string{"--jobs", "many"},
			want:  []string{`invalid argument "many" for "--jobs"`, "Run 'callbudget --help' for usage."},
		},
	}

	// The cases run in parallel inside a group; once the group returns,
	// all have written their output to outs.
	outs := make([][]string, len(tests))
	t.Run("cases", func(t *testing.T) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				for name, content := range tt.files {
					writeFile(t, filepath.Join(dir, name), strings.ReplaceAll(content, "{{cassette}}", cassette))
				}
				config := tt.config
				if config == "" {
					config = "callbudget.yaml"
				}
				cmds := tt.cmds
				if cmds == nil {
					cmds = []string{"check", "update"}
				}
				before := snapshot(t, dir)
				for _, cmd := range cmds {
					args := append([]string{cmd, "--config", filepath.Join(dir, config), "--report", filepath.Join(dir, "report.json")}, tt.args...)
					r := runCLI(t, testEnv(), args...)
					if r.code != exitError {
						t.Errorf("%s: exit %d, want %d\n%s", cmd, r.code, exitError, r)
					}
					if r.stdout != "" {
						t.Errorf("%s: a report on stdout for a bad input:\n%s", cmd, r.stdout)
					}
					for _, w := range tt.want {
						if w = strings.ReplaceAll(w, "{{dir}}", dir); !strings.Contains(r.stderr, w) {
							t.Errorf("%s: stderr does not say %q:\n%s", cmd, w, r.stderr)
						}
					}
					if strings.Contains(r.stderr, "panic") || strings.Count(r.stderr, "callbudget:") != 1 {
						t.Errorf("%s: want exactly one message:\n%s", cmd, r.stderr)
					}
					if after := snapshot(t, dir); !equalSnapshots(before, after) {
						t.Errorf("%s wrote to its folder on a bad input:\nbefore %v\nafter  %v", cmd, keys(before), keys(after))
					}
					outs[i] = append(outs[i], "$ callbudget "+strings.Join(append([]string{cmd}, tt.args...), " ")+"\n"+
						maskDir(r.stderr, dir))
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	var all []string
	for i, tt := range tests {
		all = append(all, "## "+tt.name+"\n"+strings.Join(outs[i], ""))
	}
	golden.Check(t, filepath.Join("testdata", "cli", "bad-inputs.golden"), []byte(strings.Join(all, "\n")))
}

// TestMissingCassette: a scenario whose cassette does not exist is exit 2
// with the config's file:line in the message. The other scenarios still
// run and the report is printed (and written with --report) with the
// verdict "error", never a pass; update writes no budget.
func TestMissingCassette(t *testing.T) {
	t.Parallel()
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "callbudget.yaml")
	writeFile(t, cfg, strings.ReplaceAll(goodConfig, "{{cassette}}", cassette)+
		"  - name: lost\n    cassette: cassettes/lost.yaml\n    run: \"true\"\n")
	budgetFile := filepath.Join(dir, "callbudget.budget.yaml")
	budgetText := "version: 1\nscenarios:\n  quiet:\n    total: 0\n    mutating: 0\n    resources: {}\n    endpoints: {}\n"
	writeFile(t, budgetFile, budgetText)

	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{name: "check", args: []string{"check"}, wantStderr: "callbudget: scenario failed: lost (see the report above)"},
		{name: "update", args: []string{"update"}, wantStderr: "callbudget.budget.yaml not written: a baseline is only taken from scenarios that all ran cleanly"},
		{name: "check one", args: []string{"check", "--scenario", "lost"}, wantStderr: "callbudget: scenario failed: lost (see the report above)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the subtests share dir and its report.json.
			reportFile := filepath.Join(dir, "report.json")
			os.Remove(reportFile)
			r := runCLI(t, testEnv(), append(tt.args, "--config", cfg, "--format", "json", "--report", reportFile)...)
			if r.code != exitError {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r)
			}
			wantMsg := cfg + ":6: scenario lost: " + filepath.Join(dir, "cassettes", "lost.yaml") + ": cannot read cassette: no such file or directory"
			data, err := os.ReadFile(reportFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{r.stdout, string(data)} {
				rep, err := report.ReadJSON(strings.NewReader(out), 1<<20)
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				if rep.Verdict != report.VerdictError {
					t.Errorf("verdict %q, want error", rep.Verdict)
				}
				var lost *report.Scenario
				for i := range rep.Scenarios {
					if rep.Scenarios[i].Name == "lost" {
						lost = &rep.Scenarios[i]
					}
				}
				if lost == nil || lost.Status != report.StatusError || !strings.Contains(lost.Error, wantMsg) {
					t.Errorf("scenario lost: %+v\nwant status error and %q", lost, wantMsg)
				}
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantStderr, r.stderr)
			}
			if got, err := os.ReadFile(budgetFile); err != nil || string(got) != budgetText {
				t.Errorf("budget file changed (%v):\n%s", err, got)
			}
		})
	}
}

// snapshot is every file under dir and its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[strings.TrimPrefix(path, dir)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// maskDir replaces a test's temp dir in output with $DIR, for goldens.
func maskDir(s, dir string) string { return strings.ReplaceAll(s, dir, "$DIR") }
