package routes

import "strings"

// Route names one GitHub REST API operation.
//
// Known is true when the method and template name an operation GitHub
// documents (or POST /graphql). It is false in two cases: the path matched no
// template, so Template is a fallback built from the path; or the path matched
// a template but the method is not documented for it, so Template is real but
// Operation, Category, Subcategory and DocsURL are empty, and Products is 0.
//
// Resource is the key under "resources" of GET /rate_limit that the call is
// counted against, one of Resources(); see resource.go for which routes go
// where and why.
type Route struct {
	Method      string // upper case
	Template    string // "/repos/{owner}/{repo}/pulls/{pull_number}"
	Operation   string // "pulls/get"; for fallbacks ""
	Category    string
	Subcategory string
	DocsURL     string  // from the first of api.github.com, ghec, ghes that documents it
	Resource    string  // rate-limit resource, see below
	Products    Product // where the operation is documented; 0 unless Known
	Known       bool    // false when Template is a fallback
}

// operation is one row of the generated table: an OpenAPI path × method,
// and the descriptions that document it.
type operation struct {
	method, template, id, category, subcategory, docsURL string
	products                                             Product
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
	Products:  AllProducts,
	Known:     true,
}

// Lookup names a request made to api.github.com: it is
// LookupIn(DotCom, method, path). path is escaped, as LookupIn takes it; a
// path already decoded is named as before as long as it has no "%".
func Lookup(method, path string) (r Route) {
	lookup(DotCom, method, path, &r)
	return r
}

// LookupIn names a request made to the GitHub p (see ProductFor) by method
// and path. Never panics, on any input.
//
// path is the request's escaped path, as [net/url.URL.EscapedPath] gives
// it, already normalised by the caller: no GitHub Enterprise Server /api/v3
// prefix, no query string, no trailing slash. It is split on "/" first and
// each segment is percent-decoded after, so a slash sent as %2F stays
// inside its value: /repos/o/r/branches/feature%2Fx/protection is the
// protection of branch "feature/x". A segment that does not decode
// ("100%", "%zz") is kept as it is. A path that was decoded already still
// works when it has no "%": slashes inside {path}, {ref}, {branch} and the
// other parameters that may hold them then span several segments, and
// match says how that is resolved.
//
// The request is named from p's description first, then from the other
// GitHubs' in a fixed order (see passes): Enterprise Cloud is served from
// api.github.com, so a request there for an operation only ghec.json
// documents is still named. p must be DotCom, EnterpriseCloud or
// EnterpriseServer; anything else is read as DotCom.
//
// The method is compared in upper case. A missing leading slash is read as
// if it were there. A HEAD request on a path whose template documents GET
// is named after the GET operation (it costs the same call), with Method
// "HEAD". GitHub's by-ID forms (/repositories/{id}/…, see byIDForm) are
// named as the operation they stand for.
func LookupIn(p Product, method, path string) (r Route) {
	lookup(p, method, path, &r)
	return r
}

// lookup is LookupIn writing its answer to *r, so that the Route is copied
// once, from the table into the caller's result, whether it is called as
// Lookup or as LookupIn (returning it by value from here costs a copy
// more per call, a tenth of a lookup).
func lookup(p Product, method, path string, r *Route) {
	method = strings.ToUpper(method)
	path = strings.TrimPrefix(path, "/")
	if path == "graphql" {
		*r = graphql(method)
		return
	}
	var buf [16]string
	segs := splitPath(buf[:0], path)
	if strings.IndexByte(path, '%') >= 0 {
		for i, s := range segs {
			segs[i] = unescapeSegment(s)
		}
		if len(segs) == 1 && segs[0] == "graphql" {
			*r = graphql(method)
			return
		}
	}

	t := loadTable()
	if n, products, hit := t.match(p, method, segs); n != nil {
		t.route(n, p, products, hit, method, r)
		return
	}
	tmpl := fallbackTemplate(segs)
	*r = Route{Method: method, Template: tmpl, Resource: resource(method, tmpl)}
}

// graphql names a request to the GraphQL endpoint.
func graphql(method string) Route {
	if method == "POST" {
		return graphqlRoute
	}
	return Route{Method: method, Template: graphqlRoute.Template, Resource: resourceGraphQL}
}

// byIDForm maps GitHub's by-ID URL forms, which it hands out itself in
// Link headers and redirects, to the form the description documents:
// /repositories/{repository_id}/… to /repos/{owner}/{repo}/…,
// /user/{account_id}/… to /users/{username}/… and
// /organizations/{organization_id}/… to /orgs/{org}/…, so every page of a
// list is named as the one operation it is. nil when segs is not such a
// path. match tries it after segs as they are (see there).
func byIDForm(segs []string) []string {
	if len(segs) < 2 || !isDigits(segs[1]) {
		return nil
	}
	switch segs[0] {
	case "repositories":
		return append([]string{"repos", "owner", "repo"}, segs[2:]...)
	case "user":
		// /user/{account_id} itself is documented: the by-ID form of
		// /users/{username} is only the paths below it.
		if len(segs) > 2 {
			return append([]string{"users", "username"}, segs[2:]...)
		}
	case "organizations":
		return append([]string{"orgs", "org"}, segs[2:]...)
	}
	return nil
}

// Count reports how many operations the table holds: the generated REST
// operations of every description, an operation several document counted
// once, without the hand-written POST /graphql entry.
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

// unescapeSegment percent-decodes one path segment, or returns it as it is
// when it has no escape or an escape that does not decode ("%zz", a "%" at
// the end). It allocates only when there is something to decode.
func unescapeSegment(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	for j := i; j < len(s); j++ {
		if s[j] == '%' && (j+2 >= len(s) || !isHexDigit(s[j+1]) || !isHexDigit(s[j+2])) {
			return s
		}
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for j := i; j < len(s); j++ {
		if s[j] == '%' {
			b = append(b, unhex(s[j+1])<<4|unhex(s[j+2]))
			j += 2
			continue
		}
		b = append(b, s[j])
	}
	return string(b)
}

// CanonicalPath maps an escaped URL path (as [net/url.URL.EscapedPath]
// gives it) to one spelling per resource: every percent escape is decoded
// except %2F and %25, which stay (upper case) so that a slash or a
// percent sign inside a value (a branch "feature/x" sent as feature%2Fx)
// is not read as a separator; a percent sign that starts no escape is
// written %25. A path with no percent sign is returned unchanged, without
// allocating.
//
// The replay engine keys its recordings on the canonical form and hands
// it to [LookupIn], which splits on "/" before decoding each segment.
func CanonicalPath(p string) string {
	i := strings.IndexByte(p, '%')
	if i < 0 {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	b.WriteString(p[:i])
	for ; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHexDigit(p[i+1]) && isHexDigit(p[i+2]) {
			v := unhex(p[i+1])<<4 | unhex(p[i+2])
			switch v {
			case '/':
				b.WriteString("%2F")
			case '%':
				b.WriteString("%25")
			default:
				b.WriteByte(v)
			}
			i += 2
			continue
		}
		if c == '%' {
			// A percent sign that starts no escape stands for itself.
			b.WriteString("%25")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
