package config_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/internal/config"
)

const good = `# the example from DESIGN.md
budget: callbudget.budget.yaml
tolerance: 0
scenarios:
  - name: pr-opened
    cassette: testdata/cassettes/pr-opened.yaml
    run: go run ./examples/pipeline --event testdata/events/pr-opened.json
    timeout: 2m
    allow_unmatched: false
`

func TestParseGood(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "callbudget.yaml")
	cfg, err := config.Parse(path, []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		Path:      path,
		Dir:       dir,
		Budget:    filepath.Join(dir, "callbudget.budget.yaml"),
		Tolerance: "0",
		Timeout:   config.DefaultTimeout,
		Scenarios: []config.Scenario{{
			Name:         "pr-opened",
			Cassette:     filepath.Join(dir, "testdata/cassettes/pr-opened.yaml"),
			Run:          "go run ./examples/pipeline --event testdata/events/pr-opened.json",
			Timeout:      2 * time.Minute,
			Line:         5,
			CassetteLine: 6,
		}},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestParseEverySetting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "callbudget.yaml")
	src := `budget: ../budgets/b.yaml
tolerance: "5%"
timeout: 30s
format: markdown
report: out/report.json
allow_new: true
x-defaults: &defaults
  timeout: 10s
  allow_unmatched: true
  env: {SHARED: "1"}
scenarios:
  - <<: *defaults
    name: a.b_c-1
    cassette: /abs/a.yaml
    run: |
      make pipeline \
        EVENT=x
    tolerance: 3
  - name: "2"
    cassette: c.yaml
    run: echo $HOME | wc -c
    tolerance: 2.5%
    timeout: 1h30m
    allow_unmatched: false
    env:
      NUM: 3
      EMPTY:
      TEXT: hello world
`
	cfg, err := config.Parse(path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if cfg.Dir != sub || cfg.Budget != filepath.Join(dir, "budgets", "b.yaml") || cfg.Report != filepath.Join(sub, "out", "report.json") {
		t.Errorf("paths: dir %s budget %s report %s", cfg.Dir, cfg.Budget, cfg.Report)
	}
	if cfg.Tolerance != "5%" || cfg.Timeout != 30*time.Second || cfg.Format != "markdown" || cfg.AllowNew == nil || !*cfg.AllowNew {
		t.Errorf("settings: %+v", cfg)
	}
	if len(cfg.Scenarios) != 2 {
		t.Fatalf("got %d scenarios", len(cfg.Scenarios))
	}
	a, b := cfg.Scenarios[0], cfg.Scenarios[1]
	wantA := config.Scenario{Name: "a.b_c-1", Cassette: "/abs/a.yaml", Run: "make pipeline \\\n  EVENT=x\n",
		Timeout: 10 * time.Second, AllowUnmatched: true, Tolerance: "3", Env: map[string]string{"SHARED": "1"}, Line: 12, CassetteLine: 14}
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("scenario a:\n got %+v\nwant %+v", a, wantA)
	}
	wantB := config.Scenario{Name: "2", Cassette: filepath.Join(sub, "c.yaml"), Run: "echo $HOME | wc -c",
		Timeout: 90 * time.Minute, Tolerance: "2.5%", Env: map[string]string{"NUM": "3", "EMPTY": "", "TEXT": "hello world"}, Line: 19, CassetteLine: 20}
	if !reflect.DeepEqual(b, wantB) {
		t.Errorf("scenario b:\n got %+v\nwant %+v", b, wantB)
	}
	if got := cfg.EffectiveTolerance(a); got != "3" {
		t.Errorf("EffectiveTolerance(a) = %q", got)
	}
	if got := cfg.EffectiveTolerance(config.Scenario{}); got != "5%" {
		t.Errorf("EffectiveTolerance(none) = %q", got)
	}
}

