package budget

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"unicode"

	"github.com/callbudget/callbudget/replay"
)

// Version is the budget file format version this package reads and writes.
const Version = 1

// graphqlRoute is the route all GraphQL operations share; an endpoint on
// it is keyed by operation too.
const graphqlRoute = "/graphql"

// File is a budget file: the baseline of each scenario by name.
type File struct {
	// Scenarios maps a scenario name to its baseline. A name with no
	// entry is a new scenario: pass the nil *Entry on to [Compare].
	Scenarios map[string]*Entry
}

// Entry is one scenario's baseline.
type Entry struct {
	// Total is the paid calls: free 304s are not in it.
	Total    int
	Mutating int
	// GraphQLPoints is the GraphQL primary rate-limit cost, the sum of
	// the GraphQL endpoints' GraphQLPoints. GitHub charges every GraphQL
	// call at least 1 point, so 0 with GraphQL endpoints means the points
	// were never counted (a budget written before callbudget counted
	// them): see [Entry.GraphQLPointsBudgeted].
	GraphQLPoints int
	Resources     map[string]int
	// Endpoints are sorted by route, method and operation, one per key.
	Endpoints []EndpointCount
	// Line is the line of the scenario's name in the file it was loaded
	// from, for annotations; 0 for an entry not loaded from a file.
	Line int
}

// EndpointCount is the baseline count of one endpoint.
type EndpointCount struct {
	Method string
	Route  string
	// Operation is the operation id ("pulls/get"). It is part of the key
	// only for GraphQL ("graphql/ViewerLogin"); a REST endpoint's is read
	// from and written to the comment after its count, and may be empty.
	Operation string
	// Count is the paid calls; an endpoint only answered free 304s is not
	// in the budget.
	Count int
	// GraphQLPoints is a GraphQL endpoint's points; 0 for REST.
	GraphQLPoints int
}

// GraphQLPointsBudgeted reports whether the entry has a GraphQL points
// baseline: it has points, or no GraphQL endpoint (a scenario without
// GraphQL has a baseline of 0 points, so one that starts using GraphQL is
// over, as with a new resource). An entry with GraphQL endpoints and no
// points predates GraphQL points: [Compare] shows the run's points and
// does not judge them until `callbudget update` records them.
func (e *Entry) GraphQLPointsBudgeted() bool {
	if e.GraphQLPoints > 0 {
		return true
	}
	for _, ep := range e.Endpoints {
		if ep.Route == graphqlRoute {
			return false
		}
	}
	return true
}

// Key is the endpoint's key in the file: method and route, plus the
// operation on the GraphQL route.
func (e EndpointCount) Key() string {
	return endpointKey(e.Method, e.Route, e.Operation)
}

func endpointKey(method, route, op string) string {
	if route == graphqlRoute && op != "" {
		return method + " " + route + " " + op
	}
	return method + " " + route
}

// parseEndpointKey splits a key written by endpointKey. The method is
// upper-case ASCII letters; the route starts with a slash and may hold
// spaces (a fallback route is built from whatever path a client sent); on
// the GraphQL route, everything after the first space is the operation,
// which may hold spaces too ("graphql/query repository.pullRequest", an
// anonymous query named by its root selection).
func parseEndpointKey(key string) (method, route, op string, err error) {
	method, route, ok := strings.Cut(key, " ")
	if !ok || method == "" || strings.IndexFunc(method, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 ||
		!strings.HasPrefix(route, "/") {
		return "", "", "", fmt.Errorf(`endpoint %q is not "METHOD /route"`, key)
	}
	if r, o, ok := strings.Cut(route, " "); ok && r == graphqlRoute {
		route, op = r, o
	}
	return method, route, op, nil
}

// New returns an empty budget.
func New() *File {
	return &File{Scenarios: map[string]*Entry{}}
}

// Names lists the scenario names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Scenarios))
	for name := range f.Scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Update sets the baseline of the scenario name to the counts c. Refusing
// a baseline from a failed run or one with unmatched requests is the
// caller's decision; Update refuses only a name that cannot be written.
func (f *File) Update(name string, c replay.Counts) error {
	if err := checkName(name); err != nil {
		return err
	}
	if f.Scenarios == nil {
		f.Scenarios = map[string]*Entry{}
	}
	f.Scenarios[name] = entryFromCounts(c)
	return nil
}

// Remove deletes the scenario's baseline, if any.
func (f *File) Remove(name string) {
	delete(f.Scenarios, name)
}

// Stale lists the scenarios of the budget not among names (the scenarios
// of the config), sorted.
func (f *File) Stale(names []string) []string {
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	var stale []string
	for _, n := range f.Names() {
		if !have[n] {
			stale = append(stale, n)
		}
	}
	return stale
}

// checkName refuses names that cannot be a readable YAML key: empty, or
// holding control or format characters.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty scenario name", ErrInvalid)
	}
	if strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
	}) >= 0 {
		return fmt.Errorf("%w: scenario name %q has control characters", ErrInvalid, name)
	}
	return nil
}

// entryFromCounts is the baseline for counts: endpoints merged by key
// (replay tells apart one endpoint answered under two rate-limit
// resources; the budget does not). An endpoint that made no paid call
// (only free 304s) is left out: the budget is of paid calls, and a line
// with 0 would change whenever the free calls do.
func entryFromCounts(c replay.Counts) *Entry {
	e := &Entry{Total: c.Total, Mutating: c.Mutating, GraphQLPoints: c.GraphQLPoints, Resources: map[string]int{}}
	for k, v := range c.Resources {
		if v != 0 {
			e.Resources[k] = v
		}
	}
	idx := map[string]int{}
	for _, ep := range c.Endpoints {
		if ep.Count == 0 && ep.GraphQLPoints == 0 {
			continue
		}
		k := endpointKey(ep.Method, ep.Route, ep.Operation)
		if i, ok := idx[k]; ok {
			e.Endpoints[i].Count += ep.Count
			e.Endpoints[i].GraphQLPoints += ep.GraphQLPoints
			continue
		}
		idx[k] = len(e.Endpoints)
		e.Endpoints = append(e.Endpoints, EndpointCount{Method: ep.Method, Route: ep.Route, Operation: ep.Operation, Count: ep.Count, GraphQLPoints: ep.GraphQLPoints})
	}
	sortEndpoints(e.Endpoints)
	return e
}

func sortEndpoints(eps []EndpointCount) {
	sort.Slice(eps, func(i, j int) bool { return endpointLess(eps[i], eps[j]) })
}

func endpointLess(a, b EndpointCount) bool {
	if a.Route != b.Route {
		return a.Route < b.Route
	}
	if a.Method != b.Method {
		return a.Method < b.Method
	}
	return a.Operation < b.Operation
}

// ErrInvalid is wrapped by the errors for a budget file (or a scenario
// name) that cannot be used.
var ErrInvalid = errors.New("invalid budget file")

// ErrNotExist is wrapped by the error of [Load] for a missing file, which
// the command may treat as a budget with no scenarios (all new). It is
// [io/fs.ErrNotExist].
var ErrNotExist = fs.ErrNotExist

// Error is an error about a budget file, at a line when it has one.
type Error struct {
	File string
	// Line is 1-based; 0 when the error is about the whole file.
	Line int
	Msg  string
	// Err is ErrInvalid for bad content, or the error reading the file.
	Err error
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return loc + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }
