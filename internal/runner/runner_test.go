//go:build unix

package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
)

// client is the path of testdata/client, built once by TestMain: a GitHub
// API client in another process, as a scenario's pipeline is.
var client string

func TestMain(m *testing.M) {
	if c := os.Getenv("RUNNER_REAP_HELPER"); c != "" {
		os.Exit(reapHelper(c))
	}
	os.Exit(buildClientAndRun(m))
}

func buildClientAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "runner-client-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gobin, err := exec.LookPath("go")
	if err == nil {
		bin := filepath.Join(dir, "client")
		out, err := exec.Command(gobin, "build", "-o", bin, "./testdata/client").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build testdata/client: %v\n%s", err, out)
			return 1
		}
		client = bin
	}
	return m.Run()
}

func needClient(t *testing.T) {
	t.Helper()
	if client == "" {
		t.Skip("the go command is not in PATH, so testdata/client could not be built")
	}
}

// cassette writes a go-vcr v3 cassette answering GET /repos/o/r/pulls/1
// and GET /repos/o/r, as api.github.com did.
func cassette(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("---\nversion: 2\ninteractions:\n")
	for i, p := range []string{"/repos/o/r/pulls/1", "/repos/o/r"} {
		fmt.Fprintf(&b, `    - id: %d
      request:
        method: GET
        url: https://api.github.com%s
      response:
        status: 200 OK
        code: 200
        headers:
            Content-Type:
                - application/json; charset=utf-8
        body: '{"ok":true}'
`, i, p)
	}
	path := filepath.Join(t.TempDir(), "cassette.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// buffer is a bytes.Buffer safe for the command's output goroutines.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// baseEnv is a small, known environment: PATH and HOME only.
func baseEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
}

func TestRunCountsCalls(t *testing.T) {
	t.Parallel()
	needClient(t)
	var out buffer
	res, err := runner.Run(context.Background(), runner.Job{
		Name:     "pr-opened",
		Cassette: cassette(t),
		Argv:     []string{client, "/repos/o/r/pulls/1", "/repos/o/r/pulls/1", "/repos/o/r", "/repos/o/r/nope"},
		Timeout:  time.Minute,
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv()})
	if err != nil {
		t.Fatalf("Run: %v\noutput:\n%s", err, out.String())
	}
	want := "GET /repos/o/r/pulls/1 200\nGET /repos/o/r/pulls/1 200\nGET /repos/o/r 200\nGET /repos/o/r/nope 404\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	c := res.Counts
	if c.Total != 4 || c.Repeats != 1 || len(c.Unmatched) != 1 || c.Unmatched[0].Path != "/repos/o/r/nope" {
		t.Errorf("counts: total %d, repeats %d, unmatched %v; want 4, 1, [GET /repos/o/r/nope]", c.Total, c.Repeats, c.Unmatched)
	}
	if !strings.HasPrefix(res.URL, "http://127.0.0.1:") || res.Elapsed <= 0 {
		t.Errorf("URL %q, Elapsed %v", res.URL, res.Elapsed)
	}
}

// TestRunEnvironment checks the contract of DESIGN.md, "What the scenario
// command gets", and that no real token reaches the command.
func TestRunEnvironment(t *testing.T) {
	t.Parallel()
	needClient(t)
	const secret = "ghs_theRealTokenOfTheAction"
	dir := t.TempDir()
	environ := append(baseEnv(),
		"GITHUB_TOKEN="+secret,
		"GH_TOKEN="+secret,
		"GITHUB_ENTERPRISE_TOKEN="+secret,
		"GH_ENTERPRISE_TOKEN="+secret,
		"INPUT_GITHUB-TOKEN="+secret,
		"INPUT_GITHUB_TOKEN="+secret,
		"ACTIONS_RUNTIME_TOKEN="+secret,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN="+secret,
		"GITHUB_API_URL=https://api.github.com",
		"GITHUB_GRAPHQL_URL=https://api.github.com/graphql",
		"GITHUB_REPOSITORY=o/r",
		"KEEP=kept",
		"OVERRIDDEN=base",
	)
	names := []string{"GITHUB_API_URL", "CALLBUDGET_REPLAY_URL", "GITHUB_GRAPHQL_URL", "GITHUB_TOKEN", "GH_TOKEN",
		"GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN", "INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN",
		"ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GITHUB_REPOSITORY", "KEEP", "OVERRIDDEN", "EXTRA"}
	var args []string
	for _, n := range names {
		args = append(args, "env:"+n)
	}
	var out buffer
	res, err := runner.Run(context.Background(), runner.Job{
		Name:     "env",
		Cassette: cassette(t),
		Dir:      dir,
		// Through the shell, as a config's run: line: $CLIENT comes from
		// ExtraEnv, and pwd shows the working directory.
		Shell: `"$CLIENT" ` + strings.Join(args, " ") + ` && pwd`,
		ExtraEnv: map[string]string{
			"CLIENT":       client,
			"EXTRA":        "x y",
			"OVERRIDDEN":   "extra",
			"GITHUB_TOKEN": "from-extra-env", // Run's own variables win
		},
		Timeout: time.Minute,
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: environ})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	want := fmt.Sprintf(`GITHUB_API_URL=%[1]s
CALLBUDGET_REPLAY_URL=%[1]s
GITHUB_GRAPHQL_URL=%[1]s/graphql
GITHUB_TOKEN=%[2]s
GH_TOKEN=%[2]s
GITHUB_ENTERPRISE_TOKEN unset
GH_ENTERPRISE_TOKEN unset
INPUT_GITHUB-TOKEN unset
INPUT_GITHUB_TOKEN unset
ACTIONS_RUNTIME_TOKEN unset
ACTIONS_ID_TOKEN_REQUEST_TOKEN unset
GITHUB_REPOSITORY=o/r
KEEP=kept
OVERRIDDEN=extra
EXTRA=x y
%[3]s
`, res.URL, runner.DummyToken, dir)
	if out.String() != want {
		t.Errorf("the command saw:\n%s\nwant:\n%s", out.String(), want)
	}
	if strings.Contains(out.String(), secret) {
		t.Error("the real token reached the command")
	}
}

func TestRunCommandFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		job      runner.Job
		exitCode int
		signal   string
		notFound bool
		msg      string
		is       error
	}{
		{
			name:     "exit status",
			job:      runner.Job{Shell: "echo out; echo err >&2; exit 3"},
			exitCode: 3,
			msg:      "scenario pr-opened: command exited with status 3",
		},
		{
			name:     "killed by a signal",
			job:      runner.Job{Shell: "kill -KILL $$"},
			exitCode: -1,
			signal:   "SIGKILL",
			msg:      "scenario pr-opened: killed by signal SIGKILL",
		},
		{
			name:     "not in PATH",
			job:      runner.Job{Argv: []string{"callbudget-no-such-command", "--flag"}},
			exitCode: -1,
			notFound: true,
			msg:      `scenario pr-opened: cannot start: exec: "callbudget-no-such-command": executable file not found in $PATH`,
			is:       exec.ErrNotFound,
		},
		{
			name:     "no such file",
			job:      runner.Job{Argv: []string{"./no-such-program"}},
			exitCode: -1,
			notFound: true,
			msg:      "scenario pr-opened: cannot start: fork/exec ./no-such-program: no such file or directory",
			is:       fs.ErrNotExist,
		},
		{
			name:     "not found by the shell",
			job:      runner.Job{Shell: "callbudget-no-such-command --flag"},
			exitCode: 127,
			notFound: true,
			msg:      "scenario pr-opened: command not found (sh exited with status 127; its message is in the output above)",
		},
		{
			name:     "no such directory",
			job:      runner.Job{Shell: "true", Dir: "/nonexistent/callbudget"},
			exitCode: -1,
			msg:      "scenario pr-opened: cannot start: chdir /nonexistent/callbudget: no such file or directory",
			is:       fs.ErrNotExist,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := tc.job
			j.Name, j.Cassette, j.Timeout = "pr-opened", cassette(t), time.Minute
			var stdout, stderr buffer
			_, err := runner.Run(context.Background(), j, runner.Options{Stdout: &stdout, Stderr: &stderr, Environ: baseEnv()})
			var ce *runner.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("Run = %v (%T), want a *CommandError", err, err)
			}
			if ce.ExitCode != tc.exitCode || ce.Signal != tc.signal || ce.NotFound != tc.notFound || ce.TimedOut {
				t.Errorf("got %+v", ce)
			}
			if err.Error() != tc.msg {
				t.Errorf("message:\n got %s\nwant %s", err, tc.msg)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if tc.name == "exit status" && (stdout.String() != "out\n" || stderr.String() != "err\n") {
				t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

// TestRunCountsOnFailure: a failed command's calls are still counted, for
// the report to show.
func TestRunCountsOnFailure(t *testing.T) {
	t.Parallel()
	needClient(t)
	res, err := runner.Run(context.Background(), runner.Job{
		Name: "fails", Cassette: cassette(t), Timeout: time.Minute,
		Argv: []string{client, "/repos/o/r/pulls/1", "/repos/o/r", "exit:3"},
	}, runner.Options{Environ: baseEnv()})
	var ce *runner.CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 3 {
		t.Fatalf("Run = %v, want exit status 3", err)
	}
	if res.Counts.Total != 2 || res.URL == "" {
		t.Errorf("Result %+v, want the 2 calls made", res)
	}
}

// TestRunTimeoutKillsGroup runs a command that never ends and leaves a
// grandchild behind: at the timeout the whole process group goes, even
// when it ignores SIGTERM.
func TestRunTimeoutKillsGroup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, shell string }{
		{"sigterm", `sleep 1000 & echo $! >"$PIDFILE"; sleep 1000`},
		{"sigterm ignored", `trap '' TERM; sleep 1000 & echo $! >"$PIDFILE"; sleep 1000`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pidfile := filepath.Join(t.TempDir(), "pid")
			var out buffer
			res, err := runner.Run(context.Background(), runner.Job{
				Name: "hangs", Cassette: cassette(t), Shell: tc.shell,
				Timeout:  500 * time.Millisecond,
				ExtraEnv: map[string]string{"PIDFILE": pidfile},
			}, runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv(), KillGrace: 200 * time.Millisecond})
			var ce *runner.CommandError
			if !errors.As(err, &ce) || !ce.TimedOut || ce.Timeout != 500*time.Millisecond {
				t.Fatalf("Run = %v (%+v), want a timeout", err, ce)
			}
			if want := "scenario hangs: timed out after 500ms (process group killed)"; err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false")
			}
			if res.URL == "" || res.Elapsed < 500*time.Millisecond {
				t.Errorf("Result %+v", res)
			}
			assertGone(t, pidfile)
		})
	}
}

