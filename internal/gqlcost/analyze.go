package gqlcost

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Bounds on the work one call of [Analyze] does, whatever the input.
const (
	// MaxTokens is the most lexical tokens a query text may have. gh's
	// largest query (pr view) has about 600.
	MaxTokens = 100_000
	// MaxExpansion bounds what an operation may expand to once its
	// fragments are spread: selections (fields, fragment spreads, inline
	// fragments), each of their arguments and directives counting one
	// more. gh pr view's comes to about 250. Without a bound, a few
	// fragments each spreading the next twice would expand exponentially.
	MaxExpansion = 10_000
)

// Info is what [Analyze] finds out about one GraphQL operation.
type Info struct {
	// Kind is "query", "mutation" or "subscription"; the {…} shorthand
	// is a query.
	Kind string
	// Name is the operation's name, or when it has none its root
	// selection path ("repository.pullRequest"; see the package doc).
	Name string
	// Anonymous reports that Name is a root selection path, not a name
	// the operation gives itself.
	Anonymous bool

	// Requests is the sum over connections of the requests GitHub
	// assumes each needs: the product of the first/last of the
	// connections enclosing it, 1 for an outermost one.
	Requests int64
	// Points is the primary rate-limit cost: Requests / 100, rounded to
	// the nearest, at least 1.
	Points int
	// Nodes is the most nodes the operation can return: the sum over
	// connections of the product of their first/last and their
	// enclosing connections'. GitHub refuses an operation over
	// [MaxNodes].
	Nodes int64
	// Secondary is the operation's cost against GitHub's secondary
	// limit on GraphQL points: 5 for a mutation, 1 otherwise.
	Secondary int

	// Estimated reports that some first/last was not taken as written
	// (a variable not given or not a number, a value out of range);
	// Notes says which and what was used instead.
	Estimated bool
	// Notes says, one sentence each, what was assumed or is worth
	// knowing ("viewer.repositories: first from $n: not given, 100
	// assumed").
	Notes []string
}

// GitHub's published limits on connections and nodes.
const (
	// MaxPage is the largest first/last GitHub accepts, and what a
	// first/last of unknown value is assumed to be.
	MaxPage = 100
	// MaxNodes is the most nodes GitHub lets one call ask for.
	MaxNodes = 500_000
)

// saturated bounds every count, so that products of first/last down a
// deep query never overflow; such a query is far past MaxNodes anyway.
const saturated int64 = 1 << 53

// Analyze parses query, picks the operation a GraphQL server would run for
// operationName (the one so named; the only one when operationName is
// empty), names it and estimates its cost with GitHub's published
// algorithm, taking first/last given as variables from variables (decoded
// JSON: numbers as float64, json.Number or any Go integer).
//
// The errors are [ErrSyntax], [ErrOperation], [ErrFragment] and
// [ErrTooLarge], wrapped; those about a place in the text are [*PosError]s.
// Analyze does not check the operation against GitHub's schema: a field
// GitHub does not have is costed like any other.
func Analyze(query, operationName string, variables map[string]any) (Info, error) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, MaxTokens)
	if err != nil {
		return Info{}, syntaxError(err)
	}
	op, err := chooseOperation(doc, operationName)
	if err != nil {
		return Info{}, err
	}
	frags, err := indexFragments(doc)
	if err != nil {
		return Info{}, err
	}
	a := &analysis{frags: frags, op: op, vars: variables}
	root := &group{}
	if err := a.collect(op.SelectionSet, root); err != nil {
		return Info{}, err
	}
	if err := a.cost(root, nil, 1); err != nil {
		return Info{}, err
	}

	info := Info{
		Kind:      string(op.Operation),
		Name:      op.Name,
		Requests:  a.requests,
		Points:    points(a.requests),
		Nodes:     a.nodes,
		Secondary: 1,
		Estimated: a.estimated,
		Notes:     a.notes,
	}
	if op.Operation == ast.Mutation {
		info.Secondary = 5
	}
	if info.Name == "" {
		info.Name, info.Anonymous = rootPath(root), true
	}
	if a.nodes > MaxNodes {
		info.Notes = append(info.Notes, fmt.Sprintf("%d nodes: over GitHub's limit of %d, GitHub refuses this call", a.nodes, MaxNodes))
	}
	return info, nil
}

// points turns requests into GitHub's score: divided by 100, rounded to
// the nearest (a half up), at least 1.
func points(requests int64) int {
	p := (requests + 50) / 100
	if p < 1 {
		return 1
	}
	return int(p)
}

