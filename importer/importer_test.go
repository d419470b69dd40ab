package importer_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/importer"
	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/replay"
)

// corpusDir is the repository's testdata/corpus/ogr-requre (its README
// says where the recordings come from).
func corpusDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	repoRoot := filepath.Dir(filepath.Dir(file))
	dir := filepath.Join(repoRoot, "testdata", "corpus", "ogr-requre")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the requre corpus (testdata/corpus/ogr-requre in the repository): %v", err)
	}
	return dir
}

func byMethod(r *importer.Result) map[string]int {
	m := map[string]int{}
	for _, in := range r.Cassette.Interactions {
		m[in.Request.Method]++
	}
	return m
}

// expandedCount counts requre calls the way a plain YAML load does:
// every URL key's list, aliases expanded, so a list under two keys counts
// twice. The corpus README's table counts such a list once, as import does.
func expandedCount(t *testing.T, data []byte) map[string]int {
	t.Helper()
	var doc struct {
		Sessions struct {
			Send map[string]map[string][]any `yaml:"send"`
		} `yaml:"requests.sessions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for method, urls := range doc.Sessions.Send {
		for _, calls := range urls {
			m[method] += len(calls)
		}
	}
	return m
}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	tests := []struct {
		name string
		// expanded is the file's calls by method as a plain YAML load
		// counts them: a list under two URL keys (an alias) per key.
		expanded map[string]int
		// aliased is the calls reached a second time through an
		// alias: what importing counts once, by method.
		aliased map[string]int
	}{
		{"App.test_get_project.yaml", map[string]int{"GET": 3, "POST": 2}, map[string]int{"GET": 1, "POST": 1}},
		{"CheckRun.test_change_url.yaml", map[string]int{"GET": 6, "PATCH": 2, "POST": 2}, map[string]int{"GET": 1, "POST": 1}},
		{"CheckRun.test_create_to_queue_and_succeed.yaml", map[string]int{"GET": 3, "PATCH": 1, "POST": 3}, map[string]int{"GET": 1, "POST": 1}},
		{"Comments.test_get_issue_reactions.yaml", map[string]int{"GET": 3, "POST": 5}, nil},
		{"Comments.test_issue_react_to_comment_and_delete.yaml", map[string]int{"DELETE": 1, "GET": 4, "POST": 2}, nil},
		{"Forks.test_create_fork_with_namespace.yaml", map[string]int{"GET": 3, "POST": 1}, nil},
		{"GenericCommands.test_add_user.yaml", map[string]int{"GET": 3, "PUT": 1}, nil},
		{"GenericCommands.test_commit_comment.yaml", map[string]int{"GET": 3, "POST": 1}, nil},
		{"GenericCommands.test_delete.yaml", map[string]int{"DELETE": 1, "GET": 1}, nil},
		{"GenericCommands.test_get_files.yaml", map[string]int{"GET": 26}, nil},
		{"GenericCommands.test_set_commit_status.yaml", map[string]int{"GET": 2, "POST": 1}, nil},
		{"GenericCommands.test_write_access_to_repo.yaml", map[string]int{"GET": 43}, nil},
		{"Issues.test_issue_list_labels.yaml", map[string]int{"GET": 52}, nil},
		{"Issues.test_setters.yaml", map[string]int{"GET": 2, "PATCH": 4}, nil},
		{"PullRequests.test_pr_close.yaml", map[string]int{"GET": 3, "PATCH": 1, "POST": 1}, nil},
		{"PullRequests.test_pr_labels.yaml", map[string]int{"GET": 4, "POST": 2}, nil},
		{"Releases.test_create_release.yaml", map[string]int{"GET": 46, "POST": 1}, nil},
		{"Releases.test_get_releases.yaml", map[string]int{"GET": 25}, nil},
		{"Service.test_project_create_duplicate.yaml", map[string]int{"GET": 3, "POST": 2}, nil},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != len(tests) {
		t.Errorf("corpus has %d files, the table %d", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if f, err := importer.Detect(data); err != nil || f != importer.Requre {
				t.Fatalf("Detect = %q, %v; want requre", f, err)
			}
			if got := expandedCount(t, data); !maps.Equal(got, tt.expanded) {
				t.Errorf("a plain YAML load counts %v, the test's table %v", got, tt.expanded)
			}
			// What the corpus README's table says: each list once.
			want := maps.Clone(tt.expanded)
			wantTotal := 0
			for m, n := range tt.aliased {
				want[m] -= n
			}
			for _, n := range want {
				wantTotal += n
			}
			res, err := importer.Convert(path, data, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := byMethod(res); !maps.Equal(got, want) {
				t.Errorf("by method = %v, want %v (%v under every key less aliased %v)", got, want, tt.expanded, tt.aliased)
			}
			for i, in := range res.Cassette.Interactions {
				if in.ID != i {
					t.Errorf("interaction %d has id %d", i, in.ID)
				}
				if !strings.HasPrefix(in.Request.URL, "https://api.github.com/") {
					t.Errorf("interaction %d: URL %q is not https://api.github.com/… without a port", i, in.Request.URL)
				}
			}
			aliasNotes := 0
			for _, n := range res.Notes {
				if strings.Contains(n.Msg, "counted once") {
					aliasNotes++
				}
			}
			if usesAlias := strings.Contains(string(data), ": *id"); usesAlias != (tt.aliased != nil) || (aliasNotes > 0) != usesAlias {
				t.Errorf("file uses aliases: %v; table says aliased %v; alias notes %d", usesAlias, tt.aliased, aliasNotes)
			}

			c, notes, err := importer.Load(path, "", replay.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) == 0 {
				t.Error("Load gave no notes; requre always has some (order, request bodies)")
			}
			counts := replay.CountRecorded(c, replay.Options{})
			if counts.Total != wantTotal {
				t.Errorf("CountRecorded total = %d, want %d", counts.Total, wantTotal)
			}
			gotMethods := map[string]int{}
			for _, e := range counts.Endpoints {
				gotMethods[e.Method] += e.Count
			}
			if !maps.Equal(gotMethods, want) {
				t.Errorf("CountRecorded by method = %v, want %v", gotMethods, want)
			}
		})
	}
}

// TestRequreAliasCountedOnce pins the alias rule: one list node reached
// from two keys is counted once; two lists that only look alike both count.
func TestRequreAliasCountedOnce(t *testing.T) {
	t.Parallel()
	const doc = `_requre: {DataTypes: 1}
requests.sessions:
  send:
    GET:
      https://api.github.com/repos/o/r/installation: &id001
      - output: {status_code: 200, reason: OK, _content: {id: 1, account: {login: o}}}
      - output: {status_code: 304, reason: Not Modified, _content: ''}
      https://api.github.com:443/repos/o/r: 
      - output: {status_code: 200, reason: OK, _content: {full_name: o/r}}
      https://api.github.com:443/repos/o/r/installation: *id001
      https://api.github.com:443/repos/o/r/pulls:
      - output: {status_code: 200, reason: OK, _content: {full_name: o/r}}
      https://api.github.com/repos/o/r/pulls:
      - output: {status_code: 200, reason: OK, _content: {full_name: o/r}}
`
	res, err := importer.Convert("alias.yaml", []byte(doc), importer.Requre)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range res.Cassette.Interactions {
		got = append(got, fmt.Sprintf("%d %s %s %s", in.ID, in.Request.URL, in.Response.Status, in.Response.Body))
	}
	want := []string{
		`0 https://api.github.com/repos/o/r/installation 200 OK {"id":1,"account":{"login":"o"}}`,
		`1 https://api.github.com/repos/o/r/installation 304 Not Modified `,
		`2 https://api.github.com/repos/o/r 200 OK {"full_name":"o/r"}`,
		`3 https://api.github.com/repos/o/r/pulls 200 OK {"full_name":"o/r"}`,
		`4 https://api.github.com/repos/o/r/pulls 200 OK {"full_name":"o/r"}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	found := false
	for _, n := range res.Notes {
		found = found || strings.Contains(n.Msg, "counted once")
	}
	if !found {
		t.Errorf("no note about the alias counted once: %v", res.Notes)
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		file    string
		format  importer.Format
		methods map[string]int
		// bodies are the response bodies, in order.
		bodies []string
		check  func(t *testing.T, r *importer.Result)
	}{
		{
			file: "vcrpy.yaml", format: importer.VCRpy,
			methods: map[string]int{"GET": 2, "POST": 1},
			bodies:  []string{`{"login":"octocat","id":1}`, `{"number": 7}`, `[]`},
			check: func(t *testing.T, r *importer.Result) {
				in := r.Cassette.Interactions[0]
				if !in.Response.Uncompressed || in.Response.Headers.Get("Content-Encoding") != "" {
					t.Errorf("gzip body: uncompressed %v, Content-Encoding %q; want true, none", in.Response.Uncompressed, in.Response.Headers.Get("Content-Encoding"))
				}
				if got := r.Cassette.Interactions[1]; got.Request.Body != `{"title": "bug"}` || got.Request.URL != "https://api.github.com/repos/octo/hello/issues" {
					t.Errorf("request = %s %q", got.Request.URL, got.Request.Body)
				}
			},
		},
		{
			file: "har.json", format: importer.HAR,
			methods: map[string]int{"GET": 1, "POST": 1},
			bodies:  []string{`{"full_name":"octo/hello","id":1}`, `{"id":9}`},
			check: func(t *testing.T, r *importer.Result) {
				in := r.Cassette.Interactions[0]
				if in.Request.Headers.Get(":authority") != "" || in.Request.Headers.Get("Accept") == "" {
					t.Errorf("request headers = %v; want no pseudo-headers, Accept kept", in.Request.Headers)
				}
				if in.Response.Headers.Get("Content-Encoding") != "" {
					t.Error("HAR text is decoded; Content-Encoding should go")
				}
				if got := r.Cassette.Interactions[1].Request.Body; got != `{"body":"hi"}` {
					t.Errorf("request body = %q", got)
				}
			},
		},
		{
			file: "nock.json", format: importer.Nock,
			methods: map[string]int{"GET": 2, "POST": 1},
			bodies:  []string{`{"full_name":"octo/hello","id":1,"owner":{"login":"octo"}}`, `[{"number":7}]`, `Keep it logically awesome.`},
			check: func(t *testing.T, r *importer.Result) {
				in := r.Cassette.Interactions[0]
				if got := in.Response.Headers.Get("X-RateLimit-Remaining"); got != "4998" {
					t.Errorf("rawHeaders X-RateLimit-Remaining = %q", got)
				}
				if in.Request.URL != "https://api.github.com/repos/octo/hello" {
					t.Errorf("URL = %q", in.Request.URL)
				}
				post := r.Cassette.Interactions[1]
				if post.Request.Body != `{"title":"bug"}` || post.Response.Code != 201 || post.Request.Headers.Get("Accept") == "" {
					t.Errorf("POST = %q %d %v", post.Request.Body, post.Response.Code, post.Request.Headers)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if f, err := importer.Detect(data); err != nil || f != tt.format {
				t.Fatalf("Detect = %q, %v; want %q", f, err, tt.format)
			}
			res, err := importer.Convert(path, data, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if got := byMethod(res); !maps.Equal(got, tt.methods) {
				t.Errorf("by method = %v, want %v", got, tt.methods)
			}
			var bodies []string
			for _, in := range res.Cassette.Interactions {
				bodies = append(bodies, in.Response.Body)
			}
			if !slices.Equal(bodies, tt.bodies) {
				t.Errorf("bodies = %q, want %q", bodies, tt.bodies)
			}
			tt.check(t, res)

			c, _, err := importer.Load(path, "", replay.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, n := range tt.methods {
				total += n
			}
			if got := replay.CountRecorded(c, replay.Options{}).Total; got != total {
				t.Errorf("CountRecorded total = %d, want %d", got, total)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		format importer.Format
		err    error
		entry  int
		line   bool // a line is expected
		msg    string
	}{
		{"HAR named as nock", "har.json", importer.Nock, importer.ErrFormat, -1, false, "looks like har"},
		{"nock named as HAR", "nock.json", importer.HAR, importer.ErrFormat, -1, false, "looks like nock"},
		{"vcrpy named as requre", "vcrpy.yaml", importer.Requre, importer.ErrFormat, -1, true, "looks like vcrpy"},
		{"requre named as vcrpy", "../../testdata/corpus/ogr-requre/GenericCommands.test_delete.yaml", importer.VCRpy, importer.ErrFormat, -1, true, "looks like requre"},
		{"truncated JSON", "bad/truncated.json", "", importer.ErrInvalid, -1, true, "truncated"},
		{"truncated JSON named", "bad/truncated.json", importer.HAR, importer.ErrInvalid, -1, true, "truncated"},
		{"truncated YAML", "bad/truncated.yaml", importer.VCRpy, importer.ErrInvalid, -1, true, "not valid YAML"},
		{"alias bomb", "bad/alias-bomb.yaml", "", importer.ErrInvalid, -1, false, "excessive aliasing"},
		{"HAR entry with no response", "bad/har-no-response.json", "", importer.ErrInvalid, 1, true, "no response"},
		{"vcrpy interaction with no method", "bad/vcrpy-no-method.yaml", "", importer.ErrInvalid, 1, true, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = importer.Convert(path, data, tt.format)
			var ie *importer.Error
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *importer.Error", err, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.err)
			}
			if ie.File != path || !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("err = %q, want it to name %s", err, path)
			}
			if ie.Entry != tt.entry {
				t.Errorf("entry = %d, want %d (%v)", ie.Entry, tt.entry, err)
			}
			if tt.entry >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("entry %d: ", tt.entry)) {
				t.Errorf("err = %q does not name entry %d", err, tt.entry)
			}
			if tt.line && ie.Line == 0 {
				t.Errorf("err = %q has no line", err)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.msg)) {
				t.Errorf("err = %q, want it to say %q", err, tt.msg)
			}
			// Load says the same, and nothing half-done comes back.
			c, _, lerr := importer.Load(path, tt.format, replay.LoadOptions{})
			if c != nil || lerr == nil || lerr.Error() != err.Error() {
				t.Errorf("Load = %v, %v; want nil and %v", c, lerr, err)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want importer.Format
		err  bool
	}{
		{"", "", false},
		{"requre", importer.Requre, false},
		{"VCRpy", importer.VCRpy, false},
		{" har ", importer.HAR, false},
		{"nock", importer.Nock, false},
		{"govcr", importer.GoVCR, false},
		{"pcap", "", true},
	}
	for _, tt := range tests {
		got, err := importer.ParseFormat(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseFormat(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && (!errors.Is(err, importer.ErrFormat) || !strings.Contains(err.Error(), "requre, vcrpy, har, nock")) {
			t.Errorf("ParseFormat(%q) error %q should list the known formats and wrap ErrFormat", tt.in, err)
		}
	}
}

// TestEncodeGoVCR: what Encode writes is a go-vcr cassette, which Load
// detects and passes through.
func TestEncodeGoVCR(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "nock.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Convert("nock.json", data, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := importer.Encode(res.Cassette)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "---\nversion: 2\n") {
		t.Errorf("Encode starts %q", out[:min(len(out), 40)])
	}
	if f, err := importer.Detect(out); f != importer.GoVCR || err != nil {
		t.Errorf("Detect(Encode) = %q, %v", f, err)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	c, notes, err := importer.Load(path, "", replay.LoadOptions{})
	if err != nil || len(notes) != 0 || len(c.Interactions) != 3 {
		t.Errorf("Load = %v interactions, notes %v, %v", c, notes, err)
	}
}
