//go:build unix

package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"syscall"
	"time"
)

// execute runs cmd in its own process group until it exits, times out
// (j.Timeout) or ctx ends, and returns its run time and a *CommandError
// unless it succeeded.
//
// The group is what gets killed, never just the process: `sh -c` and
// `go run` start children, and a pipeline may start its own. Killing it
// while the command's process is an unreaped zombie (see exitWatch) means
// its ID cannot have been reused, so the signal cannot hit anything else.
func execute(ctx context.Context, cmd *exec.Cmd, j Job, grace time.Duration, tag string) (time.Duration, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = pipeGrace
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, &CommandError{Name: j.Name, ExitCode: -1, NotFound: notFound(err), Err: err}
	}
	pgid := cmd.Process.Pid
	w := watchExit(cmd)

	var deadline <-chan time.Time
	if j.Timeout > 0 {
		t := time.NewTimer(j.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	var stop error // why Run ended the command, if it did
	timedOut := false
	select {
	case <-w.exited:
	case <-deadline:
		stop, timedOut = context.DeadlineExceeded, true
	case <-ctx.Done():
		stop = ctx.Err()
		if cause := context.Cause(ctx); cause != nil && cause != stop {
			stop = fmt.Errorf("%w: %w", stop, cause)
		}
	}
	if stop != nil {
		select {
		case <-w.exited:
			stop, timedOut = nil, false // it exited by itself as the timer fired
		default:
			signalGroup(pgid, syscall.SIGTERM)
			t := time.NewTimer(grace)
			select {
			case <-w.exited:
			case <-t.C:
			}
			t.Stop()
		}
	}
	// Whatever is left in the group (a background job, a child that
	// ignored SIGTERM) goes now: nothing may outlive the replay server it
	// was pointed at, or keep the output pipes open.
	signalGroup(pgid, syscall.SIGKILL)
	<-w.exited
	// And whatever left the group but still carries the run's tag (a
	// setsid'd daemon, a double fork), with what it started: it would
	// keep the output pipes, the caller's among them, open.
	killTagged(tag, pgid)
	elapsed := time.Since(start)
	err := w.wait()

	ce := &CommandError{Name: j.Name, ExitCode: -1}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		ce.Signal = signalName(ws.Signal())
	}
	switch {
	case timedOut:
		ce.TimedOut, ce.Timeout, ce.Err = true, j.Timeout, stop
	case stop != nil:
		ce.Err = stop
	case cmd.ProcessState.Success():
		// exec.ErrWaitDelay: it succeeded, but something outside its
		// group held the output open; the output was cut, the run
		// counts.
		return elapsed, nil
	case ce.Signal != "":
		ce.Err = err
	default:
		ce.ExitCode = cmd.ProcessState.ExitCode()
		ce.NotFound = j.Shell != "" && ce.ExitCode == shellNotFound
		ce.Err = err
	}
	if ce.Err == nil { // an exit status with no error: cannot happen, but never report success
		ce.Err = errors.New(cmd.ProcessState.String())
	}
	return elapsed, ce
}

// notFound reports whether a start error means the program does not
// exist (and not, say, that the working directory does not).
func notFound(err error) bool {
	if errors.Is(err, exec.ErrNotFound) {
		return true
	}
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "fork/exec" && errors.Is(pe.Err, fs.ErrNotExist)
}

// signalGroup sends sig to every process in the group; a group already
// gone is not an error.
func signalGroup(pgid int, sig syscall.Signal) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, sig)
	}
}

// exitWatch tells when the command's process has exited.
type exitWatch struct {
	exited chan struct{}
	reaped bool  // the fallback reaped the process: wait returns err
	err    error // from cmd.Wait, when reaped
	cmd    *exec.Cmd
}

// watchExit starts watching cmd's process. Where the system lets it
// (waitForExit, on Linux), the process is left unreaped, a zombie holding
// its process ID, until wait; elsewhere cmd.Wait reaps it at once.
func watchExit(cmd *exec.Cmd) *exitWatch {
	w := &exitWatch{exited: make(chan struct{}), cmd: cmd}
	go func() {
		defer close(w.exited)
		if waitForExit(cmd.Process.Pid) != nil {
			w.reaped = true
			w.err = cmd.Wait()
		}
	}()
	return w
}

// wait reaps the process and waits (at most pipeGrace) for its output.
func (w *exitWatch) wait() error {
	<-w.exited
	if w.reaped {
		return w.err
	}
	return w.cmd.Wait()
}

// signalName is the conventional name of a signal ("SIGKILL"), which
// syscall.Signal's String ("killed") is not.
func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGABRT: "SIGABRT", syscall.SIGALRM: "SIGALRM", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGHUP: "SIGHUP", syscall.SIGILL: "SIGILL",
		syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL", syscall.SIGPIPE: "SIGPIPE",
		syscall.SIGQUIT: "SIGQUIT", syscall.SIGSEGV: "SIGSEGV", syscall.SIGSYS: "SIGSYS",
		syscall.SIGTERM: "SIGTERM", syscall.SIGTRAP: "SIGTRAP", syscall.SIGUSR1: "SIGUSR1",
		syscall.SIGUSR2: "SIGUSR2", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
