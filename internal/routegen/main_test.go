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
	"github.com/callbudget/callbudget/routes"
)

// productBits maps the routes.Product constants a table names to their
// bits.
var productBits = func() map[string]uint8 {
	m := map[string]uint8{"AllProducts": allProducts}
	for _, p := range products {
		m[p.ident] = p.bit
	}
	return m
}()

// TestProductsMatchRoutes: the bits routegen writes are the ones package
// routes declares under those names.
func TestProductsMatchRoutes(t *testing.T) {
	t.Parallel()
	want := map[string]routes.Product{
		"DotCom":           routes.DotCom,
		"EnterpriseCloud":  routes.EnterpriseCloud,
		"EnterpriseServer": routes.EnterpriseServer,
		"AllProducts":      routes.AllProducts,
	}
	for name, bit := range productBits {
		if routes.Product(bit) != want[name] {
			t.Errorf("routegen writes %s as %d, routes has %d", name, bit, want[name])
		}
	}
	for _, p := range products {
		if got := routes.Product(p.bit).String(); got != p.plan {
			t.Errorf("routes.Product(%d).String() = %q, want %q", p.bit, got, p.plan)
		}
	}
}

// tableOperations reads the operations of a generated table back from its
// Go source, with its @octokit/openapi version and Enterprise Server
// release.
func tableOperations(t *testing.T, src []byte) (version, release string, ops []operation) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "table_gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
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
	// bits reads DotCom | EnterpriseCloud, or AllProducts.
	var bits func(e ast.Expr) uint8
	bits = func(e ast.Expr) uint8 {
		switch e := e.(type) {
		case *ast.Ident:
			b, ok := productBits[e.Name]
			if !ok {
				t.Fatalf("unknown product %s", e.Name)
			}
			return b
		case *ast.BinaryExpr:
			if e.Op != token.OR {
				t.Fatalf("products joined by %s", e.Op)
			}
			return bits(e.X) | bits(e.Y)
		}
		t.Fatalf("not a product: %#v", e)
		return 0
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
			return true
		}
		switch vs.Names[0].Name {
		case "openapiVersion":
			version = unquote(vs.Values[0])
		case "enterpriseServerRelease":
			release = unquote(vs.Values[0])
		case "operations":
			for _, el := range vs.Values[0].(*ast.CompositeLit).Elts {
				fields := el.(*ast.CompositeLit).Elts
				if len(fields) != 7 {
					t.Fatalf("an operation with %d fields", len(fields))
				}
				var s [6]string
				for i, e := range fields[:6] {
					s[i] = unquote(e)
				}
				ops = append(ops, operation{s[0], s[1], s[2], s[3], s[4], s[5], bits(fields[6])})
			}
		}
		return true
	})
	return version, release, ops
}

