package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"
)

// tableOperations reads the operations of a generated table back from its
// Go source, with its @octokit/openapi version.
func tableOperations(t *testing.T, src []byte) (string, []operation) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "table_gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var version string
	var ops []operation
	unquote := func(e ast.Expr) string {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Fatalf("not a string literal: %#v", e)
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
			return true
		}
		switch vs.Names[0].Name {
		case "openapiVersion":
			version = unquote(vs.Values[0])
		case "operations":
			for _, el := range vs.Values[0].(*ast.CompositeLit).Elts {
				fields := el.(*ast.CompositeLit).Elts
				if len(fields) != 6 {
					t.Fatalf("an operation with %d fields", len(fields))
				}
				var s [6]string
				for i, e := range fields {
					s[i] = unquote(e)
				}
				ops = append(ops, operation{s[0], s[1], s[2], s[3], s[4], s[5]})
			}
		}
		return true
	})
	return version, ops
}

// openAPI is a description in @octokit/openapi's shape holding ops, with
// path items that also carry keys that are not operations.
func openAPI(t *testing.T, version string, ops []operation) []byte {
	t.Helper()
	paths := map[string]map[string]any{}
	for _, o := range ops {
		if paths[o.template] == nil {
			paths[o.template] = map[string]any{"parameters": []any{}, "summary": "not an operation"}
		}
		paths[o.template][strings.ToLower(o.method)] = map[string]any{
			"operationId":  o.id,
			"x-github":     map[string]any{"category": o.category, "subcategory": o.subcategory},
			"externalDocs": map[string]any{"url": o.docsURL},
		}
	}
	data, err := json.Marshal(map[string]any{"info": map[string]any{"version": version}, "paths": paths})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func runRoutegen(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestRegenerateTable: the committed routes/table_gen.go is exactly what
// routegen writes for the operations it lists (so regen.sh with the same
// @octokit/openapi release changes nothing), whatever order the
// description's paths and methods come in.
func TestRegenerateTable(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(filepath.Join("..", "..", "routes", "table_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	version, ops := tableOperations(t, want)
	if version == "" || len(ops) < 1000 {
		t.Fatalf("table_gen.go: version %q, %d operations", version, len(ops))
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "api.github.com.json"), filepath.Join(dir, "table_gen.go")
	if err := os.WriteFile(in, openAPI(t, version, ops), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runRoutegen(t, "-in", in, "-out", out)
	if err != nil || exitCode(err) != exitOK {
		t.Fatalf("routegen: %v\n%s", err, stderr)
	}
	if wantLine := "routegen: wrote " + strconv.Itoa(len(ops)) + " operations from @octokit/openapi " + version + " to " + out + "\n"; stdout != wantLine {
		t.Errorf("stdout %q, want %q", stdout, wantLine)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("routegen over table_gen.go's own operations writes another table (%d bytes, committed %d)", len(got), len(want))
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("written table: %v, mode %v", err, fi.Mode())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("routegen left %d files in the output folder, want the input and the table", len(ents))
	}
}

func TestBadRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	op := `{"operationId":"meta/root"}`
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no -in", nil, exitUsage, "need -in FILE"},
		{"extra argument", []string{"-in", "x.json", "extra"}, exitUsage, "need -in FILE"},
		{"unknown flag", []string{"-nope"}, exitUsage, "usage"},
		{"help", []string{"-h"}, exitOK, "help requested"},
		{"missing input", []string{"-in", filepath.Join(dir, "none.json")}, exitFailure, "open description"},
		{"not JSON", []string{"-in", write("bad.json", "{")}, exitFailure, "decode OpenAPI JSON"},
		{"no version", []string{"-in", write("nover.json", `{"paths":{"/":{"get":`+op+`}}}`)}, exitFailure, "no info.version"},
		{"no paths", []string{"-in", write("nopaths.json", `{"info":{"version":"1"}}`)}, exitFailure, "no paths"},
		{"relative path", []string{"-in", write("rel.json", `{"info":{"version":"1"},"paths":{"zen":{"get":`+op+`}}}`)}, exitFailure, `path "zen": does not start with /`},
		{"no operationId", []string{"-in", write("noid.json", `{"info":{"version":"1"},"paths":{"/zen":{"get":{}}}}`)}, exitFailure, "GET /zen: no operationId"},
		{"unwritable output", []string{"-in", write("ok.json", `{"info":{"version":"1"},"paths":{"/zen":{"get":`+op+`}}}`), "-out", filepath.Join(dir, "ok.json", "table_gen.go")}, exitFailure, "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runRoutegen(t, tc.args...)
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one with %q", err, tc.msg)
			}
			if tc.code == exitUsage && !strings.Contains(stderr, "-in") && tc.name != "unknown flag" {
				t.Errorf("no usage on stderr:\n%s", stderr)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := write("cancel.json", `{"info":{"version":"1"},"paths":{"/zen":{"get":`+op+`}}}`)
	if err := run(ctx, []string{"-in", in, "-out", filepath.Join(dir, "never.go")}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "never.go")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled run wrote its output: %v", err)
	}
}
