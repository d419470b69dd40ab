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

// opSet holds one index into table.routes per product, by bit position; -1
// where the product documents none.
type opSet [numProducts]int32

func noOps() opSet { return opSet{-1, -1, -1} }

// methodOps are the operations one method has on a node: products has the
// bit of every product whose index in ops is not -1.
type methodOps struct {
	products Product
	ops      opSet
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
	// ops maps a method to the operation each product documents for it on
	// this node; empty on nodes that end no template.
	ops map[string]methodOps
	// products is every product that documents some method on this node.
	products Product
	// other is, per product, the operation whose template is reported for a
	// method the node does not document.
	other opSet
}

// greedyParams are the parameters whose values may contain "/" when a
// client sends the slash unencoded: file paths, git refs and branch and
// tag names, and names GitHub documents as URL-encoded (environment names,
// label names, container package names such as "org/image"). A slash sent
// as %2F never splits a segment, so these only matter for raw slashes.
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
			Products:    o.products,
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
		mo, ok := n.ops[o.method]
		if !ok {
			mo.ops = noOps()
		}
		for pi := range numProducts {
			if o.products&(1<<pi) == 0 {
				continue
			}
			if j := mo.ops[pi]; j < 0 || preferred(o, ops[j]) {
				mo.ops[pi] = int32(i)
			}
			if j := n.other[pi]; j < 0 || preferred(o, ops[j]) {
				n.other[pi] = int32(i)
			}
		}
		mo.products |= o.products
		n.ops[o.method] = mo
		n.products |= o.products
	}
	return t
}

