package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/report"
)

// The end-to-end tests run the callbudget binary as a user does, on a copy
// of the repository's example (examples/pipeline with its config, budget,
// cassettes and events) in a temp folder, changed the way a pull request
// would change it.

const modulePath = "github.com/callbudget/callbudget"

// binDir holds the callbudget binary, built on first use by the tests that
// need it and removed by TestMain.
var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
	goEnv     []string // GOMODCACHE and GOCACHE of the go command running the tests
)

func TestMain(m *testing.M) {
	if calls, ok := os.LookupEnv(clientEnv); ok {
		// Started by a scenario of TestCheckReportGolden: be its client.
		os.Exit(testClient(calls))
	}
	// The test binary starts itself as scenario commands (clientEnv,
	// TestActionHelperClient): under go test -cover they need a GOCOVERDIR.
	coverCleanup, err := testdeps.ChildCoverDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "callbudget-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		coverCleanup()
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	coverCleanup()
	os.Exit(code)
}

// callbudgetBinary builds ./cmd/callbudget once per test binary.
func callbudgetBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the callbudget binary and the example pipeline (not with -short)")
	}
	buildOnce.Do(func() {
		bin := filepath.Join(binDir, "callbudget")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		out, err = exec.Command("go", "env", "GOMODCACHE", "GOCACHE").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env: %v", err)
			return
		}
		vals := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(vals) != 2 {
			buildErr = fmt.Errorf("go env GOMODCACHE GOCACHE: %q", out)
			return
		}
		goEnv = []string{"GOMODCACHE=" + vals[0], "GOCACHE=" + vals[1]}
		binPath = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// repoRoot is the module's root, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// onlyExample drops the repository's dogfood scenarios (callbudget's own
// comment flow, TestDogfoodComment's business) and the Packit example's
// (examples/packit's own test) from the copied config and budget, leaving
// the example pipeline's.
func onlyExample(t *testing.T, dir string) {
	t.Helper()
	cfgPath := filepath.Join(dir, "callbudget.yaml")
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, found := strings.Cut(string(data), "\n  # Dogfood:")
	if !found {
		t.Fatal("callbudget.yaml: no dogfood section to drop")
	}
	if err := os.WriteFile(cfgPath, []byte(cfg+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(dir, "callbudget.budget.yaml")
	b, err := budget.Load(bpath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range b.Names() {
		if strings.HasPrefix(name, "comment-") || strings.HasPrefix(name, "packit-") {
			b.Remove(name)
		}
	}
	if err := b.Save(bpath); err != nil {
		t.Fatal(err)
	}
}

// copyExample copies what `callbudget check` needs to run the example into
// a temp folder and returns it: go.mod and go.sum (the copy is the same
// module, so the example builds from the module cache with -mod=mod), the
// example's non-test Go files and every package of this module they
// import, the cassettes, the events, the config and the budget.
func copyExample(t *testing.T) string {
	t.Helper()
	src, dst := repoRoot(t), t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "callbudget.yaml", "callbudget.budget.yaml"} {
		copyFile(t, filepath.Join(src, f), filepath.Join(dst, f))
	}
	onlyExample(t, dst)
	for _, d := range []string{"testdata/cassettes", "testdata/events"} {
		entries, err := os.ReadDir(filepath.Join(src, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				copyFile(t, filepath.Join(src, d, e.Name()), filepath.Join(dst, d, e.Name()))
			}
		}
	}
	// The example and, transitively, the packages of this module it
	// imports (none today: it only needs go-github and yaml.v3).
	queue, copied := []string{"examples/pipeline"}, map[string]bool{}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if copied[pkg] {
			continue
		}
		copied[pkg] = true
		entries, err := os.ReadDir(filepath.Join(src, pkg))
		if err != nil {
			t.Fatalf("copy %s: %v", pkg, err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			copyFile(t, filepath.Join(src, pkg, name), filepath.Join(dst, pkg, name))
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(src, pkg, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if rest, ok := strings.CutPrefix(p, modulePath+"/"); ok {
					queue = append(queue, rest)
				}
			}
		}
	}
	return dst
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(data))
}

// replaceOnce edits the file at path, replacing old (which must occur
// exactly once) with new: how the tests change the example's code.
func replaceOnce(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("%s holds %d copies of the text to edit, want 1 (has the example changed?):\n%s", path, n, old)
	}
	writeFile(t, path, strings.Replace(string(data), old, new, 1))
}

// e2eEnv is the environment callbudget runs with: the test's, without
// anything that would change callbudget's behaviour (CALLBUDGET_*, GitHub
// Actions), with the go command kept off the network and on the same
// module and build caches.
func e2eEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "CALLBUDGET_"), k == "GITHUB_ACTIONS", k == "GOFLAGS", k == "GOPROXY", k == "GOWORK", k == "NO_COLOR":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, goEnv...)
	return append(env, "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "NO_COLOR=1")
}

