// Command routegen turns GitHub's REST OpenAPI descriptions (the generated/
// files of the npm package @octokit/openapi) into routes/table_gen.go, the
// operation table behind routes.LookupIn.
//
// Usage:
//
//	go run ./internal/routegen -dotcom api.github.com.json -ghec ghec.json \
//		-ghes ghes-3.19.json -out routes/table_gen.go
//
// It reads one description per GitHub: api.github.com (Free, Pro and Team),
// GitHub Enterprise Cloud and one GitHub Enterprise Server release, and
// merges their operations by method and template into one table whose rows
// say in which of the three each operation is documented. The descriptions
// must come from one @octokit/openapi release; each file is checked to be
// the one its flag names (info.x-github-plan).
//
// internal/routegen/regen.sh installs the pinned package, picks its newest
// GitHub Enterprise Server release and runs this. The output depends only
// on the input: operations are sorted by template and method, so the same
// descriptions give a byte-identical file.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
)

// Exit codes, mapped in exitCode only.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// errUsage marks errors in the command line, which get exitUsage.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "routegen:", err)
	}
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	default:
		return exitFailure
	}
}

// product is one GitHub whose description the table merges, in the order of
// routes.Product's bits.
type product struct {
	flag  string // the command-line flag naming its file
	plan  string // the info.x-github-plan its file carries
	ident string // its routes.Product constant
	bit   uint8  // its routes.Product bit
}

var products = []product{
	{flag: "dotcom", plan: "api.github.com", ident: "DotCom", bit: 1},
	{flag: "ghec", plan: "ghec", ident: "EnterpriseCloud", bit: 2},
	{flag: "ghes", plan: "ghes", ident: "EnterpriseServer", bit: 4},
}

// allProducts is every bit of products.
const allProducts = 7

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("routegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := make([]*string, len(products))
	for i, p := range products {
		in[i] = fs.String(p.flag, "", "path of @octokit/openapi's description for "+p.plan)
	}
	out := fs.String("out", "routes/table_gen.go", "path of the Go file to write")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *in[0] == "" || *in[1] == "" || *in[2] == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("%w: need -dotcom, -ghec and -ghes FILE and no other arguments", errUsage)
	}

	descs := make([]description, len(products))
	for i, p := range products {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := readDescription(*in[i], p)
		if err != nil {
			return err
		}
		descs[i] = d
	}
	t, err := merge(descs)
	if err != nil {
		return err
	}
	src, err := render(t)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, src); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "routegen: wrote %d operations (%s) from @octokit/openapi %s to %s\n",
		len(t.ops), t.sourceCounts(), t.version, *out)
	return nil
}

// operation is one path × method of a description, with the fields the
// routes table keeps, and the products it is documented in.
type operation struct {
	method      string
	template    string
	id          string
	category    string
	subcategory string
	docsURL     string
	products    uint8
}

// description is one parsed OpenAPI file.
type description struct {
	product product
	version string // info.version: the @octokit/openapi release
	release string // info.x-github-release of a GitHub Enterprise Server file
	ops     []operation
}

// file is the name @octokit/openapi gives the description in generated/.
func (d description) file() string {
	if d.release != "" {
		return d.product.plan + "-" + d.release + ".json"
	}
	return d.product.plan + ".json"
}

func readDescription(path string, p product) (description, error) {
	f, err := os.Open(path)
	if err != nil {
		return description{}, fmt.Errorf("open description: %w", err)
	}
	defer f.Close()
	d, err := parseDescription(f, p)
	if err != nil {
		return description{}, fmt.Errorf("read %s: %w", path, err)
	}
	return d, nil
}

// httpMethods are the keys of an OpenAPI path item that name operations;
// the others ("parameters", "summary", …) are skipped.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

