// Package harden keeps callbudget's own secrets out of reach of the code it
// runs. A scenario command is a pull request's code; it runs as the same
// user as callbudget, so without this it could read the token callbudget
// was started with from /proc/<callbudget>/environ (which shows the
// environment a process was started with, whatever it unset since), or
// attach to it and read its memory.
//
// [Process] makes the process non-dumpable (Linux: prctl PR_SET_DUMPABLE
// 0), so that processes of the same user cannot read its /proc files or
// ptrace it (root still can: see docs/SECURITY.md), and [ScrubEnviron]
// removes credentials from the environment: from the Go runtime's copy
// (os.Unsetenv) and from the block the kernel shows as
// /proc/<pid>/environ, overwritten in place. Elsewhere both do what the
// system allows: ScrubEnviron unsets, Process does nothing.
package harden
