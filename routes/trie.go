package routes

import (
	"strings"
	"sync"
)

// table is the operation table made searchable: routes parallels operations,
// and root is a trie with one level per path segment.
type table struct {
	root   *node
	routes []Route
}

// node is one segment position in the trie. Literal segments and the
// {param} segment are kept apart so a literal can be tried first.
type node struct {
	lits  map[string]*node
	param *node
	// greedy: the {param} child may swallow several segments, because it
	// names something that can hold a slash (see greedyParams).
	greedy bool
	// optional: in the greedy passes the {param} child may also match no
	// segment at all, see optionalParams.
	optional bool
	// ops maps a method to its index in table.routes; empty on nodes that end
	// no template.
	ops map[string]int
	// other is the index whose template is reported for a method the node
	// does not document; -1 while ops is empty.
	other int
}

// greedyParams are the parameters whose values may contain "/" once the
// caller has percent-decoded the path: file paths, git refs and branch and
// tag names, and names GitHub documents as URL-encoded (environment names,
// label names, container package names such as "org/image").
var greedyParams = map[string]bool{
	"path":             true,
	"ref":              true,
	"branch":           true,
	"basehead":         true,
	"dir":              true,
	"tag":              true,
	"name":             true,
	"environment_name": true,
	"package_name":     true,
}

// optionalParams may be empty: GET /repos/{owner}/{repo}/contents/ lists the
// repository root (go-github sends it for an empty path), and once the caller
// strips the trailing slash it arrives as .../contents.
var optionalParams = map[string]bool{
	"path": true,
}

// loadTable builds the trie on first use, so programs that never call
// Lookup pay nothing, and every later call shares the result.
var loadTable = sync.OnceValue(func() *table {
	return buildTable(operations)
})

func buildTable(ops []operation) *table {
	t := &table{root: newNode(), routes: make([]Route, len(ops))}
	for i, o := range ops {
		t.routes[i] = Route{
			Method:      o.method,
			Template:    o.template,
			Operation:   o.id,
			Category:    o.category,
			Subcategory: o.subcategory,
			DocsURL:     o.docsURL,
			Resource:    resource(o.method, o.template),
			Known:       true,
		}
		n := t.root
		for _, seg := range splitPath(nil, strings.TrimPrefix(o.template, "/")) {
			if name, ok := paramName(seg); ok {
				if n.param == nil {
					n.param = newNode()
				}
				if greedyParams[name] || isCompound(seg) {
					n.greedy = true
				}
				if optionalParams[name] {
					n.optional = true
				}
				n = n.param
				continue
			}
			c := n.lits[seg]
			if c == nil {
				c = newNode()
				n.lits[seg] = c
			}
			n = c
		}
		if j, ok := n.ops[o.method]; !ok || preferred(o, ops[j]) {
			n.ops[o.method] = i
		}
		if n.other < 0 || preferred(o, ops[n.other]) {
			n.other = i
		}
	}
	return t
}

func newNode() *node {
	return &node{lits: map[string]*node{}, ops: map[string]int{}, other: -1}
}

// paramName reports whether a template segment is a parameter, and its name.
// "{base}...{head}" counts as one parameter spanning the segment.
func paramName(seg string) (string, bool) {
	if len(seg) < 2 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return "", false
	}
	return seg[1 : len(seg)-1], true
}

// isCompound reports a segment made of several parameters, such as
// "{base}...{head}".
func isCompound(seg string) bool {
	return strings.Count(seg, "{") > 1
}

// preferred decides between two operations that share a method and a trie
// node, so only one can be returned. The description has one such pair:
// GET /repos/{owner}/{repo}/compare/{base}...{head} (repos/compare-commits, an
// alias Octokit keeps for old clients) and .../compare/{basehead}
// (repos/compare-commits-with-basehead, the one GitHub's docs show). The rule
// is general: the template with fewer compound segments wins, then the one
// sorted first.
func preferred(a, b operation) bool {
	ca, cb := compoundCount(a.template), compoundCount(b.template)
	if ca != cb {
		return ca < cb
	}
	return a.template < b.template
}

func compoundCount(template string) int {
	n := 0
	for _, seg := range strings.Split(template, "/") {
		if isCompound(seg) {
			n++
		}
	}
	return n
}

// maxSteps bounds the work of one match. Two greedy parameters on one template
// make backtracking quadratic in the number of segments; a path long enough to
// reach the bound (thousands of segments) gets the fallback instead.
const maxSteps = 1 << 14

// matcher holds the state of one search through the trie.
type matcher struct {
	segs      []string
	method    string
	anyMethod bool // accept a node that lacks method
	greedy    bool // let greedy parameters swallow several segments
	steps     int
}

// match finds the node that ends the template for method and segs, or nil.
//
// Searches run from strict to loose, and the first hit wins:
//  1. a template of the same length that documents the method;
//  2. the same, letting greedy parameters swallow several segments, so
//     /repos/o/r/contents/a/b/c.txt finds .../contents/{path} (and
//     /repos/o/r/contents, the root listing, finds it with an empty path);
//  3. and 4. the same two, for a template that lacks the method, which then
//     returns the template without an operation.
//
// Within a search a literal segment beats a parameter (pulls/comments over
// pulls/{pull_number}), and a greedy parameter swallows as few segments as it
// can, so /repos/o/r/commits/feat/x/status is .../commits/{ref}/status with
// ref "feat/x". Preferring the method before the shape mirrors GitHub's own
// router: POST /repos/o/r/branches/b/rename is the rename of branch b, while
// GET on the same path can only be the branch "b/rename".
func (t *table) match(method string, segs []string) *node {
	m := matcher{segs: segs, method: method}
	for _, pass := range [...]struct{ anyMethod, greedy bool }{
		{false, false}, {false, true}, {true, false}, {true, true},
	} {
		m.anyMethod, m.greedy = pass.anyMethod, pass.greedy
		if n := m.walk(t.root, 0); n != nil {
			return n
		}
		if m.steps > maxSteps {
			return nil
		}
	}
	return nil
}

func (m *matcher) walk(n *node, i int) *node {
	m.steps++
	if m.steps > maxSteps {
		return nil
	}
	if i == len(m.segs) {
		if m.accepts(n) {
			return n
		}
		if m.greedy && n.optional && m.accepts(n.param) {
			return n.param
		}
		return nil
	}
	s := m.segs[i]
	if c := n.lits[s]; c != nil {
		if r := m.walk(c, i+1); r != nil {
			return r
		}
	}
	// A parameter never matches an empty segment ("a//b").
	if n.param == nil || s == "" {
		return nil
	}
	if r := m.walk(n.param, i+1); r != nil {
		return r
	}
	if m.greedy && n.greedy {
		for j := i + 2; j <= len(m.segs); j++ {
			if r := m.walk(n.param, j); r != nil {
				return r
			}
		}
	}
	return nil
}

func (m *matcher) accepts(n *node) bool {
	if len(n.ops) == 0 {
		return false
	}
	if m.anyMethod {
		return true
	}
	if _, ok := n.ops[m.method]; ok {
		return true
	}
	_, ok := n.ops["GET"]
	return ok && m.method == "HEAD"
}

// route is the answer for a matched node.
func (t *table) route(n *node, method string) Route {
	if i, ok := n.ops[method]; ok {
		return t.routes[i]
	}
	if i, ok := n.ops["GET"]; ok && method == "HEAD" {
		r := t.routes[i]
		r.Method = method
		return r
	}
	tmpl := t.routes[n.other].Template
	return Route{Method: method, Template: tmpl, Resource: resource(method, tmpl)}
}
