package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/replay"
	"gopkg.in/yaml.v3"
)

// corpusDir holds the real requre recordings of testdata/corpus (its
// README says where they come from), relative to this package's folder.
const corpusDir = "../../testdata/corpus/ogr-requre"

// importDir holds the import tests' inputs and recording scripts.
const importDir = "testdata/import"

// corpusEntry is one row of the corpus README's table: how many calls a
// file recorded, and how many of each method.
type corpusEntry struct {
	calls    int
	byMethod map[string]int
}

// corpusTable reads the table of testdata/corpus/README.md, so the test
// checks the counts the corpus documents rather than a copy of them.
func corpusTable(t *testing.T) map[string]corpusEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "..", "README.md"))
	if err != nil {
		t.Fatalf("the corpus README: %v", err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (\S+\.yaml) \| (\d+) \| ([^|]+) \|$`)
	out := map[string]corpusEntry{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		e := corpusEntry{calls: n, byMethod: map[string]int{}}
		for _, part := range strings.Split(m[3], ",") {
			method, count, _ := strings.Cut(strings.TrimSpace(part), " ")
			e.byMethod[method], _ = strconv.Atoi(count)
		}
		sum := 0
		for _, c := range e.byMethod {
			sum += c
		}
		if sum != n {
			t.Errorf("the corpus README's row for %s: %d calls, but its methods add up to %d", m[1], n, sum)
		}
		out[m[1]] = e
	}
	if len(out) == 0 {
		t.Fatal("the corpus README has no table of entries")
	}
	return out
}

// requreEntries counts, by method, the entries of a requre file: under
// every URL key (all), and under the keys whose list is reached again
// through an alias (*id001) of a list stored under another key (again):
// the same list, so the same recorded calls, which import writes once.
func requreEntries(t *testing.T, path string) (all, again map[string]int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	value := func(m *yaml.Node, key string) *yaml.Node {
		for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	all, again = map[string]int{}, map[string]int{}
	send := value(value(doc.Content[0], "requests.sessions"), "send")
	for i := 0; send != nil && i+1 < len(send.Content); i += 2 {
		method, urls := send.Content[i].Value, send.Content[i+1]
		for j := 1; j < len(urls.Content); j += 2 {
			v := urls.Content[j]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				again[method] += len(v.Alias.Content)
				all[method] += len(v.Alias.Content)
				continue
			}
			all[method] += len(v.Content)
		}
	}
	return all, again
}

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no requre corpus at %s (testdata/corpus/ogr-requre in the repository): %v", corpusDir, err)
	}
	return files
}

// listDir is the names in dir, for "nothing written" checks; a missing
// folder is empty.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// recordedCalls is one "METHOD PATH?QUERY" per interaction of a go-vcr
// cassette, in its order, as the test client (clientEnv) takes them.
func recordedCalls(t *testing.T, path string) []string {
	t.Helper()
	c, err := replay.Load(path, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(u.RequestURI(), "; ") {
			t.Fatalf("%s: %s cannot be passed to the test client", path, u.RequestURI())
		}
		calls = append(calls, in.Request.Method+" "+u.RequestURI())
	}
	return calls
}

// countsReport is what the import tests read of a JSON report's one
// scenario.
type countsReport struct {
	Total     int `json:"total"`
	Repeats   int `json:"repeats"`
	Unmatched []struct {
		Method, Path string
		Count        int
	} `json:"unmatched"`
	Endpoints []struct {
		Method string `json:"method"`
		Route  string `json:"route"`
		Count  int    `json:"count"`
	} `json:"endpoints"`
}

func (r countsReport) byEndpoint() map[string]int {
	m := map[string]int{}
	for _, e := range r.Endpoints {
		m[e.Method+" "+e.Route] += e.Count
	}
	return m
}

func parseReport(t *testing.T, res result) countsReport {
	t.Helper()
	var rep struct{ Scenarios []countsReport }
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil || len(rep.Scenarios) != 1 {
		t.Fatalf("report: %v\n%s", err, res)
	}
	return rep.Scenarios[0]
}

// replayThrough runs `callbudget run` over cassette with the test binary
// as a real HTTP client making calls, one request each, and returns the
// report.
func replayThrough(t *testing.T, cassette string, calls []string, flags ...string) countsReport {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", "--format", "json", "--cassette", cassette}, flags...)
	args = append(args, "--", bin)
	res := runCLI(t, testEnv(clientEnv+"="+strings.Join(calls, ";")), args...)
	if res.code != exitOK {
		t.Fatalf("callbudget %s:\n%s", strings.Join(args, " "), res)
	}
	return parseReport(t, res)
}

// checkReplay replays cassette (a go-vcr one) with one request per recorded
// interaction and checks that every one was answered, once, and counted as
// count counts the cassette.
func checkReplay(t *testing.T, cassette string) countsReport {
	t.Helper()
	calls := recordedCalls(t, cassette)
	got := replayThrough(t, cassette, calls)
	res := runCLI(t, testEnv(), "count", "--format", "json", cassette)
	if res.code != exitOK {
		t.Fatalf("count %s:\n%s", cassette, res)
	}
	want := parseReport(t, res)
	if got.Total != len(calls) || len(got.Unmatched) != 0 || got.Repeats != 0 {
		t.Errorf("%s: replayed %d calls: total %d, repeats %d, unmatched %v", cassette, len(calls), got.Total, got.Repeats, got.Unmatched)
	}
	if g, w := got.byEndpoint(), want.byEndpoint(); !maps.Equal(g, w) {
		t.Errorf("%s: run counted %v, count counted %v", cassette, g, w)
	}
	return got
}

// TestImportRequreCorpus imports every real requre recording at once, checks
// each cassette holds the calls the corpus README lists (which counts a
// list stored under two URL keys through an alias, with and without :443,
// once: one list of calls, imported and counted once), checks that table
// against the files (every key's entries less the aliased ones), then
// drives the test binary as an HTTP client through callbudget run over
// each, one request per recorded entry.
func TestImportRequreCorpus(t *testing.T) {
	t.Parallel()
	files := corpusFiles(t)
	table := corpusTable(t)
	if len(table) != len(files) {
		t.Errorf("the corpus README lists %d files; %s holds %d", len(table), corpusDir, len(files))
	}
	out := t.TempDir()
	res := runCLI(t, testEnv(), append(append([]string{"import", "--from", "requre"}, files...), "--out", out)...)
	if res.code != exitOK {
		t.Fatalf("import:\n%s", res)
	}
	if !strings.Contains(res.stderr, "order") {
		t.Errorf("import does not say the order between URLs was not recorded:\n%s", res.stderr)
	}
	aliased := 0
	for _, f := range files {
		name := filepath.Base(f)
		all, again := requreEntries(t, f)
		if len(again) > 0 {
			aliased++
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := table[name]
			if !ok {
				t.Fatalf("%s is not in the corpus README's table", name)
			}
			// The README's table is the file's entries under every URL
			// key, a list reached again through an alias counted once.
			once := maps.Clone(all)
			for m, n := range again {
				if once[m] -= n; once[m] == 0 {
					delete(once, m)
				}
			}
			if !maps.Equal(once, want.byMethod) {
				t.Errorf("the README says %v; the file holds %v under its keys, of which %v are aliased again", want.byMethod, all, again)
			}
			if name == "App.test_get_project.yaml" && !maps.Equal(again, map[string]int{"GET": 1, "POST": 1}) {
				t.Errorf("%s stores one GET and one POST list under two keys; found %v", name, again)
			}
			cassette := filepath.Join(out, name) // the input's name ends in .yaml already
			c, err := replay.Load(cassette, replay.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			byMethod := map[string]int{}
			for _, in := range c.Interactions {
				byMethod[in.Request.Method]++
				if strings.Contains(in.Request.URL, ":443/") {
					t.Errorf("interaction %d keeps the default port: %s", in.ID, in.Request.URL)
				}
			}
			if len(c.Interactions) != want.calls || !maps.Equal(byMethod, want.byMethod) {
				t.Errorf("imported %d calls %v; the README says %d %v (the file's keys hold %v, of which %v are aliased again)", len(c.Interactions), byMethod, want.calls, want.byMethod, all, again)
			}
			got := checkReplay(t, cassette)
			if got.Total != want.calls {
				t.Errorf("replay counted %d calls, want %d", got.Total, want.calls)
			}
		})
	}
	if aliased == 0 {
		t.Error("no corpus file stores a list under two URL keys: the aliased case is not exercised")
	}
}

// TestImportRequreDirect: run and count read a requre file as it is,
// detected from its content or named with --from, and count what import
// writes.
func TestImportRequreDirect(t *testing.T) {
	t.Parallel()
	files := corpusFiles(t)
	in := files[0]
	for _, from := range []string{"", "requre"} {
		res := runCLI(t, testEnv(), "count", "--format", "json", "--from", from, in)
		if res.code != exitOK {
			t.Fatalf("count --from %q %s:\n%s", from, in, res)
		}
		direct := parseReport(t, res)
		out := t.TempDir()
		if res := runCLI(t, testEnv(), "import", in, "--out", out); res.code != exitOK {
			t.Fatalf("import:\n%s", res)
		}
		imported := filepath.Join(out, filepath.Base(in))
		calls := recordedCalls(t, imported)
		got := replayThrough(t, in, calls, "--from", from)
		if got.Total != len(calls) || len(got.Unmatched) != 0 || !maps.Equal(got.byEndpoint(), direct.byEndpoint()) {
			t.Errorf("run over %s --from %q: %+v; count: %v", in, from, got, direct.byEndpoint())
		}
	}
}

// localAPI is a GitHub-shaped server for the recorders, on a path prefix
// (/api/v3, which the replay server drops again) so that a client that
// loses the prefix fails. It gzips what it sends when asked, as GitHub
// does, so recorders store compressed bodies.
func localAPI(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/repos/octo-org/hello-world/pulls/42", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-RateLimit-Resource", "core")
		body := []byte(`{"number":42,"state":"open","title":"Add a feature"}`)
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(body)
			zw.Close()
			return
		}
		w.Write(body)
	})
	mux.HandleFunc("POST /api/v3/repos/octo-org/hello-world/issues/42/comments", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":1,"body":"hi"}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v3"
}

// recorderCounts is what callbudget counts of the calls both recording
// scripts make.
var recorderCounts = map[string]int{
	"GET /repos/{owner}/{repo}/pulls/{pull_number}":             2,
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments": 1,
}

// checkRecorded imports a recording made by another stack's own recorder
// (format from), then replays the imported cassette and the recording
// itself (read directly by run) with the recorded calls.
func checkRecorded(t *testing.T, recording, from string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	res := runCLI(t, testEnv(), "import", "--from", from, recording, "--out", out)
	if res.code != exitOK {
		t.Fatalf("import:\n%s", res)
	}
	cassette := filepath.Join(out, importName(recording))
	got := checkReplay(t, cassette)
	if !maps.Equal(got.byEndpoint(), recorderCounts) {
		t.Errorf("imported %s counts %v, want %v", from, got.byEndpoint(), recorderCounts)
	}
	// The same recording, not imported: detected by run.
	direct := replayThrough(t, recording, recordedCalls(t, cassette))
	if !maps.Equal(direct.byEndpoint(), recorderCounts) || len(direct.Unmatched) != 0 {
		t.Errorf("run over the %s recording itself: %+v", from, direct)
	}
}

// TestImportVcrpyRecorded records with vcrpy itself (the Debian package
// python3-vcr, installed by make test-deps) and the requests library, then
// imports and replays what it wrote.
func TestImportVcrpyRecorded(t *testing.T) {
	t.Parallel()
	python := testdeps.PythonModules(t, "vcr", "requests")
	recording := filepath.Join(t.TempDir(), "vcrpy-pulls.yaml")
	cmd := exec.Command(python, filepath.Join(importDir, "record_vcrpy.py"), localAPI(t), recording)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("record_vcrpy.py: %v\n%s", err, out)
	}
	checkRecorded(t, recording, "vcrpy")
}

// TestImportNockRecorded records with nock's own recorder (output objects,
// as @octokit/fixtures are made) from node's http module, then imports and
// replays what it wrote. nock is testdata/node's (make test-deps).
func TestImportNockRecorded(t *testing.T) {
	t.Parallel()
	node, modules := testdeps.Node(t, "nock")
	recording := filepath.Join(t.TempDir(), "nock-pulls.json")
	cmd := exec.Command(node, filepath.Join(importDir, "record_nock.js"), localAPI(t), recording)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("record_nock.js: %v\n%s", err, out)
	}
	checkRecorded(t, recording, "nock")
}

// TestImportHandMade imports the hand-made HAR (one body base64-encoded)
// and nock file (one response parsed, one raw headers list) and replays
// them.
func TestImportHandMade(t *testing.T) {
	t.Parallel()
	want := map[string]int{
		"GET /repos/{owner}/{repo}/pulls/{pull_number}":             1,
		"POST /repos/{owner}/{repo}/issues/{issue_number}/comments": 1,
	}
	for _, tc := range []struct{ name, in, from string }{
		{"har", "pulls.har", "har"},
		{"har detected", "pulls.har", ""},
		{"nock", "pulls.nock.json", "nock"},
		{"nock detected", "pulls.nock.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			in := filepath.Join(importDir, tc.in)
			res := runCLI(t, testEnv(), "import", "--from", tc.from, in, "--out", out)
			if res.code != exitOK {
				t.Fatalf("import:\n%s", res)
			}
			if want := in + " → " + filepath.Join(out, importName(in)) + "\n"; res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			got := checkReplay(t, filepath.Join(out, importName(in)))
			if !maps.Equal(got.byEndpoint(), want) {
				t.Errorf("counts %v, want %v", got.byEndpoint(), want)
			}
		})
	}
}

// TestImportBadInputs: an input that cannot be imported is named with its
// entry where one applies, the command exits 2, and nothing is written,
// not even the good inputs given with it.
func TestImportBadInputs(t *testing.T) {
	t.Parallel()
	good := filepath.Join(importDir, "pulls.har")
	tests := []struct {
		name, from, in string
		want           []string // in the message
	}{
		{"har named nock", "nock", "pulls.har", []string{"pulls.har"}},
		{"nock named har", "har", "pulls.nock.json", []string{"pulls.nock.json"}},
		{"truncated", "har", "truncated.har", []string{"truncated.har"}},
		{"truncated detected", "", "truncated.har", []string{"truncated.har"}},
		{"alias bomb", "requre", "alias-bomb.yaml", []string{"alias-bomb.yaml"}},
		{"har entry without a response", "har", "no-response.har", []string{"no-response.har", "entry 1"}},
		{"har entry without a response, detected", "", "no-response.har", []string{"no-response.har", "entry 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			in := filepath.Join(importDir, tc.in)
			args := []string{"import", in, good, "--out", out}
			if tc.from != "" {
				args = append(args, "--from", tc.from)
			}
			res := runCLI(t, testEnv(), args...)
			if res.code != exitError {
				t.Fatalf("exit %d, want %d:\n%s", res.code, exitError, res)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not name %q:\n%s", w, res.stderr)
				}
			}
			if strings.Contains(res.stderr, "panic") || strings.Count(res.stderr, "\n") > 20 {
				t.Errorf("stderr is not one clear error:\n%s", res.stderr)
			}
			if names := listDir(t, out); len(names) != 0 {
				t.Errorf("written despite the error: %v", names)
			}
			// run refuses it the same way, before running anything.
			if tc.from != "nock" || tc.in != "pulls.har" {
				return
			}
			res = runCLI(t, testEnv(), "run", "--from", tc.from, "--cassette", in, "--", "true")
			if res.code != exitError || !strings.Contains(res.stderr, tc.in) || res.stdout != "" {
				t.Errorf("run --from %s %s:\n%s", tc.from, tc.in, res)
			}
		})
	}
}

// TestImportUsage: the mistakes of the command line are usage errors, and
// nothing is written.
func TestImportUsage(t *testing.T) {
	t.Parallel()
	good := filepath.Join(importDir, "pulls.har")
	dir := t.TempDir()
	other := filepath.Join(dir, "x")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	twin := filepath.Join(other, "pulls.har")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(twin, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no inputs", []string{"import", "--out", out}, "name at least one recording"},
		{"no out", []string{"import", good}, "--out is required"},
		{"unknown format", []string{"import", "--from", "curl", good, "--out", out}, `--from "curl"`},
		{"two inputs, one name", []string{"import", good, twin, "--out", out}, "would both be written"},
		{"unknown format for count", []string{"count", "--from", "curl", good}, `--from "curl"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, testEnv(), tc.args...)
			if res.code != exitError || !strings.Contains(res.stderr, tc.want) || !strings.Contains(res.stderr, "--help") {
				t.Errorf("want a usage error saying %q:\n%s", tc.want, res)
			}
			if names := listDir(t, out); len(names) != 0 {
				t.Errorf("written: %v", names)
			}
		})
	}
}

