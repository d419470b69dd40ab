package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/report"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// The README section whose snippets TestREADME runs, and the cassette it
// runs them on: a GET of the fake GitHub's repository and of its pull
// request, recorded by the test itself with -update.
const (
	readmeFile     = "../../README.md"
	readmeSection  = "## Point your client at the replay server"
	readmeCassette = "testdata/readme/repo-and-pull.yaml"
)

// readmeCalls is what each completed snippet must make, named the way
// callbudget names calls.
var readmeCalls = map[string]int{
	"GET /repos/{owner}/{repo}":                     1,
	"GET /repos/{owner}/{repo}/pulls/{pull_number}": 1,
}

// What the test adds to each snippet, after its last line (Python,
// JavaScript) or in a file of its own (Go): the two calls of the cassette,
// and a line of output the test looks for.
const (
	readmeOutput = "readme snippet: octo-org/hello-world #1"

	readmeGoMain = `package main

// Added by TestREADME (cmd/callbudget/readme_test.go) to the README's snippet.

import (
	"context"
	"fmt"
	"log"
)

func main() {
	client, err := newClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	repo, _, err := client.Repositories.Get(ctx, "octo-org", "hello-world")
	if err != nil {
		log.Fatal(err)
	}
	pr, _, err := client.PullRequests.Get(ctx, "octo-org", "hello-world", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("readme snippet: %s #%d %s\n", repo.GetFullName(), pr.GetNumber(), pr.GetTitle())
}
`

	readmePython = `
# Added by TestREADME (cmd/callbudget/readme_test.go) to the README's snippet.
repo = gh.get_repo("octo-org/hello-world")
pr = repo.get_pull(1)
print("readme snippet: %s #%d %s" % (repo.full_name, pr.number, pr.title))
`

	readmeJS = `
// Added by TestREADME (cmd/callbudget/readme_test.go) to the README's snippet.
const { data: repo } = await octokit.rest.repos.get({ owner: "octo-org", repo: "hello-world" });
const { data: pr } = await octokit.rest.pulls.get({ owner: "octo-org", repo: "hello-world", pull_number: 1 });
console.log(` + "`readme snippet: ${repo.full_name} #${pr.number} ${pr.title}`" + `);
`
)

// TestREADME runs the snippets of the README's section "Point your client
// at the replay server" as a user pastes them, on the client versions they
// name: go-github v62 (this module's), PyGithub 1.55 (Debian's
// python3-github) and @octokit/rest 22 (testdata/node). Each snippet's
// lines are written out unchanged; the test only adds two calls (the
// repository, then its pull request) and a line of output, and runs the
// result under `callbudget run` on testdata/readme's cassette: both calls
// must be counted, and none unmatched.
//
// PyGithub 2.x cannot be installed here. Its source (PyGithub/PyGithub at
// v2.10.0, github/MainClass.py, Github.__init__) still takes the snippet's
// form: login_or_token and base_url are keyword parameters; a
// login_or_token without password becomes auth=github.Auth.Token(it), with
// a DeprecationWarning (stacklevel=2: shown once, on the script's stderr);
// and with lazy=False, the default, get_repo fetches the repository, so
// the calls are the two this test counts on 1.55.
func TestREADME(t *testing.T) {
	snippets := readmeSnippets(t)
	if golden.Update() {
		recordReadmeCassette(t, buildGoSnippet(t, snippets["go"]))
	}
	for _, lang := range []string{"go", "python", "js"} {
		s := snippets[lang]
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			var argv []string
			switch lang {
			case "go":
				argv = []string{buildGoSnippet(t, s)}
			case "python":
				py := testdeps.PythonModules(t, "github")
				argv = []string{py, writeSnippet(t, t.TempDir(), "readme_snippet.py", s.code+readmePython)}
			case "js":
				node, modules := testdeps.Node(t, "@octokit/rest")
				dir := t.TempDir()
				// An ESM import of a bare specifier ignores NODE_PATH: it
				// looks in node_modules folders above the importing file.
				if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
					t.Fatal(err)
				}
				argv = []string{node, writeSnippet(t, dir, "readme_snippet.mjs", s.code+readmeJS)}
			}
			runReadmeSnippet(t, s, argv)
		})
	}
}

// snippet is one fenced code block of the README.
type snippet struct {
	lang string
	line int    // the README line of the opening fence
	code string // the block's lines, each ending in "\n"
}

