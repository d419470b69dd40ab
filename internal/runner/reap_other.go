//go:build !linux

package runner

// BecomeSubreaper does nothing outside Linux, which alone has
// PR_SET_CHILD_SUBREAPER: there, processes that left the scenario's
// process group are not found.
func BecomeSubreaper() error { return nil }

// killTagged does nothing outside Linux, where processes cannot be listed
// with their environment without cgo; the process group is still killed.
func killTagged(tag string, skip int) {}

// KillDescendants does nothing outside Linux.
func KillDescendants() {}
