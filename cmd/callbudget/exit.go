package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes, the contract of ../shared/DESIGN.md: a regression is never
// reported as an error, nor an error as a pass.
const (
	exitOK    = 0 // within budget
	exitOver  = 1 // over budget: a regression
	exitError = 2 // the tool could not do its job
)

// errOverBudget is returned (wrapped) when the report has been printed and
// at least one scenario is over budget or new.
var errOverBudget = errors.New("over budget")

// usageError marks bad flags or arguments; the message is followed by a
// hint to run --help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitCode maps what run returned to the process exit code, in this one
// place, and says why on stderr.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errOverBudget) {
		fmt.Fprintf(stderr, "callbudget: %v\n", err)
		return exitOver
	}
	fmt.Fprintf(stderr, "callbudget: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'callbudget --help' for usage.")
	}
	return exitError
}