// TestRunKillsLeftovers: a command that succeeds but leaves a background
// job holding its output open neither hangs Run nor outlives it.
func TestRunKillsLeftovers(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	var out buffer
	_, err := runner.Run(context.Background(), runner.Job{
		Name: "leaves", Cassette: cassette(t), Timeout: time.Minute,
		Shell:    `sleep 1000 & echo $! >"$PIDFILE"; echo done`,
		ExtraEnv: map[string]string{"PIDFILE": pidfile},
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv()})
	if err != nil || out.String() != "done\n" {
		t.Fatalf("Run = %v, output %q", err, out.String())
	}
	assertGone(t, pidfile)
}

// assertGone waits for the process whose ID is in pidfile to be gone (or a
// zombie for init to reap).
func assertGone(t *testing.T, pidfile string) {
	t.Helper()
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the command did not record its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		t.Fatalf("pid file %q", data)
	}
	for range 100 {
		if gone(pid) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("process %d outlived the run", pid)
}

func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the command is running, as Ctrl-C would.
	started := make(chan struct{})
	var once sync.Once
	out := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("started")) {
			once.Do(func() { close(started) })
		}
		return len(p), nil
	})
	go func() {
		<-started
		cancel()
	}()
	_, err := runner.Run(ctx, runner.Job{
		Name: "canceled", Cassette: cassette(t), Timeout: time.Minute,
		Shell:    `sleep 1000 & echo $! >"$PIDFILE"; echo started; wait`,
		ExtraEnv: map[string]string{"PIDFILE": pidfile},
	}, runner.Options{Stdout: out, Environ: baseEnv(), KillGrace: time.Second})
	var ce *runner.CommandError
	if !errors.As(err, &ce) || ce.TimedOut || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want canceled", err)
	}
	if want := "scenario canceled: canceled (process group killed)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	assertGone(t, pidfile)
}

