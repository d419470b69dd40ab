package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/callbudget/callbudget/internal/harden"
	"github.com/callbudget/callbudget/internal/runner"
)

// hardenProcess keeps the process's credentials from the scenario
// commands it will run, which are a pull request's code running as the
// same user (docs/SECURITY.md): the tokens leave its environment, the one
// the kernel shows in /proc/<pid>/environ included (the command keeps its
// own copy, environ, for the comment it posts after the scenarios), it
// becomes non-dumpable, so that same-user processes cannot read its /proc
// files or memory, and it becomes the subreaper of what its scenarios
// leave behind, which it kills. A failure is said, not fatal.
func hardenProcess(stderr io.Writer) {
	if names, err := harden.ScrubEnviron(runner.IsCredential); err != nil {
		fmt.Fprintf(stderr, "callbudget: warning: %s may still be readable by scenario commands: %v\n", strings.Join(names, ", "), err)
	}
	if err := harden.Process(); err != nil {
		fmt.Fprintf(stderr, "callbudget: warning: cannot make the process non-dumpable: %v\n", err)
	}
	if err := runner.BecomeSubreaper(); err != nil {
		fmt.Fprintf(stderr, "callbudget: warning: cannot become the subreaper of scenario commands: %v\n", err)
	}
}
