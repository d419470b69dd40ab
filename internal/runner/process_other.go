//go:build !unix

package runner

import (
	"context"
	"errors"
	"os/exec"
	"time"
)

// execute needs process groups, which only Unix systems have: callbudget
// runs scenarios on Linux (GitHub Actions, Docker) and macOS.
func execute(ctx context.Context, cmd *exec.Cmd, j Job, grace time.Duration, _ string) (time.Duration, error) {
	return 0, &CommandError{Name: j.Name, ExitCode: -1, Err: errors.New("running scenario commands needs a Unix system (process groups)")}
}
