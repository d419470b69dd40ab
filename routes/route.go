package routes

import "strings"

// Route names one GitHub REST API operation.
//
// Known is true when the method and template name an operation GitHub
// documents (or POST /graphql). It is false in two cases: the path matched no
// template, so Template is a fallback built from the path; or the path matched
// a template but the method is not documented for it, so Template is real but
// Operation, Category, Subcategory and DocsURL are empty.
//
// Resource is the key under "resources" of GET /rate_limit that the call is
// counted against: "core", "search", "code_search", "graphql",
// "integration_manifest", "actions_runner_registration", "scim",
// "dependency_snapshots", "dependency_sbom", "audit_log",
// "code_scanning_autofix" or "copilot_usage_records". GitHub no longer counts
// any call against "source_import" or "code_scanning_upload"; those calls are
// "core" (see resource.go).
type Route struct {
	Method      string // upper case
	Template    string // "/repos/{owner}/{repo}/pulls/{pull_number}"
	Operation   string // "pulls/get"; for fallbacks ""
	Category    string
	Subcategory string
	DocsURL     string
	Resource    string // rate-limit resource, see below
	Known       bool   // false when Template is a fallback
}

// operation is one row of the generated table: an OpenAPI path × method.
type operation struct {
	method, template, id, category, subcategory, docsURL string
}

// graphqlRoute is added by hand: GraphQL is one endpoint outside the REST
// description, with a rate limit of its own.
var graphqlRoute = Route{
	Method:    "POST",
	Template:  "/graphql",
	Operation: "graphql",
	Category:  "graphql",
	DocsURL:   "https://docs.github.com/graphql",
	Resource:  resourceGraphQL,
	Known:     true,
}

// Lookup names a request by method and path. The path is already normalised
// by the caller: no /api/v3 prefix, no query string, no trailing slash,
// percent-decoded. Never panics, on any input.
//
// The method is compared in upper case. A missing leading slash is read as if
// it were there. Because the path is percent-decoded, parameters such as
// {path}, {ref} and {branch} may span several segments; see match for how
// that is resolved. A HEAD request on a path whose template documents GET is
// named after the GET operation (it costs the same call), with Method "HEAD".
func Lookup(method, path string) Route {
	method = strings.ToUpper(method)
	p := strings.TrimPrefix(path, "/")
	if p == "graphql" {
		if method == "POST" {
			return graphqlRoute
		}
		return Route{Method: method, Template: graphqlRoute.Template, Resource: resourceGraphQL}
	}

	var buf [16]string
	segs := splitPath(buf[:0], p)
	t := loadTable()
	if n := t.match(method, segs); n != nil {
		return t.route(n, method)
	}
	if alias := byIDForm(segs); alias != nil {
		if n := t.match(method, alias); n != nil {
			return t.route(n, method)
		}
	}
	tmpl := fallbackTemplate(segs)
	return Route{Method: method, Template: tmpl, Resource: resource(method, tmpl)}
}

// byIDForm maps GitHub's by-ID URL forms, which it hands out itself in
// Link headers and redirects, to the form the description documents:
// /repositories/{repository_id}/… to /repos/{owner}/{repo}/…,
// /user/{account_id}/… to /users/{username}/… and
// /organizations/{organization_id}/… to /orgs/{org}/…, so every page of a
// list is named as the one operation it is. nil when segs is not such a
// path. Only used when segs matches no documented template as it is.
func byIDForm(segs []string) []string {
	if len(segs) < 2 || !isDigits(segs[1]) {
		return nil
	}
	switch segs[0] {
	case "repositories":
		return append([]string{"repos", "owner", "repo"}, segs[2:]...)
	case "user":
		if len(segs) > 2 {
			return append([]string{"users", "username"}, segs[2:]...)
		}
	case "organizations":
		return append([]string{"orgs", "org"}, segs[2:]...)
	}
	return nil
}

// Count reports how many operations the table holds.
//
// It counts the generated REST operations only, not the hand-written
// POST /graphql entry.
func Count() int {
	return len(operations)
}

// splitPath appends the segments of p (without its leading slash) to dst.
// An empty p has no segments; "a//b" has an empty one in the middle.
func splitPath(dst []string, p string) []string {
	if p == "" {
		return dst
	}
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return append(dst, p)
		}
		dst = append(dst, p[:i])
		p = p[i+1:]
	}
}