// where names the snippet's place in the README, for failure messages.
func (s snippet) where() string {
	return fmt.Sprintf("README.md:%d: the ```%s snippet of %q", s.line, s.lang, strings.TrimPrefix(readmeSection, "## "))
}

// readmeLangs maps a fence's language to the one the test knows it as.
var readmeLangs = map[string]string{
	"go": "go", "golang": "go",
	"python": "python", "py": "python", "python3": "python",
	"js": "js", "javascript": "js", "mjs": "js",
}

// readmeSnippets extracts the go, python and js blocks of the section
// (CommonMark fences: ``` or ~~~, at most three spaces in, closed by a
// fence of the same character at least as long). The section ends at the
// next heading of level 2 or above outside a block.
func readmeSnippets(t *testing.T) map[string]snippet {
	t.Helper()
	data, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	var (
		inSection, found bool
		fence            string // the open block's fence, "" outside one
		cur              *snippet
		indent           int
		snippets         = map[string]snippet{}
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if fence != "" {
			if f, rest, ok := fenceOf(line); ok && f[0] == fence[0] && len(f) >= len(fence) && strings.TrimSpace(rest) == "" {
				if cur != nil {
					if strings.TrimSpace(cur.code) == "" {
						t.Fatalf("%s is empty", cur.where())
					}
					snippets[cur.lang] = *cur
				}
				fence, cur = "", nil
				continue
			}
			if cur != nil {
				cur.code += stripIndent(line, indent) + "\n"
			}
			continue
		}
		if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "## ") {
			if inSection {
				break
			}
			if strings.TrimSpace(line) == readmeSection {
				inSection, found = true, true
			}
			continue
		}
		f, info, ok := fenceOf(line)
		if !ok {
			continue
		}
		fence = f
		if !inSection {
			continue
		}
		indent = len(line) - len(strings.TrimLeft(line, " "))
		lang, _, _ := strings.Cut(strings.TrimSpace(info), " ")
		if l, ok := readmeLangs[strings.ToLower(lang)]; ok {
			if prev, dup := snippets[l]; dup {
				t.Fatalf("README.md:%d: a second ```%s block in %q (the first: README.md:%d): the test runs one per language", n, lang, readmeSection, prev.line)
			}
			cur = &snippet{lang: l, line: n}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("%s: no section %q: TestREADME runs its snippets (rename it here too)", readmeFile, readmeSection)
	}
	if fence != "" {
		t.Fatalf("%s: a code block of %q is never closed", readmeFile, readmeSection)
	}
	for _, l := range []string{"go", "python", "js"} {
		if _, ok := snippets[l]; !ok {
			t.Errorf("%s: section %q has no ```%s block", readmeFile, readmeSection, l)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return snippets
}

// fenceOf reports whether line opens or closes a fenced code block, with
// the fence and what follows it (the info string).
func fenceOf(line string) (fence, rest string, ok bool) {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 || len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return "", "", false
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 || s[0] == '`' && strings.Contains(s[n:], "`") {
		return "", "", false
	}
	return s[:n], s[n:], true
}

// stripIndent removes up to n leading spaces, as CommonMark does for the
// lines of a block whose fence is indented.
func stripIndent(line string, n int) string {
	for i := 0; i < n && strings.HasPrefix(line, " "); i++ {
		line = line[1:]
	}
	return line
}

func writeSnippet(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// buildGoSnippet builds the Go snippet, unchanged in a file of its own,
// with the test's main.go, as a main package at the root of a copy of this
// module's go.mod and go.sum (go-github v62 from the module cache), and
// returns the binary.
func buildGoSnippet(t *testing.T, s snippet) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(repoRoot(t), f), filepath.Join(dir, f))
	}
	writeSnippet(t, dir, "readme_snippet.go", s.code)
	writeSnippet(t, dir, "main.go", readmeGoMain)
	bin := filepath.Join(dir, "readme-snippet")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s does not compile with go-github v62 (%s):\n%s", s.where(), err, readmeLines(s, "readme_snippet.go", string(out)))
	}
	return bin
}