// openAPI is a description in @octokit/openapi's shape of the product p,
// holding those of ops it documents, with path items that also carry keys
// that are not operations.
func openAPI(t *testing.T, p product, version, release string, ops []operation) []byte {
	t.Helper()
	paths := map[string]map[string]any{}
	for _, o := range ops {
		if o.products&p.bit == 0 {
			continue
		}
		if paths[o.template] == nil {
			paths[o.template] = map[string]any{"parameters": []any{}, "summary": "not an operation"}
		}
		paths[o.template][strings.ToLower(o.method)] = map[string]any{
			"operationId":  o.id,
			"x-github":     map[string]any{"category": o.category, "subcategory": o.subcategory},
			"externalDocs": map[string]any{"url": o.docsURL},
		}
	}
	info := map[string]any{"version": version, "x-github-plan": p.plan}
	if p.plan == "ghes" {
		info["x-github-release"] = json.RawMessage(release)
	}
	data, err := json.Marshal(map[string]any{"info": info, "paths": paths})
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
// routegen writes for the operations it lists, split back into the three
// descriptions (so regen.sh with the same @octokit/openapi release changes
// nothing), whatever order the descriptions' paths and methods come in.
func TestRegenerateTable(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(filepath.Join("..", "..", "routes", "table_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	version, release, ops := tableOperations(t, want)
	if version == "" || release == "" || len(ops) < 1000 {
		t.Fatalf("table_gen.go: version %q, release %q, %d operations", version, release, len(ops))
	}
	dir := t.TempDir()
	var args []string
	var counts []string
	for _, p := range products {
		in := filepath.Join(dir, p.flag+".json")
		data := openAPI(t, p, version, release, ops)
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-"+p.flag, in)
		n := 0
		for _, o := range ops {
			if o.products&p.bit != 0 {
				n++
			}
		}
		file := p.plan + ".json"
		if p.plan == "ghes" {
			file = "ghes-" + release + ".json"
		}
		counts = append(counts, file+" "+strconv.Itoa(n))
	}
	out := filepath.Join(dir, "table_gen.go")
	stdout, stderr, err := runRoutegen(t, append(args, "-out", out)...)
	if err != nil || exitCode(err) != exitOK {
		t.Fatalf("routegen: %v\n%s", err, stderr)
	}
	if wantLine := "routegen: wrote " + strconv.Itoa(len(ops)) + " operations (" + strings.Join(counts, ", ") +
		") from @octokit/openapi " + version + " to " + out + "\n"; stdout != wantLine {
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
	if ents, _ := os.ReadDir(dir); len(ents) != len(products)+1 {
		t.Errorf("routegen left %d files in the output folder, want the inputs and the table", len(ents))
	}
}

// TestMerge: an operation several descriptions document is one row with
// their products, its fields from the first description that has them.
func TestMerge(t *testing.T) {
	t.Parallel()
	desc := func(p product, ops ...operation) description {
		for i := range ops {
			ops[i].products = p.bit
		}
		d := description{product: p, version: "1", ops: ops}
		if p.plan == "ghes" {
			d.release = "3.19"
		}
		return d
	}
	tbl, err := merge([]description{
		desc(products[0], operation{method: "GET", template: "/zen", id: "meta/get-zen", category: "meta", docsURL: "https://docs.github.com/rest/meta"}),
		desc(products[1],
			operation{method: "GET", template: "/zen", id: "meta/get-zen", category: "meta", subcategory: "meta", docsURL: "https://docs.github.com/enterprise-cloud@latest/rest/meta"},
			operation{method: "GET", template: "/enterprises/{enterprise}", id: "enterprise/get"}),
		desc(products[2], operation{method: "GET", template: "/zen", id: "meta/get-zen"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []operation{
		{method: "GET", template: "/enterprises/{enterprise}", id: "enterprise/get", products: 2},
		{method: "GET", template: "/zen", id: "meta/get-zen", category: "meta", subcategory: "meta", docsURL: "https://docs.github.com/rest/meta", products: 7},
	}
	if len(tbl.ops) != len(want) {
		t.Fatalf("merged %d operations, want %d: %+v", len(tbl.ops), len(want), tbl.ops)
	}
	for i := range want {
		if tbl.ops[i] != want[i] {
			t.Errorf("operation %d = %+v, want %+v", i, tbl.ops[i], want[i])
		}
	}

	_, err = merge([]description{
		desc(products[0], operation{method: "GET", template: "/zen", id: "meta/get-zen"}),
		desc(products[1], operation{method: "GET", template: "/zen", id: "meta/zen"}),
		desc(products[2]),
	})
	if err == nil || !strings.Contains(err.Error(), `GET /zen: operationId "meta/get-zen" in one description, "meta/zen" in ghec.json`) {
		t.Errorf("ids that disagree: %v", err)
	}
	other := desc(products[2])
	other.version = "2"
	_, err = merge([]description{desc(products[0]), desc(products[1]), other})
	if err == nil || !strings.Contains(err.Error(), "ghes-3.19.json is from @octokit/openapi 2, api.github.com.json from 1") {
		t.Errorf("versions that disagree: %v", err)
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
	valid := func(plan, release string) string {
		info := `{"version":"1","x-github-plan":"` + plan + `"` + release + `}`
		return write(plan+".json", `{"info":`+info+`,"paths":{"/zen":{"get":`+op+`}}}`)
	}
	dotcom, ghec, ghes := valid("api.github.com", ""), valid("ghec", ""), valid("ghes", `,"x-github-release":3.19`)
	three := func(dotcomFile string) []string {
		return []string{"-dotcom", dotcomFile, "-ghec", ghec, "-ghes", ghes, "-out", filepath.Join(dir, "out.go")}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no inputs", nil, exitUsage, "need -dotcom, -ghec and -ghes FILE"},
		{"one input missing", []string{"-dotcom", dotcom, "-ghec", ghec}, exitUsage, "need -dotcom, -ghec and -ghes FILE"},
		{"extra argument", append(three(dotcom), "extra"), exitUsage, "need -dotcom, -ghec and -ghes FILE"},
		{"unknown flag", []string{"-nope"}, exitUsage, "usage"},
		{"old -in flag", []string{"-in", dotcom}, exitUsage, "usage"},
		{"help", []string{"-h"}, exitOK, "help requested"},
		{"missing input", three(filepath.Join(dir, "none.json")), exitFailure, "open description"},
		{"not JSON", three(write("bad.json", "{")), exitFailure, "decode OpenAPI JSON"},
		{"no version", three(write("nover.json", `{"paths":{"/":{"get":`+op+`}}}`)), exitFailure, "no info.version"},
		{"files swapped", []string{"-dotcom", ghec, "-ghec", dotcom, "-ghes", ghes}, exitFailure, `info.x-github-plan is "ghec", want "api.github.com": is this the file for -dotcom?`},
		{"no release", []string{"-dotcom", dotcom, "-ghec", ghec, "-ghes", write("norel.json", `{"info":{"version":"1","x-github-plan":"ghes"},"paths":{"/zen":{"get":`+op+`}}}`)}, exitFailure, "info.x-github-release is"},
		{"no paths", three(write("nopaths.json", `{"info":{"version":"1","x-github-plan":"api.github.com"}}`)), exitFailure, "no paths"},
		{"relative path", three(write("rel.json", `{"info":{"version":"1","x-github-plan":"api.github.com"},"paths":{"zen":{"get":`+op+`}}}`)), exitFailure, `path "zen": does not start with /`},
		{"no operationId", three(write("noid.json", `{"info":{"version":"1","x-github-plan":"api.github.com"},"paths":{"/zen":{"get":{}}}}`)), exitFailure, "GET /zen: no operationId"},
		{"versions differ", three(write("v2.json", `{"info":{"version":"2","x-github-plan":"api.github.com"},"paths":{"/zen":{"get":`+op+`}}}`)), exitFailure, "use one release"},
		{"unwritable output", append(three(dotcom)[:6], "-out", filepath.Join(dotcom, "table_gen.go")), exitFailure, "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runRoutegen(t, tc.args...)
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit %d, want %d (%v)", got, tc.code, err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one with %q", err, tc.msg)
			}
			if tc.code == exitUsage && !strings.Contains(stderr, "-dotcom") && !strings.HasPrefix(tc.name, "unknown") && !strings.HasPrefix(tc.name, "old") {
				t.Errorf("no usage on stderr:\n%s", stderr)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, []string{"-dotcom", dotcom, "-ghec", ghec, "-ghes", ghes, "-out", filepath.Join(dir, "never.go")}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "never.go")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled run wrote its output: %v", err)
	}
}
