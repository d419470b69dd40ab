// Package testdeps finds the outside clients callbudget's tests drive
// (PyGithub, vcrpy, requests, node with nock and @octokit/rest, gh), and
// skips a test that needs a missing one with the command that installs it.
// `make test-deps` (.ci/test-deps) installs all of them; CI runs it first.
//
// With CI=true a missing client fails the test instead of skipping it, so
// that CI never passes by skipping.
package testdeps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Python is the interpreter Debian's python3-github, python3-vcr and
// python3-requests install their modules for.
const Python = "/usr/bin/python3"

// install is what to run for a missing client.
const install = "make test-deps (or bash .ci/test-deps)"

// missing skips t, or fails it under CI=true, saying what is missing and
// how to install it.
func missing(t testing.TB, what, how string) {
	t.Helper()
	msg := what + " is not installed: run " + install + "; by hand: " + how
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a missing client fails the test)")
	}
	t.Skip(msg)
}

// PythonModules returns [Python] once each of the modules imports there:
// "github" (PyGithub), "vcr", "requests".
func PythonModules(t testing.TB, modules ...string) string {
	t.Helper()
	for _, m := range modules {
		if out, err := exec.Command(Python, "-c", "import "+m).CombinedOutput(); err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			missing(t, "the Python module "+m+" ("+Python+": "+lines[len(lines)-1]+")", "apt-get install "+debianPython[m])
		}
	}
	return Python
}

var debianPython = map[string]string{
	"github":   "python3-github",
	"vcr":      "python3-vcr",
	"requests": "python3-requests",
}

// Node returns the node command and a node_modules folder that holds
// every one of pkgs ("nock", "@octokit/rest"), for NODE_PATH or an import
// by absolute path. The folder is CALLBUDGET_TEST_NODE_MODULES, else
// testdata/node/node_modules in the repository, else the user cache where
// `make test-deps` installs testdata/node/package.json.
func Node(t testing.TB, pkgs ...string) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node (Node.js 20)", "apt-get install nodejs npm")
	}
	for _, dir := range NodeModulesDirs() {
		if hasAll(dir, pkgs) {
			return node, dir
		}
	}
	missing(t, "the npm packages "+strings.Join(pkgs, ", "), "npm ci --prefix "+CacheDir()+" (with testdata/node/package.json and package-lock.json copied there)")
	return "", ""
}

func hasAll(dir string, pkgs []string) bool {
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p), "package.json")); err != nil {
			return false
		}
	}
	return true
}

// NodeModulesDirs are the folders [Node] looks in, in order.
func NodeModulesDirs() []string {
	var dirs []string
	if d := os.Getenv("CALLBUDGET_TEST_NODE_MODULES"); d != "" {
		dirs = append(dirs, d)
	}
	if root, err := Root(); err == nil {
		dirs = append(dirs, filepath.Join(root, "testdata", "node", "node_modules"))
	}
	return append(dirs, filepath.Join(CacheDir(), "node_modules"))
}

// CacheDir is where `make test-deps` installs the npm packages of
// testdata/node: $XDG_CACHE_HOME/callbudget-test-node, or
// ~/.cache/callbudget-test-node, so that every clone shares them.
func CacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "callbudget-test-node")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "callbudget-test-node")
}

// Gh returns the path of the gh command (GitHub CLI).
func Gh(t testing.TB) string {
	t.Helper()
	gh, err := exec.LookPath("gh")
	if err != nil {
		missing(t, "gh (GitHub CLI)", "apt-get install gh")
	}
	return gh
}

// Root is the repository's root: the nearest folder above the working
// directory holding go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