func TestRunCanceledBeforeStart(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "ran")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := runner.Run(ctx, runner.Job{Name: "x", Cassette: cassette(t), Shell: "touch " + marker},
		runner.Options{Environ: baseEnv()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRunBadCassette(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(notYAML, []byte("version: 2\ninteractions: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		is         error
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), fs.ErrNotExist},
		{"not YAML", notYAML, replay.ErrSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			marker := filepath.Join(t.TempDir(), "ran")
			res, err := runner.Run(context.Background(), runner.Job{Name: "pr-opened", Cassette: tc.path, Shell: "touch " + marker},
				runner.Options{Environ: baseEnv()})
			var le *replay.LoadError
			if !errors.As(err, &le) || !errors.Is(err, tc.is) {
				t.Fatalf("Run = %v (%T), want a *replay.LoadError wrapping %v", err, err, tc.is)
			}
			if !strings.HasPrefix(err.Error(), "scenario pr-opened: "+tc.path) {
				t.Errorf("message %q does not name the scenario and the cassette", err)
			}
			if res.URL != "" {
				t.Errorf("a server was started: %+v", res)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Error("the command ran")
			}
		})
	}
}

func TestRunJobErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		job  runner.Job
		msg  string
	}{
		{"both", runner.Job{Name: "a", Cassette: "c.yaml", Shell: "true", Argv: []string{"true"}}, "scenario a: both a shell command line and an argv given; give one"},
		{"neither", runner.Job{Cassette: "c.yaml"}, "command: no command to run"},
		{"no cassette", runner.Job{Name: "a", Shell: "true"}, "scenario a: no cassette to replay"},
		{"negative timeout", runner.Job{Name: "a", Cassette: "c.yaml", Shell: "true", Timeout: -time.Second}, "scenario a: negative timeout -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := runner.Run(context.Background(), tc.job, runner.Options{})
			if err == nil || err.Error() != tc.msg {
				t.Errorf("Run = %v, want %q", err, tc.msg)
			}
		})
	}
}

