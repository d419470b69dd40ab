package budget

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/regfile"
)

// maxFileSize bounds what Load reads: a budget of thousands of scenarios
// is a few megabytes.
const maxFileSize = 32 << 20

// Load reads and checks the budget file at path. Every error is an
// [*Error]; a missing file's wraps [ErrNotExist], every other problem with
// the content wraps [ErrInvalid] and names its line: not YAML, unknown or
// duplicate keys, anchors or aliases, a version other than [Version],
// negative or non-integer counts, and totals that do not add up (the
// endpoints and the resources must each sum to the total, mutating calls
// cannot outnumber it, and graphql_points_by_endpoint must sum to
// graphql_points, naming only GraphQL endpoints of the scenario). A file
// without graphql_points, as callbudget wrote before it counted GraphQL
// points, loads with 0 points: see [Entry.GraphQLPointsBudgeted].
//
// Only a regular file is read: the file is opened with O_NONBLOCK, so that
// a named pipe with no writer does not block the open, and what fstat says
// is not a regular file (a pipe, a device, a folder) is refused.
func Load(path string) (*File, error) {
	f, st, err := regfile.Open(path)
	if errors.Is(err, regfile.ErrNotRegular) {
		return nil, &Error{File: path, Msg: err.Error(), Err: ErrInvalid}
	}
	if err != nil {
		return nil, ioError(path, err)
	}
	defer f.Close()
	if st.Size() > maxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than %d bytes", maxFileSize), Err: ErrInvalid}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, ioError(path, err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than %d bytes", maxFileSize), Err: ErrInvalid}
	}
	return Parse(path, data)
}

func ioError(path string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Op + ": " + pe.Err.Error()
	}
	return &Error{File: path, Msg: msg, Err: err}
}

// Parse reads a budget file's content; filename is only for the messages.
// See [Load].
func Parse(filename string, data []byte) (*File, error) {
	p := &parser{file: filename}
	f, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct {
	file string
}

// errAt is the error for a problem at node n.
func (p *parser) errAt(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) parse(data []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: p.file, Msg: "empty budget file (want version and scenarios)", Err: ErrInvalid}
		}
		return nil, p.yamlError(data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, p.yamlError(data, err)
		}
		return nil, p.errAt(&extra, "more than one YAML document")
	}
	if err := p.noAliases(&doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: p.file, Msg: "empty budget file (want version and scenarios)", Err: ErrInvalid}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "want a mapping with version and scenarios")
	}
	f := New()
	var version, scenarios *yaml.Node
	err := p.eachKey(root, func(key string, k, v *yaml.Node) error {
		switch key {
		case "version":
			version = v
			n, err := p.int(v, "version")
			if err != nil {
				return err
			}
			if n != Version {
				return p.errAt(v, "version %d is not supported (want %d)", n, Version)
			}
		case "scenarios":
			scenarios = v
		default:
			return p.errAt(k, "unknown key %q (want version, scenarios)", key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if version == nil {
		return nil, p.errAt(root, "missing version")
	}
	if scenarios == nil {
		return nil, p.errAt(root, "missing scenarios")
	}
	if scenarios.Kind != yaml.MappingNode {
		return nil, p.errAt(scenarios, "scenarios must be a mapping of scenario names")
	}
	err = p.eachKey(scenarios, func(name string, k, v *yaml.Node) error {
		if err := checkName(name); err != nil {
			return p.errAt(k, "scenario name %q has control characters or is empty", name)
		}
		e, err := p.entry(name, v)
		if err != nil {
			return err
		}
		e.Line = k.Line
		f.Scenarios[name] = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// yamlError turns a yaml.v3 syntax error into file:line: form. yaml.v3
// leaves the line out of errors on the first line and of errors about
// bytes (control characters, bad UTF-8); those are found here.
func (p *parser) yamlError(data []byte, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: p.file, Line: line, Msg: "not valid YAML: " + m[2], Err: ErrInvalid}
	}
	return &Error{File: p.file, Line: badByteLine(data), Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: "), Err: ErrInvalid}
}

// badByteLine is the line of the first byte YAML refuses (a control
// character other than tab and line breaks, or bad UTF-8), or 1.
func badByteLine(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\n':
			line++
		case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t' && r != '\r', r == 0x7f:
			return line
		}
		i += size
	}
	return 1
}

// noAliases refuses anchors, aliases and merge keys: a generated budget has
// none, and they would let a small file stand for a huge one.
func (p *parser) noAliases(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" || n.Tag == "!!merge" {
		return p.errAt(n, "anchors, aliases and merge keys are not allowed")
	}
	for _, c := range n.Content {
		if err := p.noAliases(c); err != nil {
			return err
		}
	}
	return nil
}

// eachKey calls fn for each key of mapping m, in order, refusing keys that
// are not scalars and keys that appear twice.
func (p *parser) eachKey(m *yaml.Node, fn func(key string, k, v *yaml.Node) error) error {
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errAt(k, "a key must be a string")
		}
		if first, dup := seen[k.Value]; dup {
			return p.errAt(k, "duplicate key %q (first at line %d)", k.Value, first)
		}
		seen[k.Value] = k.Line
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

// int reads a non-negative integer.
func (p *parser) int(n *yaml.Node, what string) (int, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, p.errAt(n, "%s must be a whole number, not %q", what, n.Value)
	}
	var v int
	if err := n.Decode(&v); err != nil {
		return 0, p.errAt(n, "%s %s is out of range", what, n.Value)
	}
	if v < 0 {
		return 0, p.errAt(n, "%s %d is negative", what, v)
	}
	return v, nil
}

func (p *parser) counts(n *yaml.Node, what string, fn func(key string, k *yaml.Node, count int) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, "%s must be a mapping (an empty one is {})", what)
	}
	return p.eachKey(n, func(key string, k, v *yaml.Node) error {
		c, err := p.int(v, what+" "+strconv.Quote(key))
		if err != nil {
			return err
		}
		return fn(key, k, c)
	})
}