// callbudget runs the binary in dir.
func callbudget(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, callbudgetBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = e2eEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("callbudget %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// Edits to examples/pipeline/pipeline.go, as a pull request would make
// them.
const (
	pipelineGo = "examples/pipeline/pipeline.go"
	getPR      = `		return fmt.Errorf("get pull request #%d: %w", number, err)
	}
`
	pendingStatus = `	if err := setStatus(ctx, gh, owner, repo, sha, "pending", "Build started"); err != nil {
		return err
	}
`
)

// addDuplicateGet reads the pull request a second time, right after the
// first.
func addDuplicateGet(t *testing.T, dir string) {
	replaceOnce(t, filepath.Join(dir, pipelineGo), getPR, getPR+`	if _, _, err := gh.PullRequests.Get(ctx, owner, repo, number); err != nil {
		return fmt.Errorf("get pull request #%d again: %w", number, err)
	}
`)
}

// addUnrecordedGet reads the repository, which no cassette recorded; the
// 404 is logged, not fatal, so the pipeline itself succeeds.
func addUnrecordedGet(t *testing.T, dir string) {
	replaceOnce(t, filepath.Join(dir, pipelineGo), getPR, getPR+`	if _, _, err := gh.Repositories.Get(ctx, owner, repo); err != nil {
		logf("get repository: %v", err)
	}
`)
}

func removePendingStatus(t *testing.T, dir string) {
	replaceOnce(t, filepath.Join(dir, pipelineGo), pendingStatus, "")
}

// row matches an endpoint row of the text report: method, route,
// operation, then the numbers (baseline, now, delta) and notes.
func row(method, route, op string, cols ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^  ` + method + `\s+` + regexp.QuoteMeta(route) + `\s+` + regexp.QuoteMeta(op) + `\s+` + strings.Join(cols, `\s+`) + `\b`)
}

func TestE2ECheck(t *testing.T) {
	t.Parallel()
	callbudgetBinary(t)
	tests := []struct {
		name       string
		edit       func(t *testing.T, dir string)
		files      map[string]string
		args       []string
		wantCode   int
		wantStdout []string         // substrings
		wantRows   []*regexp.Regexp // in stdout
		wantStderr []string
		check      func(t *testing.T, dir string, r result)
	}{
		{
			name:       "unchanged",
			args:       []string{"check"},
			wantCode:   0,
			wantStdout: []string{"✓ pr-opened  9 calls (baseline 9, 0)  OK", "✓ pr-synchronize  10 calls (baseline 10, 0)  OK", "verdict: OK (2 ok of 2 scenarios)"},
			wantStderr: []string{"callbudget: pr-opened: started", "pr-opened      | pipeline: done: success", "callbudget: pr-opened: 9 calls in "},
		},
		{
			name:     "duplicate GET of the pull request",
			edit:     addDuplicateGet,
			args:     []string{"check"},
			wantCode: 1,
			wantStdout: []string{
				"✗ pr-opened  10 calls (baseline 9, +1)  OVER",
				"✗ pr-synchronize  11 calls (baseline 10, +1)  OVER",
				"over budget: total 10 > 9 allowed",
				"verdict: OVER (2 over of 2 scenarios)",
			},
			wantRows: []*regexp.Regexp{
				row("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "pulls/get", "1", "2", `\+1`, "1 repeat"),
				row("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "pulls/list-files", "2", "2", "0"),
			},
			wantStderr: []string{"callbudget: over budget: pr-opened +1, pr-synchronize +1"},
		},
		{
			name:     "one call fewer",
			edit:     removePendingStatus,
			args:     []string{"check"},
			wantCode: 0,
			wantStdout: []string{
				"✓ pr-opened  8 calls (baseline 9, −1)  UNDER",
				"fewer calls than the budget: tighten it with `callbudget update --scenario pr-opened`",
				"fewer calls than the budget: tighten it with `callbudget update --scenario pr-synchronize`",
				"verdict: OK (2 under of 2 scenarios)",
			},
			wantRows: []*regexp.Regexp{
				row("POST", "/repos/{owner}/{repo}/statuses/{sha}", "repos/create-commit-status", "2", "1", "−1"),
			},
		},
		{
			name: "hung scenario",
			files: map[string]string{"hung.yaml": `scenarios:
  - name: hung
    cassette: testdata/cassettes/pr-opened.yaml
    run: sleep 1000
    timeout: 1s
  - name: hung-tree
    cassette: testdata/cassettes/pr-opened.yaml
    run: sleep 1000 & sleep 1000
    timeout: 1s
`},
			args:       []string{"check", "--config", "hung.yaml", "--allow-new"},
			wantCode:   2,
			wantStdout: []string{"scenario hung: timed out after 1s (process group killed)", "scenario hung-tree: timed out after 1s (process group killed)", "verdict: ERROR"},
			wantStderr: []string{"callbudget: scenario failed: hung, hung-tree"},
		},
		{
			name: "command not found",
			files: map[string]string{"missing.yaml": `scenarios:
  - name: missing
    cassette: testdata/cassettes/pr-opened.yaml
    run: no-such-pipeline-command --event testdata/events/pr-opened.json
`},
			args:       []string{"check", "--config", "missing.yaml", "--allow-new"},
			wantCode:   2,
			wantStdout: []string{"scenario missing: command not found", "verdict: ERROR"},
			wantStderr: []string{"no-such-pipeline-command: not found", "callbudget: scenario failed: missing"},
		},
		{
			name:     "unrecorded call",
			edit:     addUnrecordedGet,
			args:     []string{"check"},
			wantCode: 2,
			wantStdout: []string{
				"scenario pr-opened: 1 request(s) have no recorded interaction: the cassette no longer fits the code",
				"1 unmatched request, no recorded interaction",
				"    GET  /repos/octo-org/hello-world  ×1",
				"verdict: ERROR (2 error of 2 scenarios)",
			},
			wantStderr: []string{"404 Not Found", "callbudget: scenario failed: pr-opened, pr-synchronize"},
		},
		{
			name:     "unrecorded call allowed",
			edit:     addUnrecordedGet,
			files:    map[string]string{"allow.yaml": "budget: callbudget.budget.yaml\ntolerance: 1\nscenarios:\n  - name: pr-opened\n    cassette: testdata/cassettes/pr-opened.yaml\n    run: go run ./examples/pipeline --event testdata/events/pr-opened.json\n    allow_unmatched: true\n"},
			args:     []string{"check", "--config", "allow.yaml", "--scenario", "pr-opened"},
			wantCode: 0,
			wantStdout: []string{
				"    GET  /repos/octo-org/hello-world  ×1",
				"verdict: OK",
			},
		},
		{
			name:     "JSON report",
			edit:     addDuplicateGet,
			args:     []string{"check", "--scenario", "pr-opened", "--format", "json", "--report", "out.json"},
			wantCode: 1,
			check: func(t *testing.T, dir string, r result) {
				data, err := os.ReadFile(filepath.Join(dir, "out.json"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(data, []byte(r.stdout)) {
					t.Errorf("--report file and --format json stdout differ")
				}
				rep, err := report.ReadJSON(bytes.NewReader(data), 1<<20)
				if err != nil {
					t.Fatalf("report.ReadJSON: %v\n%s", err, data)
				}
				if rep.Verdict != report.VerdictOver || len(rep.Scenarios) != 1 {
					t.Fatalf("verdict %q, %d scenarios; want over, 1", rep.Verdict, len(rep.Scenarios))
				}
				s := rep.Scenarios[0]
				if s.Status != report.StatusOver || s.Total != 10 || deref(s.Baseline) != 9 || deref(s.Delta) != 1 {
					t.Errorf("scenario %s: status %s total %d baseline %d delta %d; want over 10 9 +1", s.Name, s.Status, s.Total, deref(s.Baseline), deref(s.Delta))
				}
				for _, e := range s.Endpoints {
					if e.Operation == "pulls/get" && (e.Count != 2 || deref(e.Baseline) != 1 || e.Repeats != 1) {
						t.Errorf("pulls/get: count %d baseline %d repeats %d; want 2, 1, 1", e.Count, deref(e.Baseline), e.Repeats)
					}
				}
			},
		},
		{
			name:       "text report and JSON file",
			args:       []string{"check", "--report", "report.json"},
			wantCode:   0,
			wantStdout: []string{"verdict: OK"},
			check: func(t *testing.T, dir string, r result) {
				f, err := os.Open(filepath.Join(dir, "report.json"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rep, err := report.ReadJSON(f, 1<<20)
				if err != nil {
					t.Fatalf("report.ReadJSON: %v", err)
				}
				if rep.Verdict != report.VerdictOK || len(rep.Scenarios) != 2 || rep.Scenarios[0].Total != 9 || rep.Scenarios[1].Total != 10 {
					t.Errorf("report: %+v", rep)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := copyExample(t)
			if tt.edit != nil {
				tt.edit(t, dir)
			}
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			budgetBefore := snapshot(t, dir)["/callbudget.budget.yaml"]

			watch := watchProcesses(dir)
			start := time.Now()
			r := callbudget(t, dir, tt.args...)
			elapsed := time.Since(start)
			seen := watch()
			t.Logf("callbudget %s: exit %d in %v", strings.Join(tt.args, " "), r.code, elapsed.Round(time.Millisecond))

			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d", r.code, tt.wantCode)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout does not say %q", w)
				}
			}
			for _, re := range tt.wantRows {
				if !re.MatchString(r.stdout) {
					t.Errorf("stdout has no row matching %s", re)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q", w)
				}
			}
			if tt.check != nil {
				tt.check(t, dir, r)
			}
			if after := snapshot(t, dir)["/callbudget.budget.yaml"]; after != budgetBefore {
				t.Errorf("check changed the budget file")
			}
			// Whatever the scenarios started runs in dir; none of it may
			// outlive callbudget.
			if left := processesIn(dir); len(left) > 0 {
				t.Errorf("processes left running after callbudget exited: %v", left)
			}
			if strings.HasPrefix(tt.name, "hung") {
				if runtime.GOOS == "linux" && !seenSleep(seen) {
					t.Errorf("never saw the scenario's sleep running (saw %v): the test proves nothing", seen)
				}
				t.Logf("processes seen while it ran: %v", seen)
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
		})
	}
}

func seenSleep(seen []string) bool {
	for _, p := range seen {
		if strings.Contains(p, "sleep 1000") {
			return true
		}
	}
	return false
}

// processesIn lists the live processes (not zombies) whose working
// directory is dir, as "pid cmdline". Linux only; nil elsewhere.
func processesIn(dir string) []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
		if err != nil || (cwd != real && cwd != dir) {
			continue // gone, a zombie (no cwd), not ours, or not readable
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		found = append(found, fmt.Sprintf("%d %s", pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))))
	}
	return found
}

// watchProcesses polls processesIn(dir) until the returned func is
// called, which returns every process seen.
func watchProcesses(dir string) func() []string {
	stop, done := make(chan struct{}), make(chan []string)
	go func() {
		seen := map[string]bool{}
		var list []string
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, p := range processesIn(dir) {
				if !seen[p] {
					seen[p] = true
					list = append(list, p)
				}
			}
			select {
			case <-stop:
				done <- list
				return
			case <-tick.C:
			}
		}
	}()
	return func() []string {
		close(stop)
		return <-done
	}
}

// TestE2EUpdate: after the duplicate-call edit, update rewrites the budget
// by replacing the file (a new inode, no temp file left behind), check then
// passes, a second update leaves it alone, and an update whose scenarios
// fail writes nothing.
func TestE2EUpdate(t *testing.T) {
	t.Parallel()
	callbudgetBinary(t)
	dir := copyExample(t)
	budgetFile := filepath.Join(dir, "callbudget.budget.yaml")
	addDuplicateGet(t, dir)

	if r := callbudget(t, dir, "check"); r.code != exitOver {
		t.Fatalf("check before update: exit %d, want %d\n%s", r.code, exitOver, r)
	}
	oldInfo, err := os.Stat(budgetFile)
	if err != nil {
		t.Fatal(err)
	}
	before := keys(snapshot(t, dir))

	r := callbudget(t, dir, "update")
	if r.code != exitOK {
		t.Fatalf("update: exit %d\n%s", r.code, r)
	}
	if want := "callbudget: wrote callbudget.budget.yaml: 2 scenario(s), 2 changed; review the diff and commit it"; !strings.Contains(r.stderr, want) {
		t.Errorf("update's stderr does not say %q:\n%s", want, r.stderr)
	}
	if !row("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "pulls/get", "1", "→", "2", `\+1`).MatchString(r.stdout) {
		t.Errorf("update does not show what changed:\n%s", r.stdout)
	}
	newInfo, err := os.Stat(budgetFile)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(oldInfo, newInfo) {
		t.Errorf("the budget file was rewritten in place, not replaced by a rename")
	}
	if after := keys(snapshot(t, dir)); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("update left files behind: before %v, after %v", before, after)
	}
	bf, err := budget.Load(budgetFile)
	if err != nil {
		t.Fatalf("the budget update wrote does not load: %v", err)
	}
	for name, total := range map[string]int{"pr-opened": 10, "pr-synchronize": 11} {
		if e := bf.Scenarios[name]; e == nil || e.Total != total {
			t.Errorf("budget entry %s: %+v, want total %d", name, e, total)
		}
	}
	data, err := os.ReadFile(budgetFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "      GET /repos/{owner}/{repo}/pulls/{pull_number}: 2 # pulls/get\n"; strings.Count(string(data), want) != 2 {
		t.Errorf("budget file does not hold %q for both scenarios:\n%s", want, data)
	}
	if !strings.HasPrefix(string(data), "# Generated by `callbudget update`") {
		t.Errorf("budget file lost its header:\n%s", data)
	}

	if r := callbudget(t, dir, "check"); r.code != exitOK || !strings.Contains(r.stdout, "verdict: OK (2 ok of 2 scenarios)") {
		t.Fatalf("check after update: exit %d\n%s", r.code, r)
	}

	// Nothing changed: nothing written.
	r = callbudget(t, dir, "update")
	if r.code != exitOK || !strings.Contains(r.stderr, "callbudget: callbudget.budget.yaml is up to date") {
		t.Errorf("second update: exit %d\n%s", r.code, r)
	}
	if info, err := os.Stat(budgetFile); err != nil || !os.SameFile(info, newInfo) {
		t.Errorf("an update with nothing to change replaced the budget file (%v)", err)
	}

	// A scenario that fails (here: a request the cassette cannot answer)
	// gives no baseline: the budget stays as it was, byte for byte.
	addUnrecordedGet(t, dir)
	snap := snapshot(t, dir)
	r = callbudget(t, dir, "update")
	if r.code != exitError {
		t.Errorf("update with an unmatched call: exit %d, want %d\n%s", r.code, exitError, r)
	}
	if want := "callbudget.budget.yaml not written: a baseline is only taken from scenarios that all ran cleanly"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
	}
	if !equalSnapshots(snap, snapshot(t, dir)) {
		t.Errorf("a failed update wrote to the folder")
	}
	r = callbudget(t, dir, "update", "--scenario", "pr-opened")
	if r.code != exitError || !equalSnapshots(snap, snapshot(t, dir)) {
		t.Errorf("update --scenario pr-opened with an unmatched call: exit %d, or it wrote\n%s", r.code, r)
	}
}

// TestCheckWallTime measures what the README's quick start promises: `go
// run ./cmd/callbudget check` in the repository, with a warm build cache.
// It reports the time; it never asserts it. Not parallel, so that the
// time is not shared with the other tests.
func TestCheckWallTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./cmd/callbudget check in the repository (not with -short)")
	}
	root := repoRoot(t)
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "CALLBUDGET_") && k != "GITHUB_ACTIONS" {
			env = append(env, kv)
		}
	}
	once := func() (result, time.Duration) {
		cmd := exec.Command("go", "run", "./cmd/callbudget", "check")
		cmd.Dir, cmd.Env = root, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		r := result{stdout: stdout.String(), stderr: stderr.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r, d
	}
	_, warm := once() // fills the build cache for callbudget and the example
	r, d := once()
	if r.code != exitOK || !strings.Contains(r.stdout, "verdict: OK") {
		t.Fatalf("go run ./cmd/callbudget check in %s: exit %d\n%s", root, r.code, r)
	}
	t.Logf("go run ./cmd/callbudget check: %v with a warm build cache (first run: %v)", d.Round(time.Millisecond), warm.Round(time.Millisecond))
}
