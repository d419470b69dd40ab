//go:build unix && !linux

package runner

import "errors"

// waitForExit is not implemented here: the caller falls back to reaping
// with cmd.Wait, then signals the group by an ID that, once no member is
// left, the system may in principle have reused.
func waitForExit(pid int) error {
	return errors.ErrUnsupported
}