// pointsOf is one line of graphql_points_by_endpoint, resolved against
// the endpoints once the whole scenario is read.
type pointsOf struct {
	key    string
	k      *yaml.Node
	points int
}

func (p *parser) entry(name string, n *yaml.Node) (*Entry, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errAt(n, "scenario %q must be a mapping with total, mutating, resources and endpoints", name)
	}
	e := &Entry{Resources: map[string]int{}}
	var total, mutating, resources, endpoints, gqlPoints, gqlByEndpoint *yaml.Node
	var byEndpoint []pointsOf
	err := p.eachKey(n, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "total":
			total = v
			e.Total, err = p.int(v, "total")
		case "mutating":
			mutating = v
			e.Mutating, err = p.int(v, "mutating")
		case "graphql_points":
			gqlPoints = v
			e.GraphQLPoints, err = p.int(v, "graphql_points")
		case "graphql_points_by_endpoint":
			gqlByEndpoint = v
			err = p.counts(v, "graphql_points_by_endpoint", func(key string, k *yaml.Node, c int) error {
				byEndpoint = append(byEndpoint, pointsOf{key: key, k: k, points: c})
				return nil
			})
		case "resources":
			resources = v
			err = p.counts(v, "resource", func(res string, _ *yaml.Node, c int) error {
				e.Resources[res] = c
				return nil
			})
		case "endpoints":
			endpoints = v
			err = p.counts(v, "endpoint", func(key string, k *yaml.Node, c int) error {
				method, route, op, err := parseEndpointKey(key)
				if err != nil {
					return p.errAt(k, "%v", err)
				}
				if op == "" {
					op = commentOperation(v, k)
				}
				e.Endpoints = append(e.Endpoints, EndpointCount{Method: method, Route: route, Operation: op, Count: c})
				return nil
			})
		default:
			err = p.errAt(k, "unknown key %q in scenario %q (want total, mutating, graphql_points, resources, endpoints, graphql_points_by_endpoint)", key, name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, req := range []struct {
		key string
		n   *yaml.Node
	}{{"total", total}, {"mutating", mutating}, {"resources", resources}, {"endpoints", endpoints}} {
		if req.n == nil {
			return nil, p.errAt(n, "scenario %q has no %s", name, req.key)
		}
	}
	sortEndpoints(e.Endpoints)

	sum := 0
	for _, ep := range e.Endpoints {
		sum += ep.Count
	}
	if sum != e.Total {
		return nil, p.errAt(total, "scenario %q: total %d, but its endpoints add up to %d", name, e.Total, sum)
	}
	sum = 0
	for _, c := range e.Resources {
		sum += c
	}
	if sum != e.Total {
		return nil, p.errAt(total, "scenario %q: total %d, but its resources add up to %d", name, e.Total, sum)
	}
	if e.Mutating > e.Total {
		return nil, p.errAt(mutating, "scenario %q: mutating %d is more than total %d", name, e.Mutating, e.Total)
	}
	if err := p.graphqlPoints(name, e, gqlPoints, gqlByEndpoint, byEndpoint); err != nil {
		return nil, err
	}
	return e, nil
}

// graphqlPoints puts graphql_points_by_endpoint's points on the GraphQL
// endpoints they name, which must be among the scenario's endpoints, and
// checks that they add up to graphql_points. Both keys are optional: a
// budget written before callbudget counted GraphQL points has neither.
func (p *parser) graphqlPoints(name string, e *Entry, total, mapping *yaml.Node, byEndpoint []pointsOf) error {
	idx := make(map[string]int, len(e.Endpoints))
	for i, ep := range e.Endpoints {
		idx[ep.Key()] = i
	}
	sum := 0
	for _, b := range byEndpoint {
		_, route, _, err := parseEndpointKey(b.key)
		if err != nil {
			return p.errAt(b.k, "%v", err)
		}
		if route != graphqlRoute {
			return p.errAt(b.k, "scenario %q: graphql_points_by_endpoint: %q is not a GraphQL endpoint (POST /graphql graphql/NAME)", name, b.key)
		}
		i, ok := idx[b.key]
		if !ok {
			return p.errAt(b.k, "scenario %q: graphql_points_by_endpoint: %q is not among its endpoints", name, b.key)
		}
		e.Endpoints[i].GraphQLPoints = b.points
		sum += b.points
	}
	if sum != e.GraphQLPoints {
		at := total
		if at == nil {
			at = mapping
		}
		return p.errAt(at, "scenario %q: graphql_points %d, but graphql_points_by_endpoint adds up to %d", name, e.GraphQLPoints, sum)
	}
	return nil
}

// commentOperation reads the operation id written as the comment after a
// REST endpoint's count ("… : 2 # pulls/get"). It is informative: a
// missing or odd comment is no error.
func commentOperation(m, key *yaml.Node) string {
	var c string
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == key {
			c = m.Content[i+1].LineComment
			if c == "" {
				c = key.LineComment
			}
			break
		}
	}
	c = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "#"))
	if !isOperationID(c) {
		return ""
	}
	return c
}

// isOperationID accepts what GitHub's operation ids look like
// ("pulls/get", "repos/create-commit-status"): nothing a comment could not
// hold on one line.
func isOperationID(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
