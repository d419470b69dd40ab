package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/report"
)

// The example's cassette, relative to this package's folder (where go
// test runs it), so that reports naming it are the same on every machine.
const prOpened = "../../testdata/cassettes/pr-opened.yaml"

// result is what one invocation of the command gave.
type result struct {
	stdout, stderr string
	code           int
}

// String is the golden form of a result: the exit code, then both streams.
func (r result) String() string {
	return fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs callbudget in-process, as main does, with environ as its
// whole environment.
func runCLI(t *testing.T, environ []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr, environ)
	code := exitCode(err, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// testEnv is a minimal environment for in-process runs: enough for the
// scenario commands (sh, true, the test binary) to start, and nothing of
// the caller's CALLBUDGET_* or GitHub Actions settings, plus extra.
func testEnv(extra ...string) []string {
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, testdeps.ChildEnv()...)
	return append(env, extra...)
}

// versionRE matches the tool's version wherever a report or the version
// command prints it: "dev" in a plain build, a module or VCS version
// otherwise. Goldens hold "callbudget VERSION".
var versionRE = regexp.MustCompile(`callbudget (?:dev|\(devel\)|v\d[^\s"<)]*)`)

func maskVersion(s string) string { return versionRE.ReplaceAllString(s, "callbudget VERSION") }

// TestCLIGolden runs the command in-process and compares its exit code,
// stdout and stderr with testdata/cli/NAME.golden.
func TestCLIGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  []string
	}{
		{name: "help", args: []string{"--help"}},
		{name: "no-args", args: nil},
		{name: "check-help", args: []string{"check", "--help"}},
		{name: "run-help", args: []string{"run", "--help"}},
		{name: "count-text", args: []string{"count", prOpened}},
		{name: "count-json", args: []string{"count", "--format", "json", prOpened}},
		{name: "count-markdown", args: []string{"count", "--format", "markdown", prOpened}},
		{name: "count-no-cassette", args: []string{"count"}},
		{name: "count-missing-cassette", args: []string{"count", "testdata/no-such-cassette.yaml"}},
		{name: "format-xml", args: []string{"count", "--format", "xml", prOpened}},
		{name: "format-xml-env", args: []string{"count", prOpened}, env: []string{"CALLBUDGET_FORMAT=xml"}},
		{name: "unknown-flag", args: []string{"check", "--no-such-flag"}},
		{name: "unknown-command", args: []string{"frobnicate"}},
		{name: "run-without-dash", args: []string{"run", "--cassette", prOpened, "true"}},
		{name: "run-no-command", args: []string{"run", "--cassette", prOpened, "--"}},
		{name: "run-args-before-dash", args: []string{"run", "--cassette", prOpened, "extra", "--", "true"}},
		{name: "run-no-cassette", args: []string{"run", "--", "true"}},
		{name: "run-bad-timeout", args: []string{"run", "--cassette", prOpened, "--timeout", "soon", "--", "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(tt.env...), tt.args...)
			got := fmt.Sprintf("# %s\n%s", strings.Join(append([]string{"callbudget"}, tt.args...), " "), r)
			golden.Check(t, filepath.Join("testdata", "cli", tt.name+".golden"), []byte(maskVersion(got)))
		})
	}
}

// TestVersion checks the version line's shape; the golden masks what
// varies by build.
func TestVersion(t *testing.T) {
	t.Parallel()
	r := runCLI(t, testEnv(), "version")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("version: %s", r)
	}
	line := strings.TrimSuffix(r.stdout, "\n")
	re := regexp.MustCompile(`^callbudget (\S+) \(commit (\S+), (go\S+)\)$`)
	m := re.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("version line %q does not match %s", line, re)
	}
	if m[3] != runtime.Version() {
		t.Errorf("version line names %s, built with %s", m[3], runtime.Version())
	}
	masked := re.ReplaceAllString(line, "callbudget VERSION (commit COMMIT, GOVERSION)") + "\n"
	golden.Check(t, filepath.Join("testdata", "cli", "version.golden"), []byte(masked))
}

// formatOf says which of the three report formats out is, by what only
// that format starts with.
func formatOf(t *testing.T, out string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(out, "{"):
		if _, err := report.ReadJSON(strings.NewReader(out), 1<<20); err != nil {
			t.Fatalf("JSON report does not read back: %v\n%s", err, out)
		}
		return "json"
	case strings.HasPrefix(out, "### "):
		return "markdown"
	case strings.HasPrefix(out, "✓ "), strings.HasPrefix(out, "+ "):
		return "text"
	}
	t.Fatalf("stdout is no report format:\n%s", out)
	return ""
}

