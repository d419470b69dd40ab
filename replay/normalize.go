package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// NormalizePath maps the path shapes real GitHub clients send for one
// endpoint to a single form: the GitHub Enterprise prefixes /api/v3 and
// /api/uploads are dropped, /api/graphql becomes /graphql, doubled slashes
// are collapsed and a trailing slash is removed. The path is either
// percent-decoded (as [net/url.URL.Path] is) or escaped in the canonical
// form of [routes.CanonicalPath], which the replay engine uses so that a slash
// inside a value stays one. The result always starts with a slash. It
// allocates only when the path needs changing.
func NormalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if isCanonicalPath(p) {
		return p
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if strings.Contains(p, "//") {
		var b strings.Builder
		b.Grow(len(p))
		for i := 0; i < len(p); i++ {
			if p[i] == '/' && i > 0 && p[i-1] == '/' {
				continue
			}
			b.WriteByte(p[i])
		}
		p = b.String()
	}
	for {
		q := stripAPIPrefix(p)
		if q == p {
			break
		}
		p = q
	}
	if len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// isCanonicalPath reports, in one pass and without allocating, whether
// NormalizePath would return p unchanged: the common case on the hot path.
func isCanonicalPath(p string) bool {
	if p[0] != '/' || (len(p) > 1 && p[len(p)-1] == '/') {
		return false
	}
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		return false
	}
	return !strings.Contains(p, "//")
}

// NormalizeAPIPath is NormalizePath, also reporting whether it dropped a
// GitHub Enterprise Server prefix (/api/v3, /api/uploads, /api/graphql):
// the request was made to a GitHub Enterprise Server.
func NormalizeAPIPath(p string) (string, bool) {
	n := NormalizePath(p)
	if !strings.HasPrefix(p, "/api") && !strings.HasPrefix(p, "//") {
		return n, false
	}
	t := strings.TrimLeft(p, "/")
	return n, strings.HasPrefix(t, "api/v3") || strings.HasPrefix(t, "api/uploads/") || strings.HasPrefix(t, "api/graphql")
}

func stripAPIPrefix(p string) string {
	switch {
	case p == "/api/graphql" || p == "/api/graphql/":
		return "/graphql"
	case p == "/api/v3" || p == "/api/v3/":
		return "/"
	case strings.HasPrefix(p, "/api/v3/"):
		return p[len("/api/v3"):]
	case strings.HasPrefix(p, "/api/uploads/"):
		return p[len("/api/uploads"):]
	}
	return p
}

// NormalizeQuery maps a raw query string to a canonical form: parameters
// sorted by name (the order of repeated names kept), each name and value
// percent-decoded and encoded again the same way, empty pieces dropped. A
// query that cannot be decoded is kept as it is, so it still matches itself.
func NormalizeQuery(raw string) string {
	if raw == "" {
		return ""
	}
	if isCanonicalQuery(raw) {
		return raw
	}
	return normalizeQuery(raw)
}

// normalizeQuery is NormalizeQuery's general path.
func normalizeQuery(raw string) string {
	type param struct{ k, v string }
	var params []param
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return raw
		}
		params = append(params, param{dk, dv})
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].k < params[j].k })
	var b strings.Builder
	b.Grow(len(raw))
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.v))
	}
	return b.String()
}

// isCanonicalQuery reports, in one pass and without allocating, whether
// NormalizeQuery would return raw unchanged: name=value pairs of
// unreserved characters (nothing to decode or encode), names in order, no
// empty pieces. go-github's page=2&per_page=100 is one.
func isCanonicalQuery(raw string) bool {
	prev := ""
	for start := 0; start <= len(raw); {
		end := strings.IndexByte(raw[start:], '&')
		if end < 0 {
			end = len(raw)
		} else {
			end += start
		}
		piece := raw[start:end]
		eq := strings.IndexByte(piece, '=')
		if eq <= 0 || !isUnreserved(piece[:eq]) || !isUnreserved(piece[eq+1:]) {
			return false
		}
		name := piece[:eq]
		if name < prev {
			return false
		}
		prev = name
		start = end + 1
	}
	return true
}

func isUnreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
		default:
			return false
		}
	}
	return true
}

// graphQLOp names the operation of a GraphQL request body: its
// operationName, else the name in the document's first operation, else a
// hash of the query text with whitespace collapsed. mutation reports whether
// the operation is a mutation (5 secondary-limit points instead of 1).
func graphQLOp(body []byte) (name string, mutation bool) {
	var req struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
	}
	if len(body) == 0 || json.Unmarshal(body, &req) != nil {
		return "", false
	}
	kind, docName := findOperation(req.Query, req.OperationName)
	mutation = kind == "mutation"
	switch {
	case req.OperationName != "":
		return req.OperationName, mutation
	case docName != "":
		return docName, mutation
	case req.Query == "":
		return "", false
	}
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(req.Query), " ")))
	return "anonymous-" + hex.EncodeToString(sum[:4]), mutation
}

// findOperation reads the kind (query, mutation, subscription; "query"
// for the {…} shorthand) and name of the operation a GraphQL server runs
// for operationName want: the one so named, else the document's first.
// It skips comments, string literals, fragments and variable definitions.
func findOperation(doc, want string) (kind, name string) {
	var firstKind, firstName string
	found := func(k, n string) bool {
		if firstKind == "" {
			firstKind, firstName = k, n
		}
		return want == "" || n == want
	}
	for i := 0; i < len(doc); {
		c := doc[i]
		switch {
		case c == '#':
			for i < len(doc) && doc[i] != '\n' {
				i++
			}
		case c == '"':
			i = skipString(doc, i)
		case c == '{': // the shorthand query
			if found("query", "") {
				return "query", ""
			}
			i = skipBlock(doc, i)
		case isNameStart(c):
			j := i
			for j < len(doc) && isNameChar(doc[j]) {
				j++
			}
			word := doc[i:j]
			switch word {
			case "query", "mutation", "subscription":
				k := j
				for k < len(doc) && (doc[k] == ' ' || doc[k] == '\t' || doc[k] == '\n' || doc[k] == '\r' || doc[k] == ',') {
					k++
				}
				e := k
				for e < len(doc) && isNameChar(doc[e]) {
					e++
				}
				n := ""
				if e > k && isNameStart(doc[k]) {
					n = doc[k:e]
				}
				if found(word, n) {
					return word, n
				}
			}
			// Skip the definition: its variables (whose default values
			// may hold braces) and its selection set.
			i = skipDefinition(doc, j)
		default:
			i++
		}
	}
	return firstKind, firstName
}

// skipDefinition skips from just after a definition's keyword to the end
// of its selection set.
func skipDefinition(doc string, i int) int {
	for i < len(doc) {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
		case '(':
			for depth := 0; i < len(doc); {
				if doc[i] == '"' {
					i = skipString(doc, i)
					continue
				}
				if doc[i] == '(' {
					depth++
				} else if doc[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
				i++
			}
		case '{':
			return skipBlock(doc, i)
		default:
			i++
		}
	}
	return len(doc)
}

func skipString(doc string, i int) int {
	if strings.HasPrefix(doc[i:], `"""`) {
		if end := strings.Index(doc[i+3:], `"""`); end >= 0 {
			return i + 3 + end + 3
		}
		return len(doc)
	}
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

func skipBlock(doc string, i int) int {
	depth := 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
			continue
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(doc)
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }
