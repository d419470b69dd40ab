// Command routegen turns GitHub's REST OpenAPI description (the
// generated/api.github.com.json file of the npm package @octokit/openapi)
// into routes/table_gen.go, the operation table behind routes.Lookup.
//
// Usage:
//
//	go run ./internal/routegen -in api.github.com.json -out routes/table_gen.go
//
// internal/routegen/regen.sh installs the pinned package and runs this.
// The output depends only on the input: operations are sorted by template
// and method, so the same description gives a byte-identical file.
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("routegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "path of @octokit/openapi's generated/api.github.com.json")
	out := fs.String("out", "routes/table_gen.go", "path of the Go file to write")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *in == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("%w: need -in FILE and no other arguments", errUsage)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("open description: %w", err)
	}
	defer f.Close()
	d, err := parseDescription(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", *in, err)
	}
	src, err := render(d)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, src); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "routegen: wrote %d operations from @octokit/openapi %s to %s\n", len(d.ops), d.version, *out)
	return nil
}

// operation is one path × method of the description, with the fields the
// routes table keeps.
type operation struct {
	method      string
	template    string
	id          string
	category    string
	subcategory string
	docsURL     string
}

type description struct {
	version string
	ops     []operation
}

// httpMethods are the keys of an OpenAPI path item that name operations;
// the others ("parameters", "summary", …) are skipped.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

func parseDescription(r io.Reader) (description, error) {
	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return description{}, fmt.Errorf("decode OpenAPI JSON: %w", err)
	}
	if doc.Info.Version == "" {
		return description{}, errors.New("no info.version: is this @octokit/openapi's file?")
	}
	if len(doc.Paths) == 0 {
		return description{}, errors.New("no paths")
	}

	d := description{version: doc.Info.Version}
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
			})
		}
	}
	// Map iteration order is random; sorting makes the output reproducible.
	sort.Slice(d.ops, func(i, j int) bool {
		a, b := d.ops[i], d.ops[j]
		if a.template != b.template {
			return a.template < b.template
		}
		return a.method < b.method
	})
	return d, nil
}

func render(d description) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./internal/routegen; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// Source: generated/api.github.com.json of npm @octokit/openapi@%s,\n", d.version)
	fmt.Fprintf(&b, "// %d operations. Regenerate with: bash internal/routegen/regen.sh\n\n", len(d.ops))
	fmt.Fprintf(&b, "package routes\n\n")
	fmt.Fprintf(&b, "// openapiVersion is the @octokit/openapi release the table comes from.\n")
	fmt.Fprintf(&b, "const openapiVersion = %q\n\n", d.version)
	fmt.Fprintf(&b, "// operations is sorted by template, then method.\n")
	fmt.Fprintf(&b, "var operations = []operation{\n")
	for _, o := range d.ops {
		fmt.Fprintf(&b, "\t{%q, %q, %q, %q, %q, %q},\n",
			o.method, o.template, o.id, o.category, o.subcategory, o.docsURL)
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