// TestFormatLayers checks where --format comes from: the flag beats
// CALLBUDGET_FORMAT, which beats the config file's format:, which beats
// the default.
func TestFormatLayers(t *testing.T) {
	t.Parallel()
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "callbudget.yaml")
	writeFile(t, cfg, fmt.Sprintf(`format: markdown
allow_new: true
scenarios:
  - name: quiet
    cassette: %s
    run: "true"
`, cassette))
	plain := filepath.Join(dir, "plain.yaml")
	writeFile(t, plain, fmt.Sprintf("allow_new: true\nscenarios:\n  - name: quiet\n    cassette: %s\n    run: \"true\"\n", cassette))

	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{name: "default", args: []string{"count", prOpened}, want: "text"},
		{name: "env", env: []string{"CALLBUDGET_FORMAT=json"}, args: []string{"count", prOpened}, want: "json"},
		{name: "flag beats env", env: []string{"CALLBUDGET_FORMAT=json"}, args: []string{"count", "--format", "markdown", prOpened}, want: "markdown"},
		{name: "short flag beats env", env: []string{"CALLBUDGET_FORMAT=markdown"}, args: []string{"count", "-f", "text", prOpened}, want: "text"},
		{name: "empty env is unset", env: []string{"CALLBUDGET_FORMAT="}, args: []string{"count", prOpened}, want: "text"},
		{name: "config", args: []string{"check", "--config", cfg}, want: "markdown"},
		{name: "env beats config", env: []string{"CALLBUDGET_FORMAT=json"}, args: []string{"check", "--config", cfg}, want: "json"},
		{name: "flag beats config", args: []string{"check", "--config", cfg, "--format", "text"}, want: "text"},
		{name: "config from env", env: []string{"CALLBUDGET_CONFIG=" + cfg}, args: []string{"check"}, want: "markdown"},
		{name: "no format in config", args: []string{"check", "--config", plain}, want: "text"},
		{name: "no format in config, env", env: []string{"CALLBUDGET_FORMAT=json"}, args: []string{"check", "--config", plain}, want: "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(tt.env...), tt.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.code, r)
			}
			if got := formatOf(t, r.stdout); got != tt.want {
				t.Errorf("format %s, want %s\n%s", got, tt.want, r.stdout)
			}
		})
	}
}

