package testdeps

import (
	"fmt"
	"os"
	"testing"
)

// CoverDirEnv is the variable a binary built with coverage (go test
// -cover, go build -cover) writes its coverage data to when it exits.
const CoverDirEnv = "GOCOVERDIR"

// ChildCoverDir is for a TestMain whose test binary starts itself again
// (a scenario's client, a helper command, a measuring child). Such a child
// is built with coverage under go test -cover, but is not run by go test:
// it has no -test.gocoverdir, and on exit it writes to stderr "warning:
// GOCOVERDIR not set, no coverage data emitted", which ends up in the
// output tests compare. When the test binary has coverage and GOCOVERDIR
// is not set, ChildCoverDir sets it, for the children, to a new temporary
// folder; the returned func removes it (call it after m.Run). Otherwise it
// changes nothing. Tests that build a child's environment from scratch add
// [ChildEnv].
func ChildCoverDir() (cleanup func(), err error) {
	if testing.CoverMode() == "" || os.Getenv(CoverDirEnv) != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "callbudget-test-cover-")
	if err != nil {
		return nil, fmt.Errorf("a %s for the test binary's children: %w", CoverDirEnv, err)
	}
	if err := os.Setenv(CoverDirEnv, dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return func() {
		os.Unsetenv(CoverDirEnv)
		os.RemoveAll(dir)
	}, nil
}

// ChildEnv is what an environment built from scratch for a child of the
// test binary carries over from the test's own: GOCOVERDIR when it is set
// (see [ChildCoverDir]), nothing otherwise.
func ChildEnv() []string {
	if d := os.Getenv(CoverDirEnv); d != "" {
		return []string{CoverDirEnv + "=" + d}
	}
	return nil
}
