package runner

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/callbudget/callbudget/replay"
)

// DefaultKillGrace is how long a timed-out or canceled command's process
// group has between SIGTERM and SIGKILL.
const DefaultKillGrace = 5 * time.Second

// pipeGrace bounds the wait for the command's output after its process
// group is gone: a process that left the group (setsid) may still hold the
// pipes open, and Run must not hang on it.
const pipeGrace = 2 * time.Second

// Options configures Run. The zero value runs with an empty environment
// (plus the contract's variables), discards the output and uses the
// defaults.
type Options struct {
	// Stdout and Stderr receive the command's stdout and stderr (the tool
	// sends both to its own stderr). Nil discards. When both are the same
	// writer, Write is never called concurrently.
	Stdout, Stderr io.Writer
	// Environ is the base environment, as os.Environ returns it (the
	// command passes os.Environ(); tests pass their own). Run overrides
	// and drops variables in it (see the package doc); PATH in it is
	// where Job.Argv[0] is looked up.
	Environ []string
	// Fence brackets the command's output with
	// "::stop-commands::<token>" and "::<token>::", on each distinct
	// writer, with a random token per run: inside GitHub Actions the
	// code under test then cannot issue workflow commands. Commands run
	// at once whose output goes to one stream need one fence around all
	// of them (OpenFence) instead.
	Fence bool
	// Load configures loading the cassette.
	Load replay.LoadOptions
	// Loader, when set, loads the cassette instead of replay.Load (and
	// Load is not used): callbudget reads other recording formats through
	// it. Its errors are returned wrapped with the job's name.
	Loader func(path string) (*replay.Cassette, error)
	// Replay configures the replay server; the zero value is right for
	// scenarios (a free port on 127.0.0.1, the interception face on).
	// Replay.NoIntercept turns the face off for the command: then it gets
	// no HTTPS_PROXY and no CA variables from Run.
	Replay replay.Options
	// Scan, when set, checks the loaded cassette before anything runs
	// (callbudget's secret scan); its error is returned, wrapped with the
	// job's name, and the command is not run.
	Scan func(*replay.Cassette) error
	// Intercept, when set, points the command's HTTPS_PROXY at an
	// interception face and its CA variables at the face's bundle. Exec
	// uses it as given; Run sets it to its replay server's own face
	// (unless Replay.NoIntercept). NO_PROXY always gets the loopback
	// names.
	Intercept *Interception
	// KillGrace is the time between SIGTERM and SIGKILL to the process
	// group on timeout or cancellation; DefaultKillGrace when zero.
	KillGrace time.Duration
}

// Job is one command to run against one cassette.
type Job struct {
	// Name names the job in errors ("scenario pr-opened: …").
	Name string
	// Cassette is the go-vcr cassette to replay, as a path Load opens
	// (relative paths are relative to the tool's working directory, not
	// Dir).
	Cassette string
	// Dir is the working directory; "" is the tool's.
	Dir string
	// Exactly one of Shell and Argv says what to run: Shell is a command
	// line run by /bin/sh -c (a config's run:), Argv a program and its
	// arguments run directly (callbudget run -- CMD ARGS…).
	Shell string
	Argv  []string
	// Timeout bounds the command; zero means only ctx does.
	Timeout time.Duration
	// ExtraEnv is set on top of Options.Environ, except for the variables
	// Run sets itself (EnvAPIURL and the others), which always win.
	ExtraEnv map[string]string
}

// Result is what a run counted.
type Result struct {
	// Counts is every request the command made to the replay server, up
	// to the moment it ended, whether it succeeded or not.
	Counts replay.Counts
	// URL is the replay server's base URL the command was given.
	URL string
	// Elapsed is the command's run time, from start to exit.
	Elapsed time.Duration
}