// TestEnvLayers checks that flags other than --format read CALLBUDGET_*
// too, and that a flag given on the command line still wins.
func TestEnvLayers(t *testing.T) {
	t.Parallel()
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "callbudget.yaml")
	writeFile(t, cfg, fmt.Sprintf("scenarios:\n  - name: quiet\n    cassette: %s\n    run: \"true\"\n", cassette))

	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		want     string // in stdout or stderr
	}{
		{name: "new fails", args: []string{"check", "-c", cfg}, wantCode: 1, want: "no baseline for quiet"},
		{name: "allow-new from env", env: []string{"CALLBUDGET_ALLOW_NEW=true"}, args: []string{"check", "-c", cfg}, wantCode: 0, want: "verdict: OK"},
		{name: "allow-new flag beats env", env: []string{"CALLBUDGET_ALLOW_NEW=true"}, args: []string{"check", "-c", cfg, "--allow-new=false"}, wantCode: 1, want: "no baseline for quiet"},
		{name: "bad bool in env", env: []string{"CALLBUDGET_ALLOW_NEW=maybe"}, args: []string{"check", "-c", cfg}, wantCode: 2, want: `CALLBUDGET_ALLOW_NEW="maybe"`},
		{name: "tolerance from env", env: []string{"CALLBUDGET_TOLERANCE=abc"}, args: []string{"check", "-c", cfg}, wantCode: 2, want: `invalid tolerance "abc"`},
		{name: "scenario from env", env: []string{"CALLBUDGET_SCENARIO=nope"}, args: []string{"check", "-c", cfg}, wantCode: 2, want: `unknown scenario "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(tt.env...), tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			if !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("output does not say %q\n%s", tt.want, r)
			}
		})
	}
}

// TestRunInProcess replays a cassette for a shell command that makes no
// calls and one that fails: run reports the counts either way, and a
// failed command is exit 2 with its status in the message.
func TestRunInProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		argv     []string
		wantCode int
		want     []string
	}{
		{name: "no calls", argv: []string{"true"}, wantCode: 0, want: []string{`"verdict": "ok"`, `"total": 0`}},
		{name: "fails", argv: []string{"sh", "-c", "echo failing >&2; exit 3"}, wantCode: 2, want: []string{`"verdict": "error"`, "exited with status 3", "failing"}},
		{name: "not in PATH", argv: []string{"no-such-program-callbudget"}, wantCode: 2, want: []string{`"verdict": "error"`, "cannot start", "not found in $PATH"}},
		{name: "no such file", argv: []string{"./no-such-program"}, wantCode: 2, want: []string{`"verdict": "error"`, "cannot start", "no such file or directory"}},
		{name: "sees the contract", argv: []string{"sh", "-c", `case "$GITHUB_API_URL" in http://127.0.0.1:*) ;; *) exit 9;; esac; test "$GITHUB_GRAPHQL_URL" = "$GITHUB_API_URL/graphql" && test "$GITHUB_TOKEN" = "$GH_TOKEN" && test "$GITHUB_TOKEN" != real`}, wantCode: 0, want: []string{`"verdict": "ok"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"run", "--format", "json", "--timeout", "30s", "--cassette", prOpened, "--"}, tt.argv...)
			r := runCLI(t, testEnv("GITHUB_TOKEN=real"), args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			formatOf(t, r.stdout)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output does not say %q\n%s", w, r)
				}
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// clientEnv makes the test binary, started as a scenario's command, a
// GitHub client that makes the calls the variable lists ("METHOD PATH",
// separated by ";") against GITHUB_API_URL, then exits 0: scenarios with
// exact, known calls and no go run.
const clientEnv = "CALLBUDGET_TEST_CLIENT_CALLS"

func testClient(calls string) int {
	base := strings.TrimSuffix(os.Getenv("GITHUB_API_URL"), "/")
	for _, call := range strings.Split(calls, ";") {
		method, path, _ := strings.Cut(strings.TrimSpace(call), " ")
		var body io.Reader
		if method != http.MethodGet {
			body = strings.NewReader("{}")
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		req.Header.Set("Authorization", "Bearer "+os.Getenv("GITHUB_TOKEN"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return 0
}

// TestCheckReportGolden runs check in-process on scenarios whose calls are
// known exactly (the test binary as their client): one as budgeted, one
// with a repeated GET (over, +1), one with fewer calls (under, with the
// hint), one not in the budget (new), and a budget entry no scenario has
// (stale). The report in each format is golden.
func TestCheckReportGolden(t *testing.T) {
	t.Parallel()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	const (
		pr     = "GET /repos/octo-org/hello-world/pulls/42"
		files  = "GET /repos/octo-org/hello-world/pulls/42/files?per_page=100"
		status = "POST /repos/octo-org/hello-world/statuses/590abaace41bdb1047b7713b47b0a4c3489ca80f"
	)
	dir := t.TempDir()
	scenario := func(name string, calls ...string) string {
		return fmt.Sprintf("  - name: %s\n    cassette: %s\n    run: '\"$CALLBUDGET_TEST_BIN\"'\n    env: {%s: %q}\n",
			name, cassette, clientEnv, strings.Join(calls, ";"))
	}
	cfg := filepath.Join(dir, "callbudget.yaml")
	writeFile(t, cfg, "scenarios:\n"+
		scenario("steady", pr, status)+
		scenario("grown", pr, pr, status)+
		scenario("shrunk", files)+
		scenario("fresh", pr))
	writeFile(t, filepath.Join(dir, "callbudget.budget.yaml"), `version: 1
scenarios:
  gone:
    total: 1
    mutating: 0
    resources:
      core: 1
    endpoints:
      GET /repos/{owner}/{repo}: 1 # repos/get
  grown:
    total: 2
    mutating: 1
    resources:
      core: 2
    endpoints:
      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
      POST /repos/{owner}/{repo}/statuses/{sha}: 1 # repos/create-commit-status
  shrunk:
    total: 3
    mutating: 0
    resources:
      core: 3
    endpoints:
      GET /repos/{owner}/{repo}/contents/{path}: 1 # repos/get-content
      GET /repos/{owner}/{repo}/pulls/{pull_number}/files: 2 # pulls/list-files
  steady:
    total: 2
    mutating: 1
    resources:
      core: 2
    endpoints:
      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
      POST /repos/{owner}/{repo}/statuses/{sha}: 1 # repos/create-commit-status
`)
	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			// One job at a time: the progress lines on stderr come in
			// config order; their wall times are masked.
			r := runCLI(t, testEnv("CALLBUDGET_TEST_BIN="+bin), "check", "--config", cfg, "--format", format, "--jobs", "1")
			if r.code != exitOver {
				t.Errorf("exit %d, want %d", r.code, exitOver)
			}
			got := maskVersion(maskDurations(maskDir(r.String(), dir)))
			golden.Check(t, filepath.Join("testdata", "cli", "check-"+format+".golden"), []byte(got))
		})
	}
}
