//go:build unix

package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbudget/callbudget/importer"
	"github.com/callbudget/callbudget/replay"
)

// pyyamlShared is what PyYAML 6.0.3's yaml.dump writes for a vcrpy
// cassette whose interactions share one headers dict each way: an anchor
// at the first use (&id001) and an alias at the next (*id001). Legitimate,
// so it imports, each alias standing for what its anchor holds.
const pyyamlShared = `interactions:
- request:
    body: null
    headers: &id001
      Accept:
      - '*/*'
    method: GET
    uri: https://api.github.com/user
  response:
    body:
      string: '{"login":"octo"}'
    headers: &id002
      Content-Type:
      - application/json; charset=utf-8
      X-RateLimit-Remaining:
      - '4999'
    status:
      code: 200
      message: OK
- request:
    body: null
    headers: *id001
    method: GET
    uri: https://api.github.com/rate_limit
  response:
    body:
      string: '{}'
    headers: *id002
    status:
      code: 200
      message: OK
version: 1
`

func TestVCRpyAliasesImport(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.yaml")
	if err := os.WriteFile(path, []byte(pyyamlShared), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _, err := importer.Load(path, "", replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 2 {
		t.Fatalf("%d interactions, want 2", len(c.Interactions))
	}
	for i, in := range c.Interactions {
		if got := in.Request.Headers.Get("Accept"); got != "*/*" {
			t.Errorf("interaction %d: request Accept = %q, want */*", i, got)
		}
		if got := in.Response.Headers.Get("X-RateLimit-Remaining"); got != "4999" {
			t.Errorf("interaction %d: response X-RateLimit-Remaining = %q, want 4999", i, got)
		}
	}
}

// TestRealRecordingsImport: every recording the repository keeps (the
// requre corpus, whose files use aliases, and the go-vcr cassettes) is
// within the expansion bound.
func TestRealRecordingsImport(t *testing.T) {
	t.Parallel()
	dirs := []string{corpusDir(t), filepath.Join(corpusDir(t), "..", "..", "cassettes"), "testdata"}
	n := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.[yj]*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			n++
			if _, _, err := importer.Load(f, "", replay.LoadOptions{}); err != nil {
				t.Errorf("%v", err)
			}
		}
	}
	if n < 25 {
		t.Errorf("only %d recordings found in %v", n, dirs)
	}
}

// vcrpyHeaderBomb is a 1 MB vcrpy cassette: one header list of 20,000
// items and 70,000 more headers aliasing it, 1.4 billion strings once
// expanded. Its aliases are refused at the one that crosses the bound, ten
// times the document's own nodes here, in about 250 ms (most of it
// yaml.v3's parse), where decoding it ran for minutes.
func vcrpyHeaderBomb() string {
	var b strings.Builder
	b.WriteString("interactions:\n- request:\n    body: null\n    method: GET\n    uri: https://api.github.com/user\n    headers:\n      A: &a [x")
	b.WriteString(strings.Repeat(",x", 19_999))
	b.WriteString("]\n")
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("      K" + strconv.Itoa(i) + ": *a\n")
	}
	b.WriteString("  response:\n    body: {string: ''}\n    headers: {}\n    status: {code: 200, message: OK}\nversion: 1\n")
	return b.String()
}

func TestVCRpyAliasBomb(t *testing.T) {
	t.Parallel()
	laughs := "interactions:\n- request: {method: GET, uri: 'https://api.github.com/', body: null, headers: {}}\n  response:\n    status: {code: 200, message: OK}\n    headers: {}\n    body:\n      string: ok\n      a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	prev := "a"
	for i := range 8 {
		name := string(rune('b' + i))
		laughs += "      " + name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = name
	}
	laughs += "version: 1\n"
	body := strings.Repeat("x", 100_000)
	text := "interactions:\n- request: {method: GET, uri: 'https://api.github.com/', body: &b '" + body + "', headers: {}}\n  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ok}}\n" +
		"x: [" + strings.TrimSuffix(strings.Repeat("*b, ", 700), ", ") + "]\nversion: 1\n"
	tests := []struct {
		name, content, want string
	}{
		{"headers", vcrpyHeaderBomb(), "bomb.yaml:76: YAML alias *a: excessive aliasing: with its aliases expanded the document has over 1399830 nodes (139983 of its own)"},
		{"billion laughs", laughs, "bomb.yaml:13: YAML alias *e: excessive aliasing: with its aliases expanded the document has over 1000000 nodes (139 of its own)"},
		{"text", text, "bomb.yaml:4: YAML alias *b: excessive aliasing: with its aliases expanded the document holds over 67108864 bytes of text"},
		{"recursive", "interactions: &l [*l]\nversion: 1\n", "bomb.yaml:1: YAML alias *l: a recursive alias"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "bomb.yaml")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, _, err := importer.Load(path, importer.VCRpy, replay.LoadOptions{})
			t.Logf("refused in %v", time.Since(start))
			if !errors.Is(err, importer.ErrInvalid) || !strings.HasPrefix(err.Error(), filepath.Join(filepath.Dir(path), tt.want)) {
				t.Errorf("Load = %v\nwant ErrInvalid starting %s", err, tt.want)
			}
		})
	}
}

// TestLoadNotRegular: a named pipe given as a recording fails at once,
// whether its format is named or detected.
func TestLoadNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []importer.Format{"", importer.VCRpy, importer.GoVCR} {
		done := make(chan error, 1)
		go func() {
			_, _, err := importer.Load(fifo, f, replay.LoadOptions{})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || err.Error() != fifo+": not a regular file (a named pipe)" {
				t.Errorf("format %q: Load = %v, want %s: not a regular file (a named pipe)", f, err, fifo)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("format %q: Load still blocked after 10s", f)
		}
	}
}

func TestLoadContextDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _, err := importer.LoadContext(ctx, filepath.Join("testdata", "vcrpy.yaml"), "", replay.LoadOptions{})
	var ie *importer.Error
	if c != nil || !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted while loading") {
		t.Errorf("LoadContext with a done ctx = %v, %v; want an *Error wrapping context.Canceled", c, err)
	}
	if _, _, err := importer.LoadContext(context.Background(), filepath.Join("testdata", "vcrpy.yaml"), "", replay.LoadOptions{}); err != nil {
		t.Errorf("LoadContext: %v", err)
	}
}
