package runner

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CommandError says why a scenario's command did not succeed: it exited
// non-zero, was killed by a signal, timed out, was canceled, or could not
// start. Run returns it (test with errors.As) together with the counts
// made so far. It unwraps to the cause: an *exec.ExitError,
// context.DeadlineExceeded for a timeout, the context's error (wrapping its
// cause, if it has another) for a cancellation, or the start error (errors.Is(err, exec.ErrNotFound) for a
// program not in PATH).
type CommandError struct {
	Name string // the job's name; "" for an unnamed command
	// ExitCode is the command's exit status when it exited by itself,
	// -1 when it did not (killed, timed out, never started).
	ExitCode int
	// Signal names the signal that ended the command ("SIGKILL"), when
	// one did.
	Signal string
	// TimedOut is set when the command ran past Timeout and its process
	// group was killed.
	TimedOut bool
	Timeout  time.Duration
	// NotFound is set when the program does not exist: it could not be
	// started, or the shell running it exited 127 (command not found).
	NotFound bool
	Err      error
}

func (e *CommandError) Error() string {
	who := "command"
	if e.Name != "" {
		who = "scenario " + e.Name
	}
	switch {
	case e.TimedOut:
		return fmt.Sprintf("%s: timed out after %s (process group killed)", who, e.Timeout)
	case e.Err == context.Canceled:
		return who + ": canceled (process group killed)"
	case isCtxErr(e.Err):
		return fmt.Sprintf("%s: stopped: %v (process group killed)", who, e.Err)
	case e.Signal != "":
		return fmt.Sprintf("%s: killed by signal %s", who, e.Signal)
	case e.ExitCode == shellNotFound && e.NotFound:
		return fmt.Sprintf("%s: command not found (sh exited with status %d; its message is in the output above)", who, shellNotFound)
	case e.ExitCode > 0:
		return fmt.Sprintf("%s: command exited with status %d", who, e.ExitCode)
	}
	return fmt.Sprintf("%s: cannot start: %v", who, e.Err)
}

func (e *CommandError) Unwrap() error { return e.Err }

func isCtxErr(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// shellNotFound is the status POSIX shells exit with when a command is
// not found.
const shellNotFound = 127