// Run loads j's cassette, starts a replay server for it, runs j's command
// against it and returns what the server counted. The command reaches the
// server by its base URL (GITHUB_API_URL) and, unless o.Replay.NoIntercept,
// as its HTTPS proxy for https://api.github.com: a bundle of the system
// roots and the server's CA is written to a temporary file for the
// command's CA variables, and removed when Run returns, whatever happened.
//
// Errors: a cassette that cannot be loaded is a *replay.LoadError (wrapped
// with the job's name; test with errors.As), and the command is not run. A
// command that fails, times out, is canceled or cannot start is a
// *CommandError, returned with the Result counted so far, which the caller
// may still report.
func Run(ctx context.Context, j Job, o Options) (Result, error) {
	if err := j.check(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", j.who(), err)
	}
	load := o.Loader
	if load == nil {
		load = func(path string) (*replay.Cassette, error) { return replay.Load(path, o.Load) }
	}
	c, err := load(j.Cassette)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", j.who(), err)
	}
	if o.Scan != nil {
		if err := o.Scan(c); err != nil {
			return Result{}, fmt.Errorf("%s: %w", j.who(), err)
		}
	}
	srv, err := replay.NewServer(c, o.Replay)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", j.who(), err)
	}
	defer srv.Close()
	res := Result{URL: srv.URL()}
	if ca := srv.CA(); ca != nil {
		// Only the CA's certificate is written, next to the system's
		// roots; its key stays in this process.
		bundle, err := ca.WriteBundle("")
		if err != nil {
			return Result{}, fmt.Errorf("%s: write the interception CA bundle: %w", j.who(), err)
		}
		defer os.Remove(bundle)
		o.Intercept = &Interception{ProxyURL: srv.URL(), CABundle: bundle}
	}
	res.Elapsed, err = execJob(ctx, j, res.URL, o)
	// Closing first makes the counts final: nothing the command left
	// behind can add to them after they are read.
	srv.Close()
	res.Counts = srv.Counts()
	return res, err
}

// Exec runs j's command against the GitHub API at url instead of a replay
// server: the same environment contract (url as GITHUB_API_URL and
// CALLBUDGET_REPLAY_URL, url+"/graphql" as GITHUB_GRAPHQL_URL, the dummy
// token), process group, timeout, cancellation and fence as Run. j.Cassette
// and o.Load and o.Replay are not used. It returns the command's run time
// and, unless it succeeded, a *CommandError. callbudget record runs the
// command against its recording proxy with it.
func Exec(ctx context.Context, j Job, url string, o Options) (time.Duration, error) {
	if err := j.checkCommand(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", j.who(), err)
	}
	return execJob(ctx, j, url, o)
}

// execJob runs j's command with the environment contract for url.
func execJob(ctx context.Context, j Job, url string, o Options) (time.Duration, error) {
	if j.Dir != "" {
		// The system would report a missing directory as a missing
		// program ("fork/exec /bin/sh: no such file or directory").
		if st, err := os.Stat(j.Dir); err != nil || !st.IsDir() {
			if err == nil {
				err = syscall.ENOTDIR
			} else {
				err = errors.Unwrap(err)
			}
			return 0, &CommandError{Name: j.Name, ExitCode: -1, Err: &fs.PathError{Op: "chdir", Path: j.Dir, Err: err}}
		}
	}
	tag := rand.Text()
	env := environ(o.Environ, url, j.ExtraEnv, tag, o.Intercept)
	cmd, err := j.command(env)
	if err != nil {
		return 0, &CommandError{Name: j.Name, ExitCode: -1, NotFound: errors.Is(err, exec.ErrNotFound), Err: err}
	}
	cmd.Dir = j.Dir
	cmd.Env = env
	var fc *fence
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	if o.Fence {
		fc = newFence(o.Stdout, o.Stderr)
		cmd.Stdout, cmd.Stderr = fc.stdout, fc.stderr
		fc.open()
	}
	grace := o.KillGrace
	if grace <= 0 {
		grace = DefaultKillGrace
	}
	elapsed, err := execute(ctx, cmd, j, grace, EnvRunTag+"="+tag)
	if fc != nil {
		fc.close()
	}
	return elapsed, err
}

func (j *Job) who() string {
	if j.Name == "" {
		return "command"
	}
	return "scenario " + j.Name
}

func (j *Job) check() error {
	if err := j.checkCommand(); err != nil {
		return err
	}
	if j.Cassette == "" {
		return fmt.Errorf("%s: no cassette to replay", j.who())
	}
	return nil
}

// checkCommand checks what Exec needs: one command and a sane timeout.
func (j *Job) checkCommand() error {
	switch {
	case j.Shell != "" && len(j.Argv) > 0:
		return fmt.Errorf("%s: both a shell command line and an argv given; give one", j.who())
	case j.Shell == "" && len(j.Argv) == 0:
		return fmt.Errorf("%s: no command to run", j.who())
	case j.Timeout < 0:
		return fmt.Errorf("%s: negative timeout %s", j.who(), j.Timeout)
	}
	return nil
}

// command builds the exec.Cmd, looking Argv[0] up in env's PATH (the
// environment the command gets, not the tool's).
func (j *Job) command(env []string) (*exec.Cmd, error) {
	if j.Shell != "" {
		return &exec.Cmd{Path: "/bin/sh", Args: []string{"sh", "-c", j.Shell}}, nil
	}
	path, err := lookPath(j.Argv[0], getenv(env, "PATH"))
	if err != nil {
		return nil, err
	}
	return &exec.Cmd{Path: path, Args: j.Argv}, nil
}