func syntaxError(err error) error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		if ge.Message == fmt.Sprintf("exceeded token limit of %d", MaxTokens) {
			return fmt.Errorf("%w: more than %d tokens", ErrTooLarge, MaxTokens)
		}
		if len(ge.Locations) > 0 && ge.Locations[0].Line > 0 {
			return &PosError{Line: ge.Locations[0].Line, Column: ge.Locations[0].Column, Msg: ge.Message, Err: ErrSyntax}
		}
		return fmt.Errorf("%w: %s", ErrSyntax, ge.Message)
	}
	return fmt.Errorf("%w: %v", ErrSyntax, err)
}

func posError(pos *ast.Position, kind error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if pos == nil {
		return fmt.Errorf("%w: %s", kind, msg)
	}
	return &PosError{Line: pos.Line, Column: pos.Column, Msg: msg, Err: kind}
}

// chooseOperation picks the operation as the GraphQL spec's
// GetOperation does.
func chooseOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, error) {
	ops := doc.Operations
	if len(ops) == 0 {
		return nil, fmt.Errorf("%w: the document has no operation", ErrOperation)
	}
	if name == "" {
		if len(ops) > 1 {
			return nil, fmt.Errorf("%w: the document has %d operations (%s) and no operationName says which", ErrOperation, len(ops), opList(ops))
		}
		return ops[0], nil
	}
	var found *ast.OperationDefinition
	for _, op := range ops {
		if op.Name != name {
			continue
		}
		if found != nil {
			return nil, posError(op.Position, ErrOperation, "a second operation named %q (the first is at %d:%d)", name, found.Position.Line, found.Position.Column)
		}
		found = op
	}
	if found == nil {
		return nil, fmt.Errorf("%w: no operation named %q (the document has %s)", ErrOperation, name, opList(ops))
	}
	return found, nil
}

func opList(ops ast.OperationList) string {
	names := make([]string, 0, len(ops))
	for _, op := range ops {
		n := op.Name
		if n == "" {
			n = "an anonymous " + string(op.Operation)
		}
		names = append(names, n)
		if len(names) == 10 {
			names = append(names, fmt.Sprintf("%d more", len(ops)-10))
			break
		}
	}
	return strings.Join(names, ", ")
}

// indexFragments maps the document's fragments by name and refuses a
// name defined twice and fragments that spread themselves, directly or
// through others (the spec's "Fragment spreads must not form cycles"), so
// that expanding them later always ends.
func indexFragments(doc *ast.QueryDocument) (map[string]*ast.FragmentDefinition, error) {
	frags := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if first, dup := frags[f.Name]; dup {
			return nil, posError(f.Position, ErrFragment, "fragment %q is defined twice (first at %d:%d)", f.Name, first.Position.Line, first.Position.Column)
		}
		frags[f.Name] = f
	}
	const (
		unseen = iota
		open
		done
	)
	state := make(map[string]int, len(frags))
	var visit func(f *ast.FragmentDefinition) error
	visit = func(f *ast.FragmentDefinition) error {
		state[f.Name] = open
		for _, s := range spreads(f.SelectionSet, nil) {
			g := frags[s.Name]
			if g == nil {
				continue // reported when spread, if it ever is
			}
			switch state[g.Name] {
			case open:
				return posError(s.Position, ErrFragment, "fragment %q spreads itself (through %q)", g.Name, f.Name)
			case unseen:
				if err := visit(g); err != nil {
					return err
				}
			}
		}
		state[f.Name] = done
		return nil
	}
	// In document order, so that the error is always the same one.
	for _, f := range doc.Fragments {
		if state[f.Name] == unseen {
			if err := visit(f); err != nil {
				return nil, err
			}
		}
	}
	return frags, nil
}

// spreads appends the fragment spreads anywhere in set to out. Its
// recursion is as deep as the text nests, which the parser bounds.
func spreads(set ast.SelectionSet, out []*ast.FragmentSpread) []*ast.FragmentSpread {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.FragmentSpread:
			out = append(out, s)
		case *ast.Field:
			out = spreads(s.SelectionSet, out)
		case *ast.InlineFragment:
			out = spreads(s.SelectionSet, out)
		}
	}
	return out
}

// A group is one selection set with its fragments spread and its fields
// merged by response key, as GraphQL's CollectFields does: a field asked
// for twice (directly and through a fragment, say) is one field, and one
// connection.
type group struct {
	fields []*merged
	byKey  map[string]*merged
}

// merged is the fields of one response key in a group.
type merged struct {
	name     string // the field's name (not its alias)
	fields   []*ast.Field
	children *group // nil for a leaf
}

type analysis struct {
	frags map[string]*ast.FragmentDefinition
	op    *ast.OperationDefinition
	vars  map[string]any

	work      int // selections, arguments and directives expanded so far
	requests  int64
	nodes     int64
	estimated bool
	notes     []string
	noted     map[string]bool
}