// runReadmeSnippet runs argv under `callbudget run` on the README's
// cassette and checks what it counted.
func runReadmeSnippet(t *testing.T, s snippet, argv []string) {
	t.Helper()
	args := append([]string{"run", "--cassette", readmeCassette, "--format", "json", "--timeout", "1m", "--"}, argv...)
	r := runCLI(t, pythonEnv(), args...)
	stderr := readmeLines(s, "readme_snippet", r.stderr)
	if r.code != exitOK {
		t.Fatalf("%s: callbudget run %s: exit %d\n-- stdout --\n%s-- stderr --\n%s", s.where(), strings.Join(argv, " "), r.code, r.stdout, stderr)
	}
	rep, err := report.ReadJSON(strings.NewReader(r.stdout), 1<<20)
	if err != nil {
		t.Fatalf("%s: report: %v\n%s", s.where(), err, r.stdout)
	}
	if len(rep.Scenarios) != 1 {
		t.Fatalf("%s: %d scenarios, want 1", s.where(), len(rep.Scenarios))
	}
	sc := rep.Scenarios[0]
	counted := map[string]int{}
	for _, e := range sc.Endpoints {
		counted[e.Method+" "+e.Route] += e.Count
	}
	if got, want := formatCounts(counted), formatCounts(readmeCalls); got != want {
		t.Errorf("%s: callbudget counted:\n%s\nwant:\n%s\n-- stderr --\n%s", s.where(), got, want, stderr)
	}
	if len(sc.Unmatched) != 0 || sc.Total != len(readmeCalls) {
		t.Errorf("%s: %d calls (want %d), unmatched: %v\n-- stderr --\n%s", s.where(), sc.Total, len(readmeCalls), sc.Unmatched, stderr)
	}
	if !strings.Contains(r.stderr, readmeOutput) {
		t.Errorf("%s: no %q in its output:\n%s", s.where(), readmeOutput, stderr)
	}
	t.Logf("%s (%s), counted by callbudget run:\n%s", s.where(), filepath.Base(argv[0]), formatCounts(counted))
}

// readmeLines adds the README line after each "FILE:N[:COL]" (Go, node) or
// `FILE", line N` (Python) of out that is a line of the snippet, so that
// a compiler error or a traceback points at the README.
func readmeLines(s snippet, file, out string) string {
	lines := strings.Count(s.code, "\n")
	re := regexp.MustCompile(regexp.QuoteMeta(file) + `(?:\.[a-z]+)?(?::(\d+)(?::\d+)?|", line (\d+))`)
	return re.ReplaceAllStringFunc(out, func(m string) string {
		sub := re.FindStringSubmatch(m)
		n, err := strconv.Atoi(sub[1] + sub[2])
		if err != nil || n < 1 || n > lines {
			return m // a line the test added
		}
		return fmt.Sprintf("%s (README.md:%d)", m, s.line+n)
	})
}

// recordReadmeCassette (go test -run TestREADME -update) records the Go
// snippet's calls against the fake GitHub through `callbudget record`, into
// readmeCassette.
func recordReadmeCassette(t *testing.T, goSnippet string) {
	t.Helper()
	fake := fakegithub.New(t, fakegithub.Options{})
	tmp := filepath.Join(t.TempDir(), "cassette.yaml")
	r := runCLI(t, append(pythonEnv(), "GITHUB_TOKEN=readme-recording-token"),
		"record", "--cassette", tmp, "--upstream", fake.Origin(), "--", goSnippet)
	if r.code != exitOK {
		t.Fatalf("recording %s: %s", readmeCassette, r)
	}
	// The fake answers with its own origin in bodies and headers: save
	// them as answered by api.github.com, the way a real recording is.
	c, err := cassette.Load(strings.TrimSuffix(tmp, ".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	toGitHub := strings.NewReplacer(fake.Origin(), "https://api.github.com")
	for _, i := range c.Interactions {
		i.Request.URL = toGitHub.Replace(i.Request.URL)
		i.Request.Host = "api.github.com"
		i.Response.Body = toGitHub.Replace(i.Response.Body)
		if i.Response.ContentLength >= 0 {
			i.Response.ContentLength = int64(len(i.Response.Body))
		}
		for k, vs := range i.Response.Headers {
			for j, v := range vs {
				i.Response.Headers[k][j] = toGitHub.Replace(v)
			}
		}
		if i.Response.Headers.Get("Content-Length") != "" {
			i.Response.Headers.Set("Content-Length", strconv.Itoa(len(i.Response.Body)))
		}
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"127.0.0.1", "readme-recording-token"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Fatalf("recorded cassette still holds %q:\n%s", leak, data)
		}
	}
	header := "# Recorded by cmd/callbudget/readme_test.go (the README's Go snippet, through\n" +
		"# callbudget record, against internal/fakegithub). Do not edit: re-record with\n" +
		"# go test ./cmd/callbudget -run TestREADME -update\n"
	if err := os.MkdirAll(filepath.Dir(readmeCassette), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readmeCassette, append([]byte(header), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", readmeCassette)
}