var fenceRE = regexp.MustCompile(`^::stop-commands::([A-Z2-7]{26})\n([\s\S]*)::([A-Z2-7]{26})::\n$`)

// TestRunFence: inside GitHub Actions the command's output is fenced, so a
// pull request cannot issue workflow commands (::add-mask::, ::error::,
// ::stop-commands:: of its own …) through it.
func TestRunFence(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, shell string, stdout, stderr *buffer) {
		t.Helper()
		o := runner.Options{Fence: true, Environ: baseEnv()}
		if stdout != nil {
			o.Stdout = stdout
		}
		if stderr != nil {
			o.Stderr = stderr
		}
		if _, err := runner.Run(context.Background(), runner.Job{Name: "fenced", Cassette: cassette(t), Shell: shell}, o); err != nil {
			t.Fatal(err)
		}
	}
	fenced := func(t *testing.T, out string) (token, inside string) {
		t.Helper()
		m := fenceRE.FindStringSubmatch(out)
		if m == nil || m[1] != m[3] {
			t.Fatalf("output is not fenced by one token:\n%s", out)
		}
		return m[1], m[2]
	}

	t.Run("one writer", func(t *testing.T) {
		t.Parallel()
		// Stdout and Stderr are the same writer: fenced once.
		var both buffer
		run(t, `echo '::error::from the PR'; echo to-stderr >&2; printf 'no newline'`, &both, &both)
		tok, inside := fenced(t, both.String())
		if inside != "::error::from the PR\nto-stderr\nno newline\n" {
			t.Errorf("inside the fence: %q", inside)
		}
		var again buffer
		run(t, `echo '::error::from the PR'`, &again, nil)
		if tok2, _ := fenced(t, again.String()); tok == tok2 {
			t.Errorf("two runs used the same token %s", tok)
		}
	})
	t.Run("two writers", func(t *testing.T) {
		t.Parallel()
		var stdout, stderr buffer
		run(t, `echo out; echo err >&2`, &stdout, &stderr)
		tok1, in1 := fenced(t, stdout.String())
		tok2, in2 := fenced(t, stderr.String())
		if tok1 != tok2 || in1 != "out\n" || in2 != "err\n" {
			t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
		}
	})
	t.Run("the command cannot end it", func(t *testing.T) {
		t.Parallel()
		var out buffer
		run(t, `echo '::stop-commands::mine'; echo '::mine::'; echo '::set-output name=x::y'`, &out, &out)
		_, inside := fenced(t, out.String())
		if !strings.HasSuffix(inside, "::set-output name=x::y\n") {
			t.Errorf("inside the fence: %q", inside)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		var out buffer
		if _, err := runner.Run(context.Background(), runner.Job{Name: "plain", Cassette: cassette(t), Shell: "echo hi"},
			runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv()}); err != nil {
			t.Fatal(err)
		}
		if out.String() != "hi\n" {
			t.Errorf("output %q", out.String())
		}
	})
}