// collect adds the selections of set to g, spreading fragments.
func (a *analysis) collect(set ast.SelectionSet, g *group) error {
	for _, sel := range set {
		a.work += 1 + weight(sel)
		if a.work > MaxExpansion {
			return posError(sel.GetPosition(), ErrTooLarge, "the operation expands to more than %d selections, arguments and directives", MaxExpansion)
		}
		switch s := sel.(type) {
		case *ast.Field:
			if a.skipped(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			m := g.byKey[key]
			if m == nil {
				if g.byKey == nil {
					g.byKey = map[string]*merged{}
				}
				m = &merged{name: s.Name}
				g.byKey[key] = m
				g.fields = append(g.fields, m)
			}
			m.fields = append(m.fields, s)
		case *ast.InlineFragment:
			if a.skipped(s.Directives) {
				continue
			}
			if err := a.collect(s.SelectionSet, g); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if a.skipped(s.Directives) {
				continue
			}
			f := a.frags[s.Name]
			if f == nil {
				return posError(s.Position, ErrFragment, "fragment %q is not defined", s.Name)
			}
			// indexFragments refused cycles, so this recursion ends.
			if err := a.collect(f.SelectionSet, g); err != nil {
				return err
			}
		}
	}
	// The children of each field are collected in cost, level by level.
	return nil
}

// weight is the arguments and directives of sel, which cost and skipped
// go through each time sel is expanded.
func weight(sel ast.Selection) int {
	switch s := sel.(type) {
	case *ast.Field:
		return len(s.Arguments) + len(s.Directives)
	case *ast.InlineFragment:
		return len(s.Directives)
	case *ast.FragmentSpread:
		return len(s.Directives)
	}
	return 0
}

// cost walks g, adding up GitHub's requests and nodes; mult is the
// product of the first/last of the connections enclosing g. It collects
// each field's children as it goes, so its recursion is bounded by
// MaxExpansion.
func (a *analysis) cost(g *group, path []string, mult int64) error {
	for _, m := range g.fields {
		p := append(path[:len(path):len(path)], m.name)
		childMult := mult
		if n, ok := a.pageSize(m, p); ok {
			a.requests = satAdd(a.requests, mult)
			childMult = satMul(mult, n)
			a.nodes = satAdd(a.nodes, childMult)
		}
		var sets []ast.SelectionSet
		for _, f := range m.fields {
			if len(f.SelectionSet) > 0 {
				sets = append(sets, f.SelectionSet)
			}
		}
		if len(sets) == 0 {
			continue
		}
		m.children = &group{}
		for _, set := range sets {
			if err := a.collect(set, m.children); err != nil {
				return err
			}
		}
		if err := a.cost(m.children, p, childMult); err != nil {
			return err
		}
	}
	return nil
}

func satAdd(x, y int64) int64 {
	if x+y > saturated {
		return saturated
	}
	return x + y
}

func satMul(x, y int64) int64 {
	if y != 0 && x > saturated/y {
		return saturated
	}
	return x * y
}

// rootPath names an anonymous operation by its root selection: down
// through single fields that have selections, stopping at a level with
// several (at the root, named by them all, sorted and joined with "+"). Aliases are merged into their field's name;
// __typename and leaf fields do not count; at the root, rateLimit does not
// count beside other fields (a query gets it added to measure its cost).
func rootPath(root *group) string {
	var parts []string
	level := []*group{root}
	for depth := 0; len(level) > 0; depth++ {
		seen := map[string]bool{}
		var names, leaves []string
		for _, g := range level {
			for _, m := range g.fields {
				if seen[m.name] {
					continue
				}
				seen[m.name] = true
				if m.name == "__typename" {
					continue
				}
				if m.children == nil || len(m.children.fields) == 0 {
					leaves = append(leaves, m.name)
					continue
				}
				names = append(names, m.name)
			}
		}
		if depth == 0 {
			if len(names) > 1 {
				names = without(names, "rateLimit")
			}
			if len(names) == 0 {
				names = leaves
			}
			if len(names) == 0 && seen["__typename"] {
				names = []string{"__typename"}
			}
		}
		sort.Strings(names)
		switch len(names) {
		case 0:
			level = nil
		case 1:
			parts = append(parts, names[0])
			var next []*group
			for _, g := range level {
				for _, m := range g.fields {
					if m.name == names[0] && m.children != nil {
						next = append(next, m.children)
					}
				}
			}
			level = next
		default:
			// Below the root, a level with several fields stops the walk
			// without adding to the name: adding or dropping one of them
			// is an edit of the query, not another operation. At the
			// root there is nothing else to name it by.
			if depth == 0 {
				parts = append(parts, strings.Join(names, "+"))
			}
			level = nil
		}
	}
	return strings.Join(parts, ".")
}

func without(names []string, drop string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}