// TestImportScenarioFormat: a scenario names its cassette's format in the
// config; a wrong one fails the scenario with the config's line, the
// right one (or none: detected) replays it.
func TestImportScenarioFormat(t *testing.T) {
	t.Parallel()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	har, err := filepath.Abs(filepath.Join(importDir, "pulls.har"))
	if err != nil {
		t.Fatal(err)
	}
	calls := "GET /repos/octo-org/hello-world/pulls/42;POST /repos/octo-org/hello-world/issues/42/comments"
	for _, tc := range []struct {
		name, format string
		code         int
		want         string
	}{
		{"named", "har", exitOK, ""},
		{"detected", "", exitOK, ""},
		{"wrong", "nock", exitError, "callbudget.yaml:3: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "callbudget.yaml")
			format := ""
			if tc.format != "" {
				format = "\n    format: " + tc.format
			}
			writeFile(t, cfg, "scenarios:\n  - name: pulls\n    cassette: "+har+"\n    run: '\"$CALLBUDGET_TEST_BIN\"'"+format+
				"\n    env: {"+clientEnv+": \""+calls+"\"}\n")
			res := runCLI(t, testEnv("CALLBUDGET_TEST_BIN="+bin), "update", "--config", cfg, "--format", "json")
			if res.code != tc.code || !strings.Contains(res.stdout+res.stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", res.code, tc.code, tc.want, res)
			}
			if tc.code != exitOK {
				return
			}
			budget, err := os.ReadFile(filepath.Join(dir, "callbudget.budget.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"total: 2", "mutating: 1"} {
				if !strings.Contains(string(budget), w) {
					t.Errorf("budget lacks %q:\n%s", w, budget)
				}
			}
		})
	}
}