func parseDescription(r io.Reader, p product) (description, error) {
	var doc struct {
		Info struct {
			Version string `json:"version"`
			Plan    string `json:"x-github-plan"`
			// A number in the files (3.19), kept as written: 3.10 is not 3.1.
			Release json.RawMessage `json:"x-github-release"`
		} `json:"info"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return description{}, fmt.Errorf("decode OpenAPI JSON: %w", err)
	}
	if doc.Info.Version == "" {
		return description{}, errors.New("no info.version: is this @octokit/openapi's file?")
	}
	if doc.Info.Plan != p.plan {
		return description{}, fmt.Errorf("info.x-github-plan is %q, want %q: is this the file for -%s?", doc.Info.Plan, p.plan, p.flag)
	}
	d := description{product: p, version: doc.Info.Version}
	if p.plan == "ghes" {
		d.release = strings.Trim(string(doc.Info.Release), `"`)
		if !isRelease(d.release) {
			return description{}, fmt.Errorf("info.x-github-release is %q, want a release such as 3.19", doc.Info.Release)
		}
	}
	if len(doc.Paths) == 0 {
		return description{}, errors.New("no paths")
	}

	for path, item := range doc.Paths {
		if !strings.HasPrefix(path, "/") {
			return description{}, fmt.Errorf("path %q: does not start with /", path)
		}
		for key, raw := range item {
			if !httpMethods[key] {
				continue
			}
			var o struct {
				OperationID string `json:"operationId"`
				XGitHub     struct {
					Category    string `json:"category"`
					Subcategory string `json:"subcategory"`
				} `json:"x-github"`
				ExternalDocs struct {
					URL string `json:"url"`
				} `json:"externalDocs"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				return description{}, fmt.Errorf("%s %s: %w", strings.ToUpper(key), path, err)
			}
			if o.OperationID == "" {
				return description{}, fmt.Errorf("%s %s: no operationId", strings.ToUpper(key), path)
			}
			d.ops = append(d.ops, operation{
				method:      strings.ToUpper(key),
				template:    path,
				id:          o.OperationID,
				category:    o.XGitHub.Category,
				subcategory: o.XGitHub.Subcategory,
				docsURL:     o.ExternalDocs.URL,
				products:    p.bit,
			})
		}
	}
	return d, nil
}

// isRelease reports a MAJOR.MINOR release number.
func isRelease(s string) bool {
	major, minor, ok := strings.Cut(s, ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// table is the merged operations of every description.
type table struct {
	version string
	descs   []description
	ops     []operation
}

func (t table) sourceCounts() string {
	parts := make([]string, len(t.descs))
	for i, d := range t.descs {
		parts[i] = fmt.Sprintf("%s %d", d.file(), len(d.ops))
	}
	return strings.Join(parts, ", ")
}

// merge joins the descriptions' operations by method and template. The
// descriptions agree on an operation's id (a disagreement is an error: the
// table could not say which one to name); its category, subcategory and
// docs URL are taken from the first description, in products order, that
// has them, so an operation api.github.com documents links to the
// api.github.com docs.
func merge(descs []description) (table, error) {
	t := table{version: descs[0].version, descs: descs}
	for _, d := range descs[1:] {
		if d.version != t.version {
			return table{}, fmt.Errorf("%s is from @octokit/openapi %s, %s from %s: use one release",
				d.file(), d.version, descs[0].file(), t.version)
		}
	}
	byKey := map[string]int{}
	for _, d := range descs {
		for _, o := range d.ops {
			key := o.method + " " + o.template
			i, ok := byKey[key]
			if !ok {
				byKey[key] = len(t.ops)
				t.ops = append(t.ops, o)
				continue
			}
			m := &t.ops[i]
			if m.id != o.id {
				return table{}, fmt.Errorf("%s: operationId %q in one description, %q in %s", key, m.id, o.id, d.file())
			}
			m.products |= o.products
			if m.category == "" {
				m.category = o.category
			}
			if m.subcategory == "" {
				m.subcategory = o.subcategory
			}
			if m.docsURL == "" {
				m.docsURL = o.docsURL
			}
		}
	}
	// Map iteration order is random; sorting makes the output reproducible.
	sort.Slice(t.ops, func(i, j int) bool {
		a, b := t.ops[i], t.ops[j]
		if a.template != b.template {
			return a.template < b.template
		}
		return a.method < b.method
	})
	return t, nil
}

// productsExpr is the Go expression for a set of routes.Product bits.
func productsExpr(bits uint8) string {
	if bits == allProducts {
		return "AllProducts"
	}
	var names []string
	for _, p := range products {
		if bits&p.bit != 0 {
			names = append(names, p.ident)
		}
	}
	return strings.Join(names, " | ")
}

func render(t table) ([]byte, error) {
	var ghes description
	files := make([]string, len(t.descs))
	for i, d := range t.descs {
		files[i] = fmt.Sprintf("generated/%s (%d operations)", d.file(), len(d.ops))
		if d.product.plan == "ghes" {
			ghes = d
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./internal/routegen; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// Source: npm @octokit/openapi@%s,\n", t.version)
	for i, f := range files {
		sep := ","
		if i == len(files)-1 {
			sep = ":"
		}
		fmt.Fprintf(&b, "// %s%s\n", f, sep)
	}
	fmt.Fprintf(&b, "// %d operations merged by method and template.\n", len(t.ops))
	fmt.Fprintf(&b, "// Regenerate with: bash internal/routegen/regen.sh\n\n")
	fmt.Fprintf(&b, "package routes\n\n")
	fmt.Fprintf(&b, "// openapiVersion is the @octokit/openapi release the table comes from.\n")
	fmt.Fprintf(&b, "const openapiVersion = %q\n\n", t.version)
	fmt.Fprintf(&b, "// enterpriseServerRelease is the GitHub Enterprise Server release whose\n")
	fmt.Fprintf(&b, "// description the EnterpriseServer rows come from.\n")
	fmt.Fprintf(&b, "const enterpriseServerRelease = %q\n\n", ghes.release)
	fmt.Fprintf(&b, "// operations is sorted by template, then method.\n")
	fmt.Fprintf(&b, "var operations = []operation{\n")
	for _, o := range t.ops {
		fmt.Fprintf(&b, "\t{%q, %q, %q, %q, %q, %q, %s},\n",
			o.method, o.template, o.id, o.category, o.subcategory, o.docsURL, productsExpr(o.products))
	}
	fmt.Fprintf(&b, "}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated code: %w", err)
	}
	return src, nil
}

// writeFileAtomic writes through a temporary file in the same directory so a
// failed run never leaves a half-written table behind.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