func newNode() *node {
	return &node{lits: map[string]*node{}, ops: map[string]methodOps{}, other: noOps()}
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

// preferred decides between two operations that share a method, a product
// and a trie node, so only one can be returned. The descriptions have one
// such pair: GET /repos/{owner}/{repo}/compare/{base}...{head}
// (repos/compare-commits, an alias Octokit keeps for old clients) and
// .../compare/{basehead} (repos/compare-commits-with-basehead, the one
// GitHub's docs show). The rule is general: the template with fewer compound
// segments wins, then the one sorted first.
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

// maxSteps bounds the work of one lookup. Two greedy parameters on one
// template make backtracking quadratic in the number of segments; a path
// long enough to reach the bound (thousands of segments) gets the fallback
// instead.
const maxSteps = 1 << 14

// pass is one search through the trie: the descriptions it accepts
// operations from, whether a node lacking the method is accepted, and
// whether greedy parameters may swallow several segments.
type pass struct {
	products  Product
	anyMethod bool
	greedy    bool
}

// routers are the sets of products one server's router answers for:
// api.github.com serves api.github.com's and Enterprise Cloud's operations
// alike (ghec.json is api.github.com plus the enterprise features), while
// an Enterprise Server has a router of its own.
var routers = [...]Product{DotCom | EnterpriseCloud, EnterpriseServer}

// passes are, per product asked for (by bit position), the searches a
// lookup runs in order until one finds a node: first the searches that
// need the method documented, then as many that take a template without
// it. The order, and why:
//
//   - Every search that needs the method comes before every search that
//     does not, in any product: GitHub documenting the method on a template
//     somewhere says more about the request than a template that only
//     shares its shape (POST .../branches/b/rename is the rename of b, not
//     the branch "b/rename" with an undocumented method).
//   - The products are searched a router at a time (routers), the router of
//     the product asked for first; api.github.com's and Enterprise Cloud's
//     operations are searched together. One search over one router's
//     operations is what that router does: a literal segment beats a
//     parameter whichever of its descriptions documents it, so a request to
//     api.github.com for POST /orgs/o/credential-authorizations/revoke-all
//     is that Enterprise Cloud operation, not api.github.com's
//     /orgs/{org}/{security_product}/{enablement}. Where both document the
//     node, the product asked for wins (route), then the others in
//     fallbackOrder; that is the primary product winning among equals.
//   - For each router the strict search (one segment per parameter) comes
//     before the greedy one (raw slashes inside {path}, {ref}, …), and both
//     before the next router: a server's greedy match is what it would
//     serve, while another server's exact one only looks like it. Clients
//     send a slash inside a value as %2F, which stays in its segment, so
//     the strict search of the first router finds almost every request.
//   - A template without the method is looked for in the same order, so it
//     comes from the router asked for when that has one.
var passes = func() (ps [numProducts][]pass) {
	for i, order := range fallbackOrder {
		for _, anyMethod := range []bool{false, true} {
			for _, first := range []bool{true, false} {
				for _, r := range routers {
					if (r&order[0] != 0) != first {
						continue
					}
					for _, greedy := range []bool{false, true} {
						ps[i] = append(ps[i], pass{products: r, anyMethod: anyMethod, greedy: greedy})
					}
				}
			}
		}
	}
	return ps
}()

// matcher holds the state of one search through the trie.
type matcher struct {
	segs      []string
	method    string
	products  Product // accept operations documented in these
	anyMethod bool    // accept a node that lacks method
	greedy    bool    // let greedy parameters swallow several segments
	steps     int
	// hit is what accepts found on the node it last accepted: the
	// operations of the method (or of GET for HEAD); empty for a node
	// accepted without the method.
	hit methodOps
	// tried and ended are, for strict [0] and greedy [1] searches of segs,
	// whether one ran and whether it ever reached the end of segs. The
	// trie's shape is the same for every product and method, so once a
	// search never got there no other one of its kind can find a node: a
	// path no template fits costs two searches, not one per pass.
	tried, ended [2]bool
}

func (m *matcher) kind() int {
	if m.greedy {
		return 1
	}
	return 0
}

// match finds the node that ends the template for method and segs, asked
// of the product p; nil if there is none. With it come the products of the
// pass that found it and the method's operations there (m.hit).
//
// The passes run in order and the first hit wins (see passes). A by-ID
// path (/repositories/{id}/…, see byIDForm) is searched in its documented
// form after segs in each half: a documented by-ID template
// (/user/{account_id}) is named as itself, and the documented form that
// has the method beats a by-ID template that lacks it.
//
// Within a search a literal segment beats a parameter (pulls/comments over
// pulls/{pull_number}), and a greedy parameter swallows as few segments as it
// can, so /repos/o/r/commits/feat/x/status is .../commits/{ref}/status with
// ref "feat/x". A greedy search also lets {path} match nothing, so
// /repos/o/r/contents, the root listing, finds .../contents/{path}.
func (t *table) match(p Product, method string, segs []string) (*node, Product, methodOps) {
	all := passes[p.index()]
	withMethod, anyMethod := all[:len(all)/2], all[len(all)/2:]
	// m.segs is set here, not in a method: a slice stored through a
	// pointer would make the caller's segment buffer escape to the heap.
	m := matcher{method: method, segs: segs}
	if n := m.run(t.root, withMethod); n != nil {
		return n, m.products, m.hit
	}
	alias := byIDForm(segs)
	if alias != nil {
		m.segs, m.tried, m.ended = alias, [2]bool{}, [2]bool{}
		if n := m.run(t.root, withMethod); n != nil {
			return n, m.products, m.hit
		}
	}
	m.segs, m.tried, m.ended = segs, [2]bool{}, [2]bool{}
	if n := m.run(t.root, anyMethod); n != nil {
		return n, m.products, m.hit
	}
	if alias != nil {
		m.segs, m.tried, m.ended = alias, [2]bool{}, [2]bool{}
		if n := m.run(t.root, anyMethod); n != nil {
			return n, m.products, m.hit
		}
	}
	return nil, 0, methodOps{}
}

// run tries the passes on m.segs in order; the first node found, or nil.
func (m *matcher) run(root *node, passes []pass) *node {
	for _, ps := range passes {
		if m.steps > maxSteps {
			return nil
		}
		m.products, m.anyMethod, m.greedy = ps.products, ps.anyMethod, ps.greedy
		k := m.kind()
		if m.tried[k] && !m.ended[k] {
			continue
		}
		m.tried[k] = true
		if n := m.walk(root, 0); n != nil {
			return n
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
		m.ended[m.kind()] = true
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
	if m.anyMethod {
		m.hit = methodOps{}
		return n.products&m.products != 0
	}
	mo := n.ops[m.method]
	if mo.products&m.products == 0 && m.method == "HEAD" {
		mo = n.ops["GET"]
	}
	m.hit = mo
	return mo.products&m.products != 0
}

// route writes to *r the answer for node n, which a pass over products
// found for a request to p, with hit the method's operations there: the
// operation of the first product in p's fallback order that documents it,
// or n's template without an operation when hit is empty.
func (t *table) route(n *node, p, products Product, hit methodOps, method string, r *Route) {
	order := &fallbackOrder[p.index()]
	if set := hit.products & products; set != 0 {
		*r = t.routes[hit.ops[first(order, set)]]
		r.Method = method // HEAD, named after GET
		return
	}
	tmpl := t.routes[n.other[first(order, n.products&products)]].Template
	*r = Route{Method: method, Template: tmpl, Resource: resource(method, tmpl)}
}

// first is the bit position of the first product of order in set, which
// must not be empty.
func first(order *[numProducts]Product, set Product) int {
	for _, p := range order {
		if set&p != 0 {
			return p.index()
		}
	}
	return 0
}
