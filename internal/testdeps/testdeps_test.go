package testdeps

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"
)

// recorder is a testing.TB that keeps a skip or a failure instead of
// ending the test that runs it. Like testing.T's, its Skip and Fatal end
// the goroutine: record runs f on one of its own.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

// record runs f with a recorder and returns what it kept.
func record(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestMissing(t *testing.T) {
	t.Setenv("CI", "")
	r := record(t, func(tb testing.TB) { missing(tb, "the Python module vcr", "apt-get install python3-vcr") })
	want := "the Python module vcr is not installed: run make test-deps (or bash .ci/test-deps); by hand: apt-get install python3-vcr"
	if r.skipped != want || r.failed != "" {
		t.Errorf("without CI: skipped %q, failed %q; want a skip %q", r.skipped, r.failed, want)
	}
	t.Setenv("CI", "true")
	r = record(t, func(tb testing.TB) { missing(tb, "the Python module vcr", "apt-get install python3-vcr") })
	if r.skipped != "" || !strings.HasPrefix(r.failed, want) || !strings.Contains(r.failed, "CI=true") {
		t.Errorf("with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
}

func TestMissingPythonModule(t *testing.T) {
	t.Setenv("CI", "")
	if _, err := os.Stat(Python); err != nil {
		t.Fatalf("%s: %v (make test-deps installs Debian's python3)", Python, err)
	}
	r := record(t, func(tb testing.TB) { PythonModules(tb, "callbudget_no_such_module") })
	if !strings.Contains(r.skipped, "the Python module callbudget_no_such_module") || !strings.Contains(r.skipped, "ModuleNotFoundError") {
		t.Errorf("a missing module: skipped %q", r.skipped)
	}
}

// TestClients finds every client the tests drive: make test-deps
// installs them, and CI=true fails here when one is missing.
func TestClients(t *testing.T) {
	if got := PythonModules(t, "github", "vcr", "requests"); got != Python {
		t.Errorf("PythonModules = %q, want %q", got, Python)
	}
	node, modules := Node(t, "nock", "@octokit/rest")
	if !filepath.IsAbs(node) || !hasAll(modules, []string{"nock", "@octokit/rest"}) {
		t.Errorf("Node = %q, %q", node, modules)
	}
	if gh := Gh(t); !filepath.IsAbs(gh) {
		t.Errorf("Gh = %q", gh)
	}
}

func TestNodeMissingPackage(t *testing.T) {
	t.Setenv("CI", "")
	r := record(t, func(tb testing.TB) { Node(tb, "callbudget-no-such-package") })
	if !strings.Contains(r.skipped, "the npm packages callbudget-no-such-package") || !strings.Contains(r.skipped, "npm ci --prefix "+CacheDir()) {
		t.Errorf("a missing package: skipped %q", r.skipped)
	}
}

func TestNodeModulesDirs(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testdeps", "testdeps.go")); err != nil {
		t.Fatalf("Root = %s, not the repository: %v", root, err)
	}
	t.Setenv("CALLBUDGET_TEST_NODE_MODULES", "/somewhere/node_modules")
	t.Setenv("XDG_CACHE_HOME", "/cache")
	want := []string{"/somewhere/node_modules", filepath.Join(root, "testdata", "node", "node_modules"), "/cache/callbudget-test-node/node_modules"}
	if got := NodeModulesDirs(); !slices.Equal(got, want) {
		t.Errorf("NodeModulesDirs = %q, want %q", got, want)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if got := CacheDir(); got != "/home/someone/.cache/callbudget-test-node" {
		t.Errorf("CacheDir without XDG_CACHE_HOME = %q", got)
	}
}

func TestChildCoverDir(t *testing.T) {
	t.Setenv(CoverDirEnv, "")
	os.Unsetenv(CoverDirEnv)
	if env := ChildEnv(); env != nil {
		t.Errorf("ChildEnv without %s = %q", CoverDirEnv, env)
	}
	cleanup, err := ChildCoverDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv(CoverDirEnv)
	if testing.CoverMode() == "" {
		if dir != "" {
			t.Errorf("without -cover, ChildCoverDir set %s=%s", CoverDirEnv, dir)
		}
	} else {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("under -cover, %s=%q: %v", CoverDirEnv, dir, err)
		}
		if env := ChildEnv(); !slices.Equal(env, []string{CoverDirEnv + "=" + dir}) {
			t.Errorf("ChildEnv = %q", env)
		}
	}
	cleanup()
	if os.Getenv(CoverDirEnv) != "" {
		t.Errorf("cleanup left %s set", CoverDirEnv)
	}
	if dir != "" {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("cleanup left %s: %v", dir, err)
		}
	}

	t.Setenv(CoverDirEnv, "/set/by/go")
	cleanup, err = ChildCoverDir()
	if err != nil || os.Getenv(CoverDirEnv) != "/set/by/go" {
		t.Errorf("with %s set: %v, now %q", CoverDirEnv, err, os.Getenv(CoverDirEnv))
	}
	cleanup()
	if got := ChildEnv(); !slices.Equal(got, []string{CoverDirEnv + "=/set/by/go"}) {
		t.Errorf("ChildEnv = %q", got)
	}
}