// TestParseIntercept: intercept is on unless a scenario says false;
// intercept_hosts are lower-cased, each once.
func TestParseIntercept(t *testing.T) {
	t.Parallel()
	src := `scenarios:
  - name: default
    cassette: a.yaml
    run: echo
  - name: off
    cassette: a.yaml
    run: echo
    intercept: false
  - name: ghes
    cassette: a.yaml
    run: echo
    intercept: true
    intercept_hosts: [GHE.example.com, ghe.example.com., github.internal]
`
	cfg, err := config.Parse("callbudget.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		off   bool
		hosts []string
	}{
		{},
		{off: true},
		{hosts: []string{"ghe.example.com", "github.internal"}},
	} {
		s := cfg.Scenarios[i]
		if s.NoIntercept != want.off || !reflect.DeepEqual(s.InterceptHosts, want.hosts) {
			t.Errorf("scenario %s: NoIntercept %v, InterceptHosts %q; want %v, %q", s.Name, s.NoIntercept, s.InterceptHosts, want.off, want.hosts)
		}
	}
}

func TestParseDefaultsAndTolerances(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"absent", "", "0"},
		{"int", "tolerance: 2\n", "2"},
		{"leading zeros", "tolerance: \"007\"\n", "7"},
		{"percent", "tolerance: 5%\n", "5%"},
		{"quoted percent", "tolerance: \"12.5%\"\n", "12.5%"},
		{"zero percent", "tolerance: 0%\n", "0%"},
		{"spaced percent", "tolerance: 5 %\n", "5%"},
		{"two decimals", "tolerance: 0.25%\n", "0.25%"},
		{"largest", "tolerance: 1000000\n", "1000000"},
		{"largest percent", "tolerance: 1000%\n", "1000%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Parse("callbudget.yaml", []byte(tc.in+"scenarios: [{name: a, cassette: a.yaml, run: \"true\"}]\n"))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Tolerance != tc.want {
				t.Errorf("Tolerance = %q, want %q", cfg.Tolerance, tc.want)
			}
			if cfg.Timeout != config.DefaultTimeout || cfg.Scenarios[0].Timeout != config.DefaultTimeout {
				t.Errorf("timeouts %v, %v; want the default", cfg.Timeout, cfg.Scenarios[0].Timeout)
			}
		})
	}
}

