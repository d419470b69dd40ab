// Command callbudget makes the number of GitHub API calls a pipeline makes a
// reviewed, enforced number: it replays recorded cassettes against the
// pipeline's code, counts every call by GitHub endpoint and compares the
// totals with a committed budget. Run `callbudget --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Set by the linker (-X main.version=…, -X main.commit=…).
var (
	version = "dev"
	commit  = ""
)

func main() {
	environ := os.Environ()
	hardenProcess(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, environ)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