// TestRunOutputHeldOutsideTheGroup: a process that left the group (setsid)
// cannot be killed with it; if it holds the output open, Run still returns
// (after a bounded wait) and the run counts.
func TestRunOutputHeldOutsideTheGroup(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not installed")
	}
	pidfile := filepath.Join(t.TempDir(), "pid")
	t.Cleanup(func() {
		if data, err := os.ReadFile(pidfile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	var out buffer
	_, err := runner.Run(context.Background(), runner.Job{
		Name: "escapes", Cassette: cassette(t), Timeout: time.Minute,
		Shell:    `setsid sh -c 'echo $$ >"$PIDFILE"; exec sleep 1000' & while [ ! -s "$PIDFILE" ]; do sleep 0.01; done; echo done`,
		ExtraEnv: map[string]string{"PIDFILE": pidfile},
	}, runner.Options{Stdout: &out, Stderr: &out, Environ: baseEnv()})
	if err != nil || out.String() != "done\n" {
		t.Fatalf("Run = %v, output %q", err, out.String())
	}
}

// TestRunLoader: a Loader set in the options loads the cassette instead
// of replay.Load, and its error stops the run before the command starts.
func TestRunLoader(t *testing.T) {
	t.Parallel()
	needClient(t)
	var asked []string
	loader := func(path string) (*replay.Cassette, error) {
		asked = append(asked, path)
		if path == "fail" {
			return nil, errors.New("no such format")
		}
		return replay.Load(cassette(t), replay.LoadOptions{})
	}
	res, err := runner.Run(context.Background(), runner.Job{Name: "a", Cassette: "not-a-file.har", Argv: []string{client, "/repos/o/r"}, Timeout: time.Minute},
		runner.Options{Environ: baseEnv(), Loader: loader})
	if err != nil || res.Counts.Total != 1 || len(res.Counts.Unmatched) != 0 {
		t.Fatalf("Run = %+v, %v; want one matched call", res.Counts, err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	_, err = runner.Run(context.Background(), runner.Job{Name: "b", Cassette: "fail", Shell: "touch " + marker},
		runner.Options{Environ: baseEnv(), Loader: loader})
	if err == nil || !strings.Contains(err.Error(), "scenario b: no such format") {
		t.Errorf("Run with a failing loader = %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
	if want := []string{"not-a-file.har", "fail"}; !slices.Equal(asked, want) {
		t.Errorf("loader asked for %q, want %q", asked, want)
	}
}