// TestParseBad is the list of bad inputs: each is an *Error wrapping
// ErrInvalid that names the file, the line and what is wrong.
func TestParseBad(t *testing.T) {
	t.Parallel()
	const sc = "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n"
	for _, tc := range []struct {
		name string
		in   string
		line int
		msg  string // substring of the first error's message
	}{
		{"empty", "", 0, "config is empty"},
		{"only comments", "# nothing\n", 0, "config is empty"},
		{"null document", "---\n~\n", 0, "config is empty"},
		{"not YAML", "scenarios: [\n", 1, "not valid YAML"},
		{"bad indentation", "scenarios:\n  - name: a\n   cassette: b\n", 1, "not valid YAML: did not find expected '-' indicator"},
		{"mapping in a scalar", "budget: a\n  b: c\n", 2, "not valid YAML: mapping values are not allowed in this context"},
		{"tab indentation", "scenarios:\n\t- name: a\n", 2, "not valid YAML"},
		{"two documents", sc + "---\nbudget: x\n", 5, "second YAML document"},
		{"a list", "- name: a\n", 1, "a config is a mapping of settings"},
		{"a string", "hello\n", 1, `found "hello"`},
		{"redact not a list", "redact: abc\n" + sc, 1, "redact: must be a list of regular expressions"},
		{"redact bad pattern", "redact:\n  - ok\n  - '(unclosed'\n" + sc, 3, `redact: "(unclosed" is not a regular expression`},
		{"redact empty entry", "redact:\n  - \"\"\n" + sc, 2, "redact: each entry must be a regular expression"},
		{"unknown key", "budgets: x.yaml\n" + sc, 1, `unknown key "budgets" (allowed: budget, tolerance, timeout, scenarios, format, report, allow_new, redact); did you mean "budget"?`},
		{"hyphenated key", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    allow-unmatched: true\n", 5, `did you mean "allow_unmatched"?`},
		{"unknown scenario key", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    command: x\n", 5, `scenario "a": unknown key "command" (allowed: name, cassette, run, timeout, allow_unmatched, tolerance, env, format, intercept, intercept_hosts)`},
		{"duplicate key", "budget: a.yaml\nbudget: b.yaml\n" + sc, 2, `key "budget" given twice (first at line 1)`},
		{"duplicate scenario key", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    run: echo 2\n", 5, `key "run" given twice (first at line 4)`},
		{"no scenarios key", "budget: b.yaml\n", 1, "no scenarios"},
		{"empty scenarios", "scenarios: []\n", 1, "the list is empty"},
		{"null scenarios", "scenarios:\n", 1, "the list is empty"},
		{"scenarios a mapping", "scenarios:\n  a: b\n", 2, "must be a list of scenarios"},
		{"scenario a string", "scenarios:\n  - pr-opened\n", 2, `scenario #1: must be a mapping`},
		{"no name", "scenarios:\n  - cassette: a.yaml\n    run: echo\n", 2, "scenario #1 has no name"},
		{"null name", "scenarios:\n  - name:\n    cassette: a.yaml\n    run: echo\n", 2, "scenario #1 has no name"},
		{"no cassette", "scenarios:\n  - name: a\n    run: echo\n", 2, `scenario "a" has no cassette`},
		{"null cassette", "scenarios:\n  - name: a\n    cassette: ~\n    run: echo\n", 2, `scenario "a" has no cassette`},
		{"empty cassette", "scenarios:\n  - name: a\n    cassette: \"\"\n    run: echo\n", 3, `scenario "a": cassette: is empty`},
		{"cassette a list", "scenarios:\n  - name: a\n    cassette: [a, b]\n    run: echo\n", 3, `cassette: must be a string, found a list`},
		{"no run", "scenarios:\n  - name: a\n    cassette: a.yaml\n", 2, `scenario "a" has no run`},
		{"blank run", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: \"  \"\n", 2, `scenario "a" has no run`},
		{"run a mapping", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: {sh: x}\n", 4, `run: must be a string, found a mapping`},
		{"duplicate names", sc + "  - name: a\n    cassette: b.yaml\n    run: echo\n", 5, `duplicate scenario name "a" (first at line 2)`},
		{"name with space", "scenarios:\n  - name: pr opened\n    cassette: a.yaml\n    run: echo\n", 2, `name "pr opened" may only hold letters, digits`},
		{"name with slash", "scenarios:\n  - name: ../../etc\n    cassette: a.yaml\n    run: echo\n", 2, `may only hold`},
		{"name dot dot", "scenarios:\n  - name: ..\n    cassette: a.yaml\n    run: echo\n", 2, `may only hold`},
		{"name with colon", "scenarios:\n  - name: \"a: b\"\n    cassette: a.yaml\n    run: echo\n", 2, `may only hold`},
		{"name unicode", "scenarios:\n  - name: prü\n    cassette: a.yaml\n    run: echo\n", 2, `may only hold`},
		{"name too long", "scenarios:\n  - name: " + strings.Repeat("a", 129) + "\n    cassette: a.yaml\n    run: echo\n", 2, `over 128`},
		{"timeout no unit", "timeout: 120\n" + sc, 1, "timeout: 120 has no unit; write 120s or 120m"},
		{"timeout words", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    timeout: 2 minutes\n", 5, `scenario "a": timeout: "2 minutes" is not a duration`},
		{"timeout zero", "timeout: 0s\n" + sc, 1, `timeout: "0s" must be positive`},
		{"timeout bare zero", "timeout: 0\n" + sc, 1, `timeout: "0" must be positive`},
		{"timeout negative", "timeout: -5s\n" + sc, 1, `must be positive`},
		{"timeout a list", "timeout: [1s]\n" + sc, 1, `timeout: must be a string, found a list`},
		{"tolerance negative", "tolerance: -1\n" + sc, 1, `tolerance: "-1" is negative`},
		{"tolerance float", "tolerance: 0.5\n" + sc, 1, `tolerance: "0.5" is not a tolerance; write a whole number of calls (2) or a percentage ("5%")`},
		{"tolerance words", "tolerance: some\n" + sc, 1, `is not a tolerance`},
		{"tolerance negative percent", "tolerance: -5%\n" + sc, 1, `is negative`},
		{"tolerance huge", "tolerance: 99999999999999999999999\n" + sc, 1, `is over 1000000 calls`},
		{"tolerance over", "tolerance: 1000001\n" + sc, 1, `is over 1000000 calls`},
		{"tolerance percent over", "tolerance: 1000.01%\n" + sc, 1, `is over 1000%`},
		{"tolerance three decimals", "tolerance: 2.125%\n" + sc, 1, `is not a percentage with at most two decimals`},
		{"tolerance plus", "tolerance: \"+2\"\n" + sc, 1, `is not a tolerance`},
		{"scenario tolerance", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    tolerance: 5 percent\n", 5, `scenario "a": tolerance: "5 percent" is not a tolerance`},
		{"intercept no", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    intercept: no\n", 5, `scenario "a": intercept: must be true or false, found "no"`},
		{"intercept_hosts a string", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    intercept_hosts: ghe.example.com\n", 5, `scenario "a": intercept_hosts: must be a list of host names`},
		{"intercept_hosts a URL", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    intercept_hosts: [https://ghe.example.com]\n", 5, `intercept_hosts: each entry must be a host name such as ghe.example.com (no scheme, no port`},
		{"intercept_hosts a port", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    intercept_hosts:\n      - ghe.example.com:8443\n", 6, `found "ghe.example.com:8443"`},
		{"intercept_hosts with intercept false", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    intercept: false\n    intercept_hosts: [ghe.example.com]\n", 5, `scenario "a": intercept: false, but intercept_hosts names hosts to intercept`},
		{"allow_unmatched yes", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    allow_unmatched: yes\n", 5, `allow_unmatched: must be true or false, found "yes"`},
		{"allow_new string", "allow_new: \"true\"\n" + sc, 1, `allow_new: must be true or false`},
		{"format", "format: yaml\n" + sc, 1, `format "yaml": must be one of text, json, markdown`},
		{"scenario format", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    format: curl\n", 5, `scenario "a": format "curl": the cassette's format must be one of govcr, requre, vcrpy, har, nock`},
		{"empty budget", "budget: \"\"\n" + sc, 1, `budget: is empty`},
		{"budget a mapping", "budget: {a: b}\n" + sc, 1, `budget: must be a string, found a mapping`},
		{"env a list", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    env: [A=1]\n", 5, `env: must be a mapping of variable names to values`},
		{"env bad name", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    env:\n      A-B: 1\n", 6, `env: "A-B" is not a variable name`},
		{"env reserved", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    env:\n      GITHUB_API_URL: https://api.github.com\n", 6, `GITHUB_API_URL is set by callbudget for every scenario`},
		{"env token", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    env: {GITHUB_TOKEN: ghp_x}\n", 5, `GITHUB_TOKEN is set by callbudget`},
		{"env value a list", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    env:\n      A: [1]\n", 6, `env: A: must be a string, found a list`},
		{"key a list", "[a]: b\n" + sc, 1, `a key must be a plain name`},
		{"merge a string", "scenarios:\n  - <<: x\n    name: a\n    cassette: a.yaml\n    run: echo\n", 2, `<< must merge a mapping`},
		{"merged unknown key", "x-d: &d {cassete: a.yaml}\nscenarios:\n  - <<: *d\n    name: a\n    run: echo\n", 1, `scenario "a": unknown key "cassete"`},
		{"x- key in a scenario", "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    x-note: hi\n", 5, `unknown key "x-note"`},
		{"undefined alias", "budget: b.yaml\nscenarios: *nope\n", 2, "not valid YAML: unknown anchor 'nope' referenced"},
		{"merge itself", "x-a: &a {<<: *a}\nscenarios:\n  - {<<: *a, name: a, cassette: a, run: a}\n", 1, "nested too deeply"},
		{"merge bomb", "x-a: &a {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\nx-b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}\nx-c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}\nx-d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}\nx-e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]}\nx-f: &f {<<: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}\nscenarios:\n  - {<<: *f, name: a, cassette: a, run: a}\n", 5, "YAML alias *d: excessive aliasing"},
		{"too large", "# " + strings.Repeat("x", config.MaxFileSize) + "\n", 0, "over the 1048576-byte cap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Parse("dir/callbudget.yaml", []byte(tc.in))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with the error")
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if ce.File != "dir/callbudget.yaml" || ce.Line != tc.line || !strings.Contains(ce.Msg, tc.msg) {
				t.Errorf("first error %q (line %d), want line %d with %q", ce, ce.Line, tc.line, tc.msg)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "dir/callbudget.yaml:") {
					t.Errorf("error line %q does not start with file:", line)
				}
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	src := "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    timeout: soon\n  - name: b\n    cassette: b.yaml\n  - name: a\n    cassette: c.yaml\n    run: echo\n"
	_, err := config.Parse("c.yaml", []byte(src))
	want := `c.yaml:5: scenario "a": timeout: "soon" is not a duration; write it like 90s, 2m or 1h30m
c.yaml:6: scenario "b" has no run: add "run: <command that runs the pipeline>" (run by sh -c in ` + mustAbs(t, ".") + `)
c.yaml:8: duplicate scenario name "a" (first at line 2): names must be unique`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseCapsTheErrors(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("scenarios:\n")
	for range 30 {
		b.WriteString("  - name: x\n")
	}
	_, err := config.Parse("c.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 11 || !strings.Contains(lines[10], "more problems") {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "callbudget.yaml")
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != path || cfg.Dir != dir || len(cfg.Scenarios) != 1 {
		t.Errorf("Load: %+v", cfg)
	}
}

func TestLoadBad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	large := filepath.Join(dir, "large.yaml")
	if err := os.WriteFile(large, make([]byte, config.MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	notYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(notYAML, []byte("scenarios: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, msg string
		is              error
	}{
		{"missing", filepath.Join(dir, "callbudget.yaml"), "cannot read config: no such file or directory (create callbudget.yaml, see README, or pass --config)", fs.ErrNotExist},
		{"a directory", dir, "is a directory", fs.ErrInvalid},
		{"too large", large, "over the 1048576-byte cap", config.ErrInvalid},
		{"not YAML", notYAML, "not valid YAML", config.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(tc.path)
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != tc.path || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Load(%s) = %v, want an *Error naming the file with %q", tc.path, err, tc.msg)
			}
			if !errors.Is(err, config.ErrInvalid) || !errors.Is(err, tc.is) {
				t.Errorf("error %v: errors.Is ErrInvalid %v, %v %v", err, errors.Is(err, config.ErrInvalid), tc.is, errors.Is(err, tc.is))
			}
		})
	}
}

// TestLoadUnreadable: a config that exists in name but cannot be read is
// an *Error naming the file, wrapping ErrInvalid and the cause, without
// the missing-file hint. The causes are ones root meets too (a file's mode
// does not stop root): a folder on the path that is a regular file, and a
// symbolic link to itself.
func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDir := filepath.Join(dir, "callbudget.yaml")
	if err := os.WriteFile(notDir, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop.yaml")
	if err := os.Symlink("loop.yaml", loop); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, msg string
		is              error
	}{
		{"parent is a regular file", filepath.Join(notDir, "callbudget.yaml"), "not a directory", syscall.ENOTDIR},
		{"symbolic link loop", loop, "too many levels of symbolic links", syscall.ELOOP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(tc.path)
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != tc.path {
				t.Fatalf("Load(%s) = %v, want an *Error naming the file", tc.path, err)
			}
			if !errors.Is(err, tc.is) || !errors.Is(err, config.ErrInvalid) || errors.Is(err, fs.ErrNotExist) ||
				err.Error() != tc.path+": cannot read config: "+tc.msg {
				t.Errorf("Load = %v (errors.Is %v: %v, ErrInvalid: %v, ErrNotExist: %v)", err,
					tc.is, errors.Is(err, tc.is), errors.Is(err, config.ErrInvalid), errors.Is(err, fs.ErrNotExist))
			}
		})
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("callbudget.yaml", []byte(`scenarios:
  - {name: pr-opened, cassette: a.yaml, run: a}
  - {name: pr-merged, cassette: b.yaml, run: b}
  - {name: issue-opened, cassette: c.yaml, run: c}
`))
	if err != nil {
		t.Fatal(err)
	}
	names := func(ss []config.Scenario) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"all", nil, []string{"pr-opened", "pr-merged", "issue-opened"}},
		{"config order", []string{"issue-opened", "pr-opened"}, []string{"pr-opened", "issue-opened"}},
		{"repeated", []string{"pr-merged", "pr-merged"}, []string{"pr-merged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := cfg.Select(tc.in)
			if err != nil || !reflect.DeepEqual(names(got), tc.want) {
				t.Errorf("Select(%q) = %q, %v; want %q", tc.in, names(got), err, tc.want)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		_, err := cfg.Select([]string{"pr-opened", "pr-openned", "nope", "nope"})
		want := `unknown scenario "pr-openned" (did you mean "pr-opened"?), "nope"; callbudget.yaml defines: pr-opened, pr-merged, issue-opened`
		if !errors.Is(err, config.ErrUnknownScenario) || err.Error() != want {
			t.Errorf("Select = %v\nwant %s", err, want)
		}
	})
	t.Run("does not share", func(t *testing.T) {
		t.Parallel()
		got, _ := cfg.Select(nil)
		got[0].Name = "changed"
		if cfg.Scenarios[0].Name != "pr-opened" {
			t.Error("Select returned the config's own slice")
		}
	})
}

// TestParseMergeBomb: merge keys let a few lines describe a mapping with
// millions of keys; Parse refuses it quickly instead of walking them (at
// the alias that makes the config stand for too much; TestParseMergeWork
// has one within that bound).
func TestParseMergeBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("x-0: &l0 {k: v}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "x-%d: &l%d {<<: [", i, i)
		for j := range 20 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("scenarios:\n  - {<<: *l8, name: a, cassette: a, run: a}\n")
	_, err := config.Parse("c.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("Parse = %v", err)
	}
}

func TestParseRedact(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("dir/callbudget.yaml", []byte("redact:\n  - 'corp-[0-9a-f]{32}'\n  - internal\\.example\\.com\nscenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Redact) != 2 || !cfg.Redact[0].MatchString("corp-0123456789abcdef0123456789abcdef") || !cfg.Redact[1].MatchString("internal.example.com") {
		t.Errorf("Redact = %v", cfg.Redact)
	}
}

// TestParseScenarioFormat: a scenario may name its cassette's format
// (otherwise it is detected), with the names the importer takes.
func TestParseScenarioFormat(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"govcr", "requre", "vcrpy", "har", "nock", ""} {
		src := "scenarios:\n  - name: a\n    cassette: a.yaml\n    run: echo\n    format: " + f + "\n"
		cfg, err := config.Parse("callbudget.yaml", []byte(src))
		if err != nil {
			t.Errorf("format %q: %v", f, err)
			continue
		}
		if got := cfg.Scenarios[0].Format; got != f {
			t.Errorf("format %q: Scenario.Format = %q", f, got)
		}
	}
}
