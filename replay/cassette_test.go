package replay_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/replay"
)

const goodCassette = `---
version: 2
interactions:
    - id: 0
      request:
        proto: HTTP/1.1
        proto_major: 1
        proto_minor: 1
        method: GET
        url: https://api.github.com/repos/o/r/pulls/1
        headers:
            Accept:
                - application/vnd.github.v3+json
      response:
        proto: HTTP/2.0
        status: 200 OK
        code: 200
        headers:
            Content-Type:
                - application/json; charset=utf-8
            X-Ratelimit-Limit:
                - "5000"
            X-Ratelimit-Remaining:
                - "0"
        body: '{"number":1}'
        duration: 120ms
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadGood(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "good.yaml", goodCassette)
	c, err := replay.Load(p, replay.LoadOptions{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := len(c.Interactions); got != 1 {
		t.Fatalf("interactions = %d, want 1", got)
	}
	if c.Path != p || c.Line(0) != 4 {
		t.Errorf("Path, Line(0) = %q, %d; want %q, 4", c.Path, c.Line(0), p)
	}
	if c.Interactions[0].Response.Duration.String() != "120ms" {
		t.Errorf("duration = %v", c.Interactions[0].Response.Duration)
	}
}

func TestLoadNoInteractions(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"version: 2\n", "version: 2\ninteractions: []\n", "version: 2\ninteractions:\n"} {
		c, err := replay.Parse("x.yaml", []byte(text), replay.LoadOptions{})
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
			continue
		}
		if n := len(c.Interactions); n != 0 {
			t.Errorf("Parse(%q): %d interactions", text, n)
		}
	}
}

func TestLoadBad(t *testing.T) {
	t.Parallel()
	badInteraction := func(replace, with string) string {
		if !strings.Contains(goodCassette, replace) {
			panic("test setup: " + replace)
		}
		return strings.Replace(goodCassette, replace, with, 1)
	}
	tests := []struct {
		name    string
		content string // "" with missing: no file at all
		missing bool
		max     int64
		is      error
		want    []string // substrings of the message
	}{
		{name: "missing file", missing: true, is: fs.ErrNotExist, want: []string{"missing.yaml: cannot read cassette: no such file or directory"}},
		{name: "empty file", content: "", is: replay.ErrEmpty, want: []string{"empty.yaml: cassette is empty"}},
		{name: "blank file", content: "\n  \n", is: replay.ErrEmpty, want: []string{"cassette is empty"}},
		{name: "only a document marker", content: "---\n", is: replay.ErrEmpty, want: []string{"cassette is empty"}},
		{name: "not yaml", content: "version: 2\ninteractions:\n  - id: 0\n   request: [\n", is: replay.ErrSyntax, want: []string{".yaml:2: did not find expected '-' indicator"}},
		{name: "tab indentation", content: "version: 2\n\tinteractions: []\n", is: replay.ErrSyntax, want: []string{".yaml:2: found a tab character that violates indentation"}},
		{name: "a list, not a mapping", content: "- 1\n- 2\n", is: replay.ErrInvalid, want: []string{".yaml:1: a cassette is a YAML mapping"}},
		{name: "no version", content: "interactions: []\n", is: replay.ErrVersion, want: []string{".yaml:1: no version: field"}},
		{name: "version 1", content: "---\nversion: 1\ninteractions: []\n", is: replay.ErrVersion, want: []string{".yaml:2: version \"1\": unsupported cassette version"}},
		{name: "version not a number", content: "version: two\ninteractions: []\n", is: replay.ErrVersion, want: []string{`version "two"`}},
		{name: "interactions not a list", content: "version: 2\ninteractions: {a: 1}\n", is: replay.ErrInvalid, want: []string{".yaml:2: interactions: must be a list"}},
		{name: "code not a number", content: badInteraction("code: 200", "code: OK"), is: replay.ErrInvalid, want: []string{".yaml:17: cannot unmarshal !!str `OK` into int"}},
		{name: "headers not a map", content: badInteraction("headers:\n            Accept:\n                - application/vnd.github.v3+json\n", "headers: 7\n"), is: replay.ErrInvalid, want: []string{".yaml:11: cannot unmarshal !!int `7` into http.Header"}},
		{name: "no method", content: badInteraction("method: GET", "method: \"\""), is: replay.ErrInvalid, want: []string{".yaml:9: interaction 0: request.method is empty"}},
		{name: "method with a space", content: badInteraction("method: GET", "method: G T"), is: replay.ErrInvalid, want: []string{".yaml:9: interaction 0: request.method \"G T\" is not an HTTP method"}},
		{name: "no url", content: badInteraction("url: https://api.github.com/repos/o/r/pulls/1", "url: \"\""), is: replay.ErrInvalid, want: []string{"interaction 0: request.url is empty"}},
		{name: "bad url", content: badInteraction("url: https://api.github.com/repos/o/r/pulls/1", "url: \"http://[::1\""), is: replay.ErrInvalid, want: []string{".yaml:10: interaction 0: request.url \"http://[::1\" does not parse"}},
		{name: "status out of range", content: badInteraction("code: 200", "code: 42"), is: replay.ErrInvalid, want: []string{".yaml:17: interaction 0: response.code 42 is not an HTTP status"}},
		{name: "missing response code", content: badInteraction("        code: 200\n", ""), is: replay.ErrInvalid, want: []string{"interaction 0: response.code 0 is not an HTTP status"}},
		{name: "over the size cap", content: goodCassette, max: 100, is: replay.ErrTooLarge, want: []string{"over the 100-byte cap"}},
		{name: "alias bomb", content: aliasBomb, is: replay.ErrAlias, want: []string{".yaml:3: YAML alias *a: cassettes are written without aliases (go-vcr never writes them); refusing it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := strings.ReplaceAll(tt.name, " ", "-") + ".yaml"
			if tt.name == "empty file" {
				name = "empty.yaml"
			}
			var p string
			if tt.missing {
				p = filepath.Join(t.TempDir(), "missing.yaml")
			} else {
				p = writeFile(t, name, tt.content)
			}
			c, err := replay.Load(p, replay.LoadOptions{MaxBytes: tt.max})
			if err == nil {
				t.Fatalf("Load = %d interactions, want an error", len(c.Interactions))
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			var le *replay.LoadError
			if !errors.As(err, &le) || le.File != p {
				t.Errorf("error %q is not a *LoadError naming %s", err, p)
			}
			if !strings.HasPrefix(err.Error(), p+":") {
				t.Errorf("error %q does not start with the file name", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// aliasBomb is the billion-laughs shape. Its first alias is refused before
// anything is decoded.
const aliasBomb = `version: 2
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
interactions: [*h]
`

func TestLoadDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := replay.Load(dir, replay.LoadOptions{})
	if err == nil || err.Error() != dir+": not a regular file (a directory)" || !errors.Is(err, replay.ErrNotRegular) {
		t.Fatalf("Load(dir) = %v, want %s: not a regular file (a directory)", err, dir)
	}
}

// TestParseRefusesAliases: go-vcr never writes an anchor or an alias, so
// a cassette holding one is refused, naming the alias (or, when there is
// none, the anchor) and its line, before anything is decoded.
func TestParseRefusesAliases(t *testing.T) {
	t.Parallel()
	interaction := func(headers string) string {
		return "version: 2\ninteractions:\n  - request:\n      method: GET\n      url: https://api.github.com/user\n" +
			"      headers:\n" + headers + "    response:\n      code: 200\n"
	}
	tests := []struct {
		name, content, want string
	}{
		{"alias of a header list", interaction("        A: &h [x, y]\n        B: *h\n"), "x.yaml:8: YAML alias *h: cassettes are written without aliases (go-vcr never writes them); refusing it"},
		{"anchor alone", interaction("        A: &h [x, y]\n"), "x.yaml:7: YAML anchor &h: cassettes are written without anchors (go-vcr never writes them); refusing it"},
		{"alias of an interaction", "version: 2\nx: &i {request: {method: GET, url: 'https://api.github.com/'}, response: {code: 200}}\ninteractions: [*i, *i]\n", "x.yaml:3: YAML alias *i:"},
		{"merge key", "version: 2\nx: &r {method: GET}\ninteractions:\n  - request: {<<: *r, url: 'https://api.github.com/'}\n    response: {code: 200}\n", "x.yaml:4: YAML alias *r:"},
		{"interactions an alias", "version: 2\nx: &l []\ninteractions: *l\n", "x.yaml:3: YAML alias *l:"},
		{"recursive alias", "version: 2\ninteractions: &l [*l]\n", "x.yaml:2: YAML alias *l:"},
		{"billion laughs", aliasBomb, "x.yaml:3: YAML alias *a:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := replay.Parse("x.yaml", []byte(tt.content), replay.LoadOptions{})
			if err == nil {
				t.Fatalf("Parse = %d interactions, want an error", len(c.Interactions))
			}
			if !errors.Is(err, replay.ErrAlias) || !errors.Is(err, replay.ErrInvalid) {
				t.Errorf("error %q is not ErrAlias and ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to start %q", err, tt.want)
			}
		})
	}
}

// aliasBombMB is a 1 MB cassette of the shape that took callbudget run 70 s
// and 4 GB before aliases were refused: one header list of 20,000 items
// and 70,000 more headers aliasing it, 1.4 billion strings once expanded.
// yaml.v3's own guard does not catch it (few aliases per decoded node).
func aliasBombMB() []byte {
	var b strings.Builder
	b.WriteString("version: 2\ninteractions:\n  - request:\n      method: GET\n      url: https://api.github.com/user\n      headers:\n        A: &a [x")
	b.WriteString(strings.Repeat(",x", 19_999))
	b.WriteString("]\n")
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("        K" + strconv.Itoa(i) + ": *a\n")
	}
	b.WriteString("    response:\n      code: 200\n")
	return []byte(b.String())
}

func TestParseAliasBombMB(t *testing.T) {
	t.Parallel()
	_, err := replay.Parse("bomb.yaml", aliasBombMB(), replay.LoadOptions{})
	if want := "bomb.yaml:8: YAML alias *a: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Parse = %v, want %s…", err, want)
	}
}

// BenchmarkParseAliasBomb: the 1 MB bomb is refused at the cost of parsing
// 1 MB of YAML into nodes, about 130 ms on a 2-CPU CI machine (go test -bench ParseAliasBomb
// ./replay/), where decoding it ran for minutes.
func BenchmarkParseAliasBomb(b *testing.B) {
	data := aliasBombMB()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := replay.Parse("bomb.yaml", data, replay.LoadOptions{}); !errors.Is(err, replay.ErrAlias) {
			b.Fatal(err)
		}
	}
}
